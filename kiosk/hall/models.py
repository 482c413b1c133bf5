"""The hall server's own tables (prefix ``hall_``), beside the kiosks' tables in one database.

They have their own metadata and their own Alembic history (``kiosk/hall/migrations``, version
table ``hall_alembic_version``) so the kiosk's migrations never see them. People appear only as
``person_hash`` and ``masked_name``; tokens, passwords and pickup codes only as hashes.
Changing a model means a new migration; a test checks the two agree.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kiosk.storage.models import NAMING, UTCDateTime


class HallBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class KioskAccount(HallBase):
    """A kiosk allowed to talk to the server; its latest heartbeat is kept on the row."""

    __tablename__ = "hall_kiosks"

    kiosk_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    heartbeat: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class InboxEntry(HallBase):
    """One accepted write per idempotency key: a repeat gets this answer again."""

    __tablename__ = "hall_inbox"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    kiosk_id: Mapped[str] = mapped_column(String(32))
    endpoint: Mapped[str] = mapped_column(String(64))
    body_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int] = mapped_column(Integer)
    response: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TicketEvent(HallBase):
    __tablename__ = "hall_ticket_events"
    __table_args__ = (UniqueConstraint("ticket_id", "kind"), Index(None, "hall", "service_date"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    hall: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    number: Mapped[str | None] = mapped_column(String(16))
    service_date: Mapped[date | None] = mapped_column(Date)
    window_id: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class CaseSequence(HallBase):
    """Last case number per hall and local day (SB20261201-0001)."""

    __tablename__ = "hall_case_sequences"

    hall: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_seq: Mapped[int] = mapped_column(Integer)


class Case(HallBase):
    __tablename__ = "hall_cases"
    __table_args__ = (Index(None, "person_hash"), Index(None, "status"),
                      Index(None, "hall", "submitted_at"))

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # made by the kiosk
    case_number: Mapped[str] = mapped_column(String(32), unique=True)
    receipt_token: Mapped[str] = mapped_column(String(128), unique=True)  # kiosk.tokens.case_token
    hall: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    item_ids: Mapped[list[str]] = mapped_column(JSON)
    bundle_id: Mapped[str | None] = mapped_column(String(64))
    person_hash: Mapped[str] = mapped_column(String(64))
    masked_name: Mapped[str] = mapped_column(String(64))
    delivery: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    promised_date: Mapped[date | None] = mapped_column(Date)
    repeat_of: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(24))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class CaseMaterial(HallBase):
    __tablename__ = "hall_case_materials"
    __table_args__ = (UniqueConstraint("case_id", "material_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("hall_cases.case_id"))
    material_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # received | owed
    due_date: Mapped[date | None] = mapped_column(Date)
    # lets a new case insert its materials and pages in one flush (no round trip per material)
    pages: Mapped[list[CasePage]] = relationship(lazy="raise", cascade="save-update")


class CasePage(HallBase):
    """One photographed page of a material, stored under ``--files``."""

    __tablename__ = "hall_case_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    material_pk: Mapped[int] = mapped_column(ForeignKey("hall_case_materials.id"))
    file: Mapped[str] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(32))
    stored_path: Mapped[str] = mapped_column(String(400))  # relative to the files folder


class CaseEvent(HallBase):
    """The case timeline: every status change with who and why."""

    __tablename__ = "hall_case_events"
    __table_args__ = (Index(None, "case_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("hall_cases.case_id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(24))
    actor: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")


class CaseKioskEvent(HallBase):
    """``case.*`` events other than creation, as the kiosk sent them (audit trail)."""

    __tablename__ = "hall_case_kiosk_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class Rating(HallBase):
    __tablename__ = "hall_ratings"

    rating_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    hall: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    target_kind: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(64))
    level: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[list[str]] = mapped_column(JSON)
    dimensions: Mapped[dict[str, int]] = mapped_column(JSON)
    contact_wanted: Mapped[bool] = mapped_column(Boolean)
    contact_phone_masked: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class FollowUp(HallBase):
    """A bad rating (level 1–2) to follow up: contact, fix, tell the rater."""

    __tablename__ = "hall_followups"
    __table_args__ = (Index(None, "resolved_at"),)

    rating_id: Mapped[str] = mapped_column(ForeignKey("hall_ratings.rating_id"),
                                           primary_key=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime())
    contact_due: Mapped[date] = mapped_column(Date)
    fix_due: Mapped[date] = mapped_column(Date)
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contacted_by: Mapped[str | None] = mapped_column(String(64))
    contact_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolution_note: Mapped[str | None] = mapped_column(Text)


class LockerEvent(HallBase):
    __tablename__ = "hall_locker_events"

    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    hall: Mapped[str] = mapped_column(String(32))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    compartment: Mapped[int] = mapped_column(Integer)
    case_id: Mapped[str | None] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class PickupCode(HallBase):
    """A 6-digit locker pickup code, kept only as an HMAC with the hall secret."""

    __tablename__ = "hall_pickup_codes"
    __table_args__ = (Index(None, "code_hmac"), Index(None, "case_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("hall_cases.case_id"))
    compartment: Mapped[int] = mapped_column(Integer)
    code_hmac: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PickupAttempt(HallBase):
    """Each verify attempt per kiosk: wrong codes in a row lock that kiosk's keypad out."""

    __tablename__ = "hall_pickup_attempts"
    __table_args__ = (Index(None, "kiosk_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kiosk_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    ok: Mapped[bool] = mapped_column(Boolean)


class KioskAlert(HallBase):
    __tablename__ = "hall_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    kiosk_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)


class Staff(HallBase):
    __tablename__ = "hall_staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # clerk | supervisor
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditRecord(HallBase):
    __tablename__ = "hall_audit"
    __table_args__ = (Index(None, "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(128))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


__all__ = [
    "AuditRecord", "Case", "CaseEvent", "CaseKioskEvent", "CaseMaterial", "CasePage",
    "CaseSequence", "FollowUp", "HallBase", "InboxEntry", "KioskAccount", "KioskAlert",
    "LockerEvent", "PickupAttempt", "PickupCode", "Rating", "Staff",
    "TicketEvent",
]
