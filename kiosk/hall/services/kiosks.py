"""Kiosk health as the hall sees it: the latest heartbeat per kiosk, missing when silent.

Only the latest state is kept (heartbeats are not history). Never exposes one kiosk's data to
another kiosk: these functions are for staff pages and the heartbeat endpoint only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall.models import KioskAccount
from kiosk.hall.schemas import HeartbeatIn


@dataclass(frozen=True)
class KioskHealth:
    kiosk_id: str
    revoked: bool
    last_seen: datetime | None
    missing: bool
    version: str | None = None
    devices: dict[str, Any] = field(default_factory=dict)
    paper: str | None = None
    outbox: dict[str, Any] | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    report: dict[str, Any] | None = None


def store_heartbeat(session: Session, kiosk_id: str, beat: HeartbeatIn, now: datetime) -> None:
    row = session.get(KioskAccount, kiosk_id)
    if row is None:  # authenticated a moment ago; removed since: nothing to update
        return
    row.last_seen_at, row.heartbeat = now, beat.model_dump(mode="json")


def list_kiosks(session: Session, *, now: datetime | None = None,
                silent_after_s: int = 300) -> list[KioskHealth]:
    now = now or datetime.now(UTC)
    limit = now - timedelta(seconds=silent_after_s)
    out = []
    for row in session.execute(select(KioskAccount).order_by(KioskAccount.kiosk_id)).scalars():
        beat = row.heartbeat or {}
        out.append(KioskHealth(
            kiosk_id=row.kiosk_id, revoked=row.revoked_at is not None, last_seen=row.last_seen_at,
            missing=row.revoked_at is None and (row.last_seen_at is None
                                                or row.last_seen_at < limit),
            version=beat.get("version"), devices=beat.get("devices") or {},
            paper=beat.get("paper"), outbox=beat.get("outbox"), alerts=beat.get("alerts") or [],
            report=beat.get("report")))
    return out
