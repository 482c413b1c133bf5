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


class LocalCase(Base):
    """A self-service submission (自助申报) as committed on this kiosk, before and after the hall
    server numbers it. ``local_ref`` (``K01-20261201-003``) is what the receipt shows until the
    official number follows; ``person_hash`` and ``masked_name`` are all that identify the
    applicant. The images are files under ``<data_dir>/cases/<case_id>/``."""

    __tablename__ = "local_cases"
    __table_args__ = (
        UniqueConstraint("kiosk_id", "service_date", "seq"),
        UniqueConstraint("local_ref"),
        CheckConstraint("delivery IN ('window','locker','post')", name="delivery"),
        Index(None, "person_hash"),
    )

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4, made here
    hall: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    service_date: Mapped[date] = mapped_column(Date)  # local day of submission
    seq: Mapped[int] = mapped_column(Integer)  # per kiosk and day, from 1
    local_ref: Mapped[str] = mapped_column(String(40))
    item_ids: Mapped[list[str]] = mapped_column(JSON)
    bundle_id: Mapped[str | None] = mapped_column(String(64))
    person_hash: Mapped[str] = mapped_column(String(64))
    masked_name: Mapped[str] = mapped_column(String(64))
    delivery: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    promised_date: Mapped[date | None] = mapped_column(Date)
    repeat_of: Mapped[str | None] = mapped_column(String(36))  # case_id of the open case
    files_dir: Mapped[str] = mapped_column(Text)


class LocalCaseMaterial(Base):
    __tablename__ = "local_case_materials"
    __table_args__ = (
        CheckConstraint("status IN ('received','owed')", name="status"),
        Index(None, "case_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("local_cases.case_id"))
    position: Mapped[int] = mapped_column(Integer)
    material_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    due_date: Mapped[date | None] = mapped_column(Date)


class LocalCasePage(Base):
    __tablename__ = "local_case_pages"
    __table_args__ = (Index(None, "material_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_row: Mapped[int] = mapped_column(ForeignKey("local_case_materials.id"))
    position: Mapped[int] = mapped_column(Integer)
    file: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
class CaseStatusCache(Base):
    """The last answer the hall server gave about a case, for progress lookups while it cannot
    be reached ("更新于 N 分钟前"). Masked fields only: the case view the server gives a kiosk
    carries no ID number, no clear name and no receipt token; ``person_hash`` is the HMAC the
    hall already uses. Rows older than ``progress.cache_days`` are removed."""

    __tablename__ = "case_status_cache"
    __table_args__ = (Index(None, "person_hash"), Index(None, "fetched_at"))

    case_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_number: Mapped[str] = mapped_column(String(32))
    person_hash: Mapped[str | None] = mapped_column(String(64))
    masked_name: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(32))
    detailed: Mapped[bool] = mapped_column(default=False)  # timeline and owed list included
    view: Mapped[dict[str, Any]] = mapped_column(JSON)  # the server's kiosk view, as received
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RatingRecord(Base):
    """A citizen's rating (好差评) of a ticket or a case: one per target. ``session_id`` lets the
    same citizen change their mind before leaving; ``released_at`` is when its ``rating.created``
    outbox row was written (at the end of the session that gave it), after which it is final."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("target_kind", "target_id"),
        CheckConstraint("target_kind IN ('ticket','case')", name="target_kind"),
        CheckConstraint("level BETWEEN 1 AND 5", name="level"),
        Index(None, "kiosk_id", "released_at"),
    )

    rating_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4
    hall: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    session_id: Mapped[str] = mapped_column(String(64))
    target_kind: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    dimensions: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    contact_wanted: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
