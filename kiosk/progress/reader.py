"""The kiosk's read client for progress lookup: ``GET /api/v1/cases/by-token/{token}``,
``/cases/{number}`` and ``/cases?person_hash=…`` on the hall server.

A citizen is waiting at the screen, so every request has a short timeout (``[progress]
lookup_timeout_seconds``) and is tried once: no retries on the UI path — the flow shows the last
known state instead. httpx is imported on first use (the kiosk's cold start does not pay for it).
Only the HMAC ``person_hash`` is ever sent, never an ID number; the kiosk's token is sent as a
bearer credential and never logged or put into an error message.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from config.schema import Config
from kiosk.sync.settings import sync_settings

if TYPE_CHECKING:
    import httpx

log = logging.getLogger(__name__)

API = "/api/v1"


class ReadFailed(Exception):
    """The hall server could not answer now (no connection, timeout, 5xx, a token problem)."""


class CaseUnknown(Exception):
    """The hall server answered: no such case (404)."""


class HallReader:
    """One keep-alive connection to the hall server, shared by the flow's worker threads."""

    def __init__(self, base_url: str, token: str, timeout_s: float) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout_s = timeout_s
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:  # never the token
        return f"HallReader({self.base_url!r}, timeout_s={self.timeout_s})"

    @classmethod
    def from_config(cls, config: Config) -> HallReader | None:
        """None on a standalone kiosk (``[sync] url = ""``): there is nobody to ask."""
        settings = sync_settings(config)
        if settings is None:
            return None
        return cls(settings.base_url, settings.token, config.progress.lookup_timeout_seconds)

    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                # httpx logs every request line at INFO: ours carry receipt tokens (the key to a
                # case's public page) and person hashes, which have no place in the kiosk log.
                logging.getLogger("httpx").setLevel(max(logging.WARNING,
                                                        logging.getLogger("httpx").level))

                self._client = httpx.Client(
                    base_url=self.base_url + API, timeout=self.timeout_s,
                    headers={"Authorization": f"Bearer {self._token}"})
            return self._client

    def _get(self, path: str, params: dict[str, str] | None = None) -> Any:
        import httpx

        try:
            response = self._http().get(path, params=params)
        except httpx.HTTPError as exc:  # refused, reset, timed out, bad TLS
            raise ReadFailed(f"hall server unreachable: {type(exc).__name__}") from None
        if response.status_code == 404:
            raise CaseUnknown(path.split("/")[1] if "/" in path else path)
        if response.status_code != 200:
            raise ReadFailed(f"hall server answered {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise ReadFailed("hall server answered with something that is not JSON") from None

    def by_token(self, receipt_token: str) -> dict[str, Any]:
        """The case a receipt QR names (its detail: timeline, owed list, locker)."""
        return self._object(self._get(f"/cases/by-token/{quote(receipt_token, safe='')}"))

    def by_number(self, case_number: str) -> dict[str, Any]:
        return self._object(self._get(f"/cases/{quote(case_number, safe='')}"))

    def by_person(self, person_hash: str) -> list[dict[str, Any]]:
        """The applicant's cases, newest first (summaries: no timeline or owed list)."""
        data = self._object(self._get("/cases", {"person_hash": person_hash}))
        cases = data.get("cases")
        if not isinstance(cases, list) or not all(isinstance(c, dict) for c in cases):
            raise ReadFailed("hall server answer has no list of cases")
        return cases

    @staticmethod
    def _object(data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise ReadFailed("hall server answer is not a JSON object")
        return data

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None
