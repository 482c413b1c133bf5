"""Asking the hall server for an applicant's open cases (another kiosk's or a window's), with a
short timeout, for the repeat check of a submission.

``HallCases.open_cases`` calls ``GET /api/v1/cases?person_hash=…`` with the kiosk's token and
returns the cases still open (received, under review, more needed) for any of the items. It is
called on a worker thread after the local check found nothing, so the UI never waits for it;
no server configured, no answer within ``timeout`` seconds, or an answer that is not what the
contract says all mean "nothing known" — the submission is never blocked by the network. Never
logs the person hash or the token.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from kiosk.cases.model import OpenCase
from kiosk.sync.settings import API_PREFIX, SyncSettings

log = logging.getLogger(__name__)

OPEN_STATUSES = frozenset({"received", "under_review", "more_needed"})
TIMEOUT_S = 1.5


class HallCases:
    def __init__(self, settings: SyncSettings | None, timeout: float = TIMEOUT_S) -> None:
        self.settings = settings
        self.timeout = timeout

    def open_cases(self, person_hash: str, item_ids: tuple[str, ...]) -> list[OpenCase]:
        if self.settings is None:
            return []
        import httpx  # loaded with the first look-up, not with the kiosk

        try:
            answer = httpx.get(
                f"{self.settings.base_url}{API_PREFIX}/cases",
                params={"person_hash": person_hash},
                headers={"Authorization": f"Bearer {self.settings.token}"},
                timeout=self.timeout)
        except httpx.HTTPError as exc:
            log.info("hall server not asked about open cases: %s", type(exc).__name__)
            return []
        if answer.status_code != 200:
            log.info("hall server answered %d to the open-case question", answer.status_code)
            return []
        try:
            return parse_open(answer.json(), item_ids)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("hall server's open-case answer is not as the contract says")
            return []


def parse_open(body: Any, item_ids: tuple[str, ...]) -> list[OpenCase]:
    """The open cases of ``body`` (``{"cases": [...]}``) for any of ``item_ids``."""
    wanted = set(item_ids)
    found: list[OpenCase] = []
    for case in body["cases"]:
        items = tuple(str(i) for i in case["item_ids"])
        if case["status"] not in OPEN_STATUSES or not wanted & set(items):
            continue
        number = str(case["case_number"])
        found.append(OpenCase(str(case["case_id"]), number, items,
                              datetime.fromisoformat(case["submitted_at"]), number))
    return found
