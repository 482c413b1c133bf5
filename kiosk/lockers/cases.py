"""Which case staff are depositing, from what they scan (the receipt QR or the case number's
barcode), and whether a case belongs to the person whose ID card is on the reader.

With a hall server (``[sync] url``) the case is read from it (``GET /api/v1/cases/…``, the
kiosk's read-only view: number, id, service items, masked name) and ownership is asked with the
card's hash (``GET /cases?person_hash=``; the view never carries anyone's hash). Alone, a
receipt QR still names its case (the token is signed with the hall secret) and a barcode its
number; ownership then cannot be checked and a certificate waits for a staffed desk. Blocking
(HTTP): call on a worker. Never logs a hash, a token or a name.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from kiosk.lockers.service import CaseRef
from kiosk.sync.settings import API_PREFIX, SyncSettings
from kiosk.tokens import case_from_token

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

CASE_NUMBER = re.compile(r"^[A-Z]{2}\d{8}-\d{4}$")  # SB20261201-0001


class CaseDirectory:
    def __init__(self, secret: bytes, settings: SyncSettings | None = None, *,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.secret, self.settings, self._transport = secret, settings, transport
        self._http: httpx.Client | None = None

    def _client(self) -> httpx.Client | None:
        if self.settings is None:
            return None
        if self._http is None:
            import httpx

            self._http = httpx.Client(
                base_url=self.settings.base_url + API_PREFIX, transport=self._transport,
                timeout=httpx.Timeout(min(self.settings.request_timeout_s, 5.0)),
                headers={"Authorization": f"Bearer {self.settings.token}"})
        return self._http

    def _get(self, path: str, **params: str) -> dict[str, Any] | None:
        client = self._client()
        if client is None:
            return None
        import httpx

        try:
            answer = client.get(path, params=params or None)
        except httpx.HTTPError as exc:
            log.warning("locker: hall server unreachable for a case lookup (%s)",
                        type(exc).__name__)
            return None
        if answer.status_code != 200:
            return None
        body = answer.json()
        return body if isinstance(body, dict) else None

    def lookup(self, scanned: str) -> CaseRef | None:
        """The case a scanned receipt QR or case-number barcode names, or None."""
        text = scanned.strip()
        token = text.rstrip("/").rsplit("/", 1)[-1]
        case_id = case_from_token(token, self.secret)
        if case_id is not None:
            view = self._get(f"/cases/by-token/{token}")
            return _ref(view) if view else CaseRef(case_id, None, ())
        if CASE_NUMBER.match(text):
            view = self._get(f"/cases/{text}")
            return _ref(view) if view else CaseRef(None, text, ())
        return None

    def belongs_to(self, case_number: str, person_hash: str) -> bool | None:
        """Whether the person's cases include ``case_number``; None when it cannot be told."""
        body = self._get("/cases", person_hash=person_hash)
        if body is None:
            return None
        return any(c.get("case_number") == case_number for c in body.get("cases", []))

    def close(self) -> None:
        if self._http is not None:
            self._http.close()
            self._http = None


def _ref(view: dict[str, Any]) -> CaseRef:
    return CaseRef(str(view.get("case_id") or "") or None, view.get("case_number"),
                   tuple(str(i) for i in view.get("item_ids") or ()), view.get("masked_name"))
