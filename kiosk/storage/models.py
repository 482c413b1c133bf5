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
    text,
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
# ---- the document locker (kiosk.lockers): compartments, contents, door journal, attempts ----

# A compartment holds at most one live item, and has at most one door operation under way:
# partial unique indexes make a second deposit or a second opening impossible, not unlikely.
LIVE_ITEM = "state IN ('depositing','held')"
OPEN_INTENT = "state IN ('intended','opened')"


class LockerCompartment(Base):
    """A compartment's service state (its size and place come from ``[locker]``)."""

    __tablename__ = "locker_compartments"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    out_of_service_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    fault: Mapped[str | None] = mapped_column(Text)  # for the technician; never personal data
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class LockerItem(Base):
    """What a compartment holds: a result waiting for its applicant (``pickup``) or a citizen's
    night drop-off waiting for staff (``dropoff``). Codes only as HMACs with the hall secret."""

    __tablename__ = "locker_items"
    __table_args__ = (
        CheckConstraint("kind IN ('pickup','dropoff')", name="kind"),
        CheckConstraint("state IN ('depositing','held','removed','cancelled')", name="state"),
        Index("uq_locker_items_live_compartment", "compartment", unique=True,
              sqlite_where=text(LIVE_ITEM), postgresql_where=text(LIVE_ITEM)),
        Index(None, "code_hmac"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # uuid4
    compartment: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[str | None] = mapped_column(String(64))
    case_number: Mapped[str | None] = mapped_column(String(32))
    item_id: Mapped[str | None] = mapped_column(String(64))  # the catalogue's service item
    person_hash: Mapped[str | None] = mapped_column(String(64))  # recipient or depositor
    masked_name: Mapped[str | None] = mapped_column(String(64))
    needs_id: Mapped[bool] = mapped_column(default=False)
    code_hmac: Mapped[str | None] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    code_failures: Mapped[int] = mapped_column(Integer, default=0)
    code_locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    deposited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deposited_by: Mapped[str] = mapped_column(String(64))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by: Mapped[str | None] = mapped_column(String(64))
    removal: Mapped[str | None] = mapped_column(String(16))  # picked_up, taken_back, emptied


class LockerIntent(Base):
    """The door journal: written before the open command (``intended``), after it (``opened``
    or ``failed``) and when the door closed (``done`` / ``rolled_back``), so a restart knows
    which door was opened for what and finishes or rolls back the step, never opening twice."""

    __tablename__ = "locker_intents"
    __table_args__ = (
        CheckConstraint("state IN ('intended','opened','done','rolled_back','failed')",
                        name="state"),
        Index("uq_locker_intents_open_compartment", "compartment", unique=True,
              sqlite_where=text(OPEN_INTENT), postgresql_where=text(OPEN_INTENT)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    compartment: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))  # deposit, dropoff, pickup, take_back, empty
    item_id: Mapped[str | None] = mapped_column(String(36))
    actor: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(32))


class LockerAttempt(Base):
    """One pickup-code entry at this kiosk: wrong ones in a row rest the keypad."""

    __tablename__ = "locker_attempts"
    __table_args__ = (Index(None, "kiosk_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(default=False)


class LockerStaff(Base):
    """Staff who may deposit and collect at this kiosk: a staff card (ID card hash) or staff QR
    (hash) plus a PIN (scrypt), rested after too many wrong PINs."""

    __tablename__ = "locker_staff"

    staff_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    card_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    qr_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    pin_hash: Mapped[str] = mapped_column(String(200))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
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
