"""Where the kiosk keeps what it must never lose: tickets, appointments, the outbox, audit, alerts.

One schema on SQLite (the embedded default) and PostgreSQL (several kiosks and counters sharing a
hall). Tables are created only by Alembic migrations (``migrate``), never by ``create_all``.
"""

from kiosk.storage.engine import make_engine, migrate, normalise_url, session_scope
from kiosk.storage.models import (
    Alert,
    Appointment,
    AuditEntry,
    Base,
    DailySequence,
    OutboxMessage,
    Ticket,
    TicketStatus,
)

__all__ = [
    "Alert", "Appointment", "AuditEntry", "Base", "DailySequence", "OutboxMessage", "Ticket",
    "TicketStatus", "make_engine", "migrate", "normalise_url", "session_scope",
]
