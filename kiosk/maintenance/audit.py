"""The maintenance actions in the kiosk's ``audit_log``: who did what to which part, and when.

Every entry, wrong PIN, lockout, PIN change, exit, configuration change, door opening and
service mark is written here in its own committed row. ``detail`` holds only what a supervisor
needs (a setting's key, a door number): never a PIN, a card's fields or any citizen data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from kiosk.storage.models import AuditEntry

ACTOR = "technician"


@dataclass(frozen=True)
class AuditLine:
    at: datetime
    actor: str
    action: str
    subject: str
    detail: dict[str, Any]


def record(conn: Connection, *, hall: str, kiosk_id: str, action: str, at: datetime,
           detail: dict[str, Any] | None = None, actor: str = ACTOR) -> None:
    """One audit row in the caller's transaction (subject: this kiosk)."""
    conn.execute(insert(AuditEntry).values(at=at.astimezone(UTC), hall=hall, actor=actor,
                                           action=action, subject=kiosk_id,
                                           detail=detail or {}))


def audit(engine: Engine, *, hall: str, kiosk_id: str, action: str, at: datetime,
          detail: dict[str, Any] | None = None) -> None:
    with engine.begin() as conn:
        record(conn, hall=hall, kiosk_id=kiosk_id, action=action, at=at, detail=detail)


def recent(engine: Engine, limit: int = 200, hall: str | None = None) -> list[AuditLine]:
    """The newest audit rows first (every journey's, not only maintenance)."""
    q = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if hall is not None:
        q = q.where(AuditEntry.hall == hall)
    with engine.connect() as conn:
        return [AuditLine(r.at, r.actor, r.action, r.subject, dict(r.detail or {}))
                for r in conn.execute(q)]
