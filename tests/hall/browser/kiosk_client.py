"""A kiosk talking to the hall server over the real API (what the sender does), for the page
tests: register a kiosk, submit cases with real JPEG pages, ratings and heartbeats."""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from PIL import Image

from kiosk.hall.auth import add_kiosk
from tests.hall.browser.conftest import Hall

PERSON = hashlib.sha256(b"a test applicant").hexdigest()


def register(hall: Hall, kiosk_id: str) -> str:
    with hall.app.state.sessions.begin() as session:
        return add_kiosk(session, kiosk_id)


def jpeg(colour: tuple[int, int, int], text_band: bool = True) -> bytes:
    img = Image.new("RGB", (480, 640), colour)
    if text_band:
        for y in range(80, 560, 40):  # stripes: something to see in the screenshot
            img.paste((30, 30, 30), (60, y, 420, y + 8))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=80)
    return out.getvalue()


class KioskApi:
    def __init__(self, hall: Hall, kiosk_id: str) -> None:
        self.hall, self.kiosk_id = hall, kiosk_id
        self.client = httpx.Client(base_url=hall.base_url, timeout=15, headers={
            "Authorization": f"Bearer {register(hall, kiosk_id)}"})

    def _post(self, path: str, **kw: Any) -> dict[str, Any]:
        reply = self.client.post(path, headers={"Idempotency-Key": str(uuid.uuid4())}, **kw)
        assert reply.status_code in (200, 201), (path, reply.status_code, reply.text)
        return reply.json()

    def submit_case(self, item_id: str, materials: list[dict[str, Any]],
                    pages: dict[str, bytes], masked_name: str = "王*明") -> dict[str, Any]:
        case = {"case_id": str(uuid.uuid4()), "hall": self.hall.settings.hall_code,
                "kiosk": self.kiosk_id, "item_ids": [item_id], "bundle_id": None,
                "person_hash": PERSON, "masked_name": masked_name, "delivery": "window",
                "submitted_at": datetime.now(UTC).isoformat(),
                "promised_date": (date.today() + timedelta(days=5)).isoformat(),
                "repeat_of": None, "materials": materials}
        for m in materials:
            for p in m["pages"]:
                p["sha256"] = hashlib.sha256(pages[p["file"]]).hexdigest()
        files = [("case", (None, json.dumps(case), "application/json"))]
        files += [("files", (name, data, "image/jpeg")) for name, data in pages.items()]
        return self._post("/api/v1/cases", files=files)

    def rate(self, level: int, reasons: list[str], at: datetime) -> str:
        rating_id = str(uuid.uuid4())
        self._post("/api/v1/ratings", json={
            "rating_id": rating_id, "hall": self.hall.settings.hall_code,
            "kiosk": self.kiosk_id, "target_kind": "ticket", "target_id": str(uuid.uuid4()),
            "level": level, "reasons": reasons, "dimensions": {"overall": level},
            "contact_wanted": True, "contact_phone_masked": "138****0000", "at": at.isoformat()})
        return rating_id

    def heartbeat(self, *, paper: str = "ok", alerts: list[dict[str, Any]] | None = None,
                  devices: dict[str, Any] | None = None, pending: int = 0) -> None:
        self._post("/api/v1/heartbeat", json={
            "kiosk_id": self.kiosk_id, "version": "0.1.0",
            "devices": devices or {"printer": {"state": "ok", "reason": ""}},
            "paper": paper, "outbox": {"pending": pending, "parked": 0,
                                       "oldest_pending_age_s": 12.0 if pending else None},
            "alerts": alerts or [], "report": None})
