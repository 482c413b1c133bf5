"""The outbox: every record the hall must learn about, written in the caller's transaction.

A ticket, a called number, a case: whatever is committed for the hall also gets one outbox row in
the *same* transaction, so the record and its message are both there or both absent. The sender
(another module) posts rows to the hall server with their idempotency key. ``Outbox`` only
writes; it never commits on its own, never opens a connection and never sends anything.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert

from kiosk.storage.models import OutboxMessage

# Built once: building the statement per ticket cost more than executing it.
_INSERT_OUTBOX = insert(OutboxMessage.__table__)


class Outbox:
    """Writes outbox rows for one hall; keys are made unique across halls with the hall code."""

    def __init__(self, hall: str) -> None:
        self.hall = hall

    def key(self, key: str) -> str:
        """The idempotency key stored (and sent) for ``key``."""
        return f"{self.hall}:{key}"

    def add(self, conn: Connection, key: str, kind: str, payload: dict[str, object],
            at: datetime) -> None:
        """Add a message on ``conn``'s open transaction; due for sending at once."""
        conn.execute(_INSERT_OUTBOX, dict(
            idempotency_key=self.key(key), kind=kind, payload=payload, created_at=at,
            attempts=0, next_attempt_at=at, sent_at=None, last_error=None))
