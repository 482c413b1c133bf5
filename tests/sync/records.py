"""Outbox records as the kiosk writes them, for the sender's tests and its benchmark.

Tickets go through the real ``QueueService`` (so their outbox rows are exactly the app's);
cases, ratings and locker events are written as their flows will write them, by the contract's
payload shapes, with real PNG page images on disk.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import Engine, func, insert, select

from kiosk.storage.models import OutboxMessage

HALL = "QZ01"
AT = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)


def png_bytes(size: int, seed: int = 0) -> bytes:
    """A valid PNG of about ``size`` bytes (noise does not compress)."""
    side = max(8, int((size / 3) ** 0.5))
    noise = os.urandom(side * side * 3) if seed == 0 else \
        hashlib.shake_256(str(seed).encode()).digest(side * side * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), noise).save(out, "PNG", compress_level=1)
    return out.getvalue()


def add_message(engine: Engine, key: str, kind: str, payload: dict[str, Any],
                at: datetime = AT) -> None:
    with engine.begin() as conn:
        conn.execute(insert(OutboxMessage).values(
            idempotency_key=key, kind=kind, payload=payload, created_at=at, attempts=0,
            next_attempt_at=at, sent_at=None, last_error=None))


def add_case(engine: Engine, folder: Path, *, pages: int = 2, image_size: int = 20_000,
             kiosk: str = "K01") -> tuple[str, list[Path]]:
    """A ``case.created`` message with ``pages`` PNG files under ``folder``; returns the case id
    and the page files."""
    case_id = str(uuid.uuid4())
    case_dir = folder / case_id
    case_dir.mkdir(parents=True)
    files: list[Path] = []
    page_list = []
    for n in range(1, pages + 1):
        data = png_bytes(image_size)
        path = case_dir / f"p{n}.png"
        path.write_bytes(data)
        files.append(path)
        page_list.append({"file": f"p{n}.png", "sha256": hashlib.sha256(data).hexdigest(),
                          "path": str(path)})
    payload = {
        "case_id": case_id, "hall": HALL, "kiosk": kiosk,
        "item_ids": ["unemployment-registration"], "bundle_id": None,
        "person_hash": hashlib.sha256(case_id.encode()).hexdigest(), "masked_name": "张*",
        "delivery": "window", "submitted_at": AT.isoformat(), "promised_date": "2026-01-12",
        "repeat_of": None,
        "materials": [{"material_id": "id-card", "name": "身份证", "status": "received",
                       "due_date": None, "pages": page_list},
                      {"material_id": "photo", "name": "照片", "status": "owed",
                       "due_date": "2026-01-10", "pages": []}],
    }
    add_message(engine, f"{HALL}:case:{case_id}:created", "case.created", payload)
    return case_id, files


def add_rating(engine: Engine, kiosk: str = "K01", level: int = 5) -> str:
    rating_id = str(uuid.uuid4())
    add_message(engine, f"{HALL}:rating:{rating_id}", "rating.created", {
        "rating_id": rating_id, "hall": HALL, "kiosk": kiosk, "target_kind": "ticket",
        "target_id": str(uuid.uuid4()), "level": level, "reasons": [],
        "dimensions": {"overall": level}, "contact_wanted": False,
        "contact_phone_masked": None, "at": AT.isoformat()})
    return rating_id


def outbox_counts(engine: Engine) -> dict[str, int]:
    o = OutboxMessage.__table__
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(o)).scalar_one()
        sent = conn.execute(select(func.count()).where(o.c.sent_at.is_not(None))).scalar_one()
        parked = conn.execute(select(func.count()).where(o.c.parked_at.is_not(None))
                              ).scalar_one()
    return {"total": total, "sent": sent, "parked": parked}


def keys(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(select(OutboxMessage.idempotency_key)).scalars())
