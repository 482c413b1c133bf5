"""Who may talk to the hall server: kiosks by bearer token, staff by password.

Kiosk tokens are 32 random bytes shown once (``kiosk hall kiosk add``); only their sha256 is
stored, and a lookup compares hashes, so the clear token never reaches the database or a log.
Staff passwords are argon2id hashes (argon2-cffi) with a role: ``clerk`` (窗口工作人员) or
``supervisor`` (值班长). Never log a token, a password or a hash.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall.audit import record
from kiosk.hall.models import KioskAccount
from kiosk.hall.models import Staff as StaffRow

ROLES = ("clerk", "supervisor")
_hasher = PasswordHasher()
# Verifying an unknown user against this keeps the answer time the same as for a known one.
# A constant made with the default parameters (hashing it at import cost 0.5 s of start-up);
# tests/hall/test_auth.py checks its parameters still equal the hasher's.
_DUMMY_HASH = ("$argon2id$v=19$m=65536,t=3,p=4$SEt+aWpmtInRp2MIp7iYxw$"
               "qCEOHOHWBa8nCGS5OgeBD1KUY5lnBO4B9liNd/gTTks")


class AccountError(ValueError):
    """A refused administrative action (unknown kiosk, duplicate user, bad role)."""


def token_sha256(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def add_kiosk(session: Session, kiosk_id: str, *, now: datetime | None = None) -> str:
    """Register a kiosk (or give a revoked one a new token); returns the clear token, once."""
    if not kiosk_id or len(kiosk_id) > 32 or not kiosk_id.replace("-", "").isalnum():
        raise AccountError(f"kiosk id {kiosk_id!r}: expected 1-32 letters, digits or '-'")
    token = secrets.token_urlsafe(32)
    now = now or datetime.now(UTC)
    row = session.get(KioskAccount, kiosk_id)
    if row is not None and row.revoked_at is None:
        raise AccountError(f"kiosk {kiosk_id} already has a token: revoke it first")
    if row is None:
        session.add(KioskAccount(kiosk_id=kiosk_id, token_sha256=token_sha256(token),
                                 created_at=now))
    else:
        row.token_sha256, row.revoked_at = token_sha256(token), None
    record(session, "cli", "kiosk.added", kiosk_id, at=now)
    return token


def revoke_kiosk(session: Session, kiosk_id: str, *, now: datetime | None = None) -> None:
    row = session.get(KioskAccount, kiosk_id)
    if row is None:
        raise AccountError(f"kiosk {kiosk_id}: no such kiosk")
    now = now or datetime.now(UTC)
    row.revoked_at = now
    record(session, "cli", "kiosk.revoked", kiosk_id, at=now)


def kiosk_for_token(session: Session, token: str) -> str | None:
    """The kiosk id a valid, unrevoked token belongs to; None otherwise."""
    if not token or len(token) > 200:
        return None
    row = session.execute(select(KioskAccount.kiosk_id, KioskAccount.revoked_at).where(
        KioskAccount.token_sha256 == token_sha256(token))).first()
    if row is None or row.revoked_at is not None:
        return None
    return str(row.kiosk_id)


@dataclass(frozen=True)
class Staff:
    id: int
    username: str
    role: str


def add_staff(session: Session, username: str, password: str, role: str) -> Staff:
    if role not in ROLES:
        raise AccountError(f"role {role!r}: expected one of {', '.join(ROLES)}")
    if not username or len(username) > 64:
        raise AccountError("user name: expected 1-64 characters")
    if len(password) < 8:
        raise AccountError("password: expected at least 8 characters")
    if session.execute(select(StaffRow.id).where(StaffRow.username == username)).first():
        raise AccountError(f"staff user {username!r} already exists")
    row = StaffRow(username=username, password_hash=_hasher.hash(password), role=role,
                   created_at=datetime.now(UTC), disabled=False)
    session.add(row)
    session.flush()
    record(session, "cli", "staff.added", username, {"role": role})
    return Staff(row.id, row.username, row.role)


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    row = session.execute(select(StaffRow).where(StaffRow.username == username)).scalar()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or row.disabled:
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        row.password_hash = _hasher.hash(password)
    return Staff(row.id, row.username, row.role)
