"""Every staff action leaves a row in ``hall_audit``: who, what, on which subject, details.

Details must never hold personal data (ID numbers, clear names, pickup codes, passwords).
Writes into the caller's session; never commits.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from kiosk.hall.models import AuditRecord


def record(session: Session, actor: str, action: str, subject: str,
           detail: dict[str, object] | None = None, *, at: datetime | None = None) -> None:
    session.add(AuditRecord(at=at or datetime.now(UTC), actor=actor, action=action,
                            subject=subject, detail=detail or {}))
