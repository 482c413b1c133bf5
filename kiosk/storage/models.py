"""The tables, as SQLAlchemy 2 models. Timestamps are stored in UTC; service dates are local.

Never store a clear ID number here: people are identified by ``person_hash`` (HMAC-SHA256 with the
hall's secret, see ``kiosk.privacy``) and shown by a masked name. Changing a model means writing a
migration in ``migrations/versions`` too; a test checks the two agree.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime in, an aware UTC datetime out, on SQLite and PostgreSQL alike."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class TicketStatus(enum.StrEnum):
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    SKIPPED = "skipped"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        # The database, not luck, makes a duplicate number impossible.
        UniqueConstraint("hall", "service_date", "prefix", "seq"),
        CheckConstraint("status IN ('waiting','called','serving','done','skipped')",
                        name="status"),
        Index(None, "hall", "service_date", "category", "status", "priority", "seq"),
        Index(None, "hall", "service_date", "item_id"),
        Index(None, "hall", "service_date", "person_hash"),
        Index(None, "hall", "window_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4
    hall: Mapped[str] = mapped_column(String(32))
    service_date: Mapped[date] = mapped_column(Date)  # local date in the hall's time zone
    category: Mapped[str] = mapped_column(String(32))
    prefix: Mapped[str] = mapped_column(String(4))
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str] = mapped_column(String(64))
    priority: Mapped[bool] = mapped_column(default=False)
    priority_reason: Mapped[str | None] = mapped_column(String(32))
    person_hash: Mapped[str | None] = mapped_column(String(64))
    masked_name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=TicketStatus.WAITING.value)
    window_id: Mapped[str | None] = mapped_column(String(32))
    recalls: Mapped[int] = mapped_column(Integer, default=0)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    kiosk_id: Mapped[str] = mapped_column(String(32))
    appointment_id: Mapped[int | None] = mapped_column(ForeignKey("appointments.id"))


class DailySequence(Base):
    """The last number given per hall, local day and prefix; its row lock serialises issuing."""

    __tablename__ = "daily_sequences"

    hall: Mapped[str] = mapped_column(String(32), primary_key=True)
    service_date: Mapped[date] = mapped_column(Date, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(4), primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Appointment(Base):
    __tablename__ = "appointments"
    __table_args__ = (
        UniqueConstraint("hall", "code"),
        CheckConstraint("status IN ('booked','checked_in','cancelled')", name="status"),
        Index(None, "hall", "person_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    hall: Mapped[str] = mapped_column(String(32))
    code: Mapped[str] = mapped_column(String(64))  # what the appointment QR carries
    item_id: Mapped[str] = mapped_column(String(64))
    service_date: Mapped[date] = mapped_column(Date)
    slot_start: Mapped[time] = mapped_column(Time)  # local wall-clock time
    slot_end: Mapped[time] = mapped_column(Time)
    window_id: Mapped[str | None] = mapped_column(String(32))
    person_hash: Mapped[str | None] = mapped_column(String(64))
    masked_name: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="booked")
    ticket_id: Mapped[str | None] = mapped_column(String(36))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxMessage(Base):
    """A record waiting to be sent to the hall platform, written in the same transaction."""

    __tablename__ = "outbox"
    __table_args__ = (Index(None, "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    # The sender (kiosk.sync): a message the server refused for good waits here for a technician
    # instead of blocking the rest; a claim keeps two senders off one row while it is in flight
    # (claimed_until is a lease: a sender killed mid-send frees its rows when it runs out).
    parked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(128))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the server's 2xx answer
    files_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # material images


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    hall: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))  # kiosk id, window id or staff id
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Alert(Base):
    """Something a technician must fix (printer out of paper, door left open)."""

    __tablename__ = "alerts"
    __table_args__ = (Index(None, "cleared_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kiosk_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    message_zh: Mapped[str] = mapped_column(Text)
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# ---- maintenance mode (kiosk.maintenance): never a citizen's data in these tables ----

class MaintenancePin(Base):
    """The technician PIN of one kiosk: an argon2 hash, never the PIN; attempts and lockout."""

    __tablename__ = "maintenance_pins"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pin_hash: Mapped[str] = mapped_column(String(255))
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong PINs in a row
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class MaintenanceCounter(Base):
    """One of the day's counters (card reads, receipts printed, device errors …) per kiosk."""

    __tablename__ = "maintenance_counters"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)  # the hall's local date
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class MaintenancePaper(Base):
    """Paper used since the technician last fitted a new roll."""

    __tablename__ = "maintenance_paper"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    used_mm: Mapped[float] = mapped_column(Float, default=0.0)
    roll_since: Mapped[datetime | None] = mapped_column(UTCDateTime())


class MaintenanceDoor(Base):
    """A locker door the technician took out of service (kept apart from the locker journey's
    own tables; the locker flow may read it)."""

    __tablename__ = "maintenance_doors"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    door: Mapped[int] = mapped_column(Integer, primary_key=True)
    out_of_service: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
