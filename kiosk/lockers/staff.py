"""Staff at the kiosk's locker: a staff card (their ID card, matched by its hash) or a staff QR
(matched by a keyed hash of its text) plus a PIN (scrypt), rested after too many wrong PINs.

Stores no clear PIN, card number or QR text; never logs them. Blocking (scrypt, database):
call on a worker.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, insert, select, update

from config.schema import LockerConfig
from kiosk.clock import Clock, utc_now
from kiosk.lockers.codes import hash_pin, pin_matches, secret_hash
from kiosk.storage.models import LockerStaff

QR_DOMAIN = "locker-staff-qr"


class StaffVerdict(enum.StrEnum):
    OK = "ok"
    UNKNOWN = "unknown"  # no staff with this card or QR
    WRONG_PIN = "wrong_pin"
    RESTING = "resting"


@dataclass(frozen=True)
class StaffCheck:
    verdict: StaffVerdict
    staff_id: str | None = None
    wait_s: int = 0
    tries_left: int | None = None


class StaffDesk:
    def __init__(self, engine: Engine, settings: LockerConfig, clock: Clock,
                 secret: bytes) -> None:
        self.engine, self.settings, self.clock, self.secret = engine, settings, clock, secret

    def qr_hash(self, text: str) -> str:
        return secret_hash(text, self.secret, QR_DOMAIN)

    def add(self, staff_id: str, pin: str, *, card_hash: str | None = None,
            qr_text: str | None = None) -> None:
        if not (pin.isdigit() and 4 <= len(pin) <= 12):
            raise ValueError("a staff PIN is 4 to 12 digits")
        with self.engine.begin() as conn:
            conn.execute(insert(LockerStaff).values(
                staff_id=staff_id, card_hash=card_hash,
                qr_hash=self.qr_hash(qr_text) if qr_text else None, pin_hash=hash_pin(pin),
                failures=0))

    def find(self, *, card_hash: str | None = None, qr_text: str | None = None) -> str | None:
        """The staff id a card or QR names (None: not staff)."""
        if card_hash is not None:
            q = select(LockerStaff.staff_id).where(LockerStaff.card_hash == card_hash)
        elif qr_text is not None:
            q = select(LockerStaff.staff_id).where(LockerStaff.qr_hash == self.qr_hash(qr_text))
        else:
            return None
        with self.engine.connect() as conn:
            return conn.execute(q).scalar()

    def sign_in(self, staff_id: str, pin: str) -> StaffCheck:
        now = utc_now(self.clock)
        s = self.settings
        with self.engine.begin() as conn:
            row = conn.execute(select(LockerStaff).where(LockerStaff.staff_id == staff_id)).first()
            if row is None:
                return StaffCheck(StaffVerdict.UNKNOWN)
            if row.locked_until is not None and row.locked_until > now:
                return StaffCheck(StaffVerdict.RESTING, staff_id, wait_s=max(1, int(
                    (row.locked_until - now).total_seconds())))
            if pin_matches(pin, row.pin_hash):
                conn.execute(update(LockerStaff).where(LockerStaff.staff_id == staff_id)
                             .values(failures=0, locked_until=None))
                return StaffCheck(StaffVerdict.OK, staff_id)
            failures = row.failures + 1
            if failures >= s.staff_max_failures:
                conn.execute(update(LockerStaff).where(LockerStaff.staff_id == staff_id).values(
                    failures=0, locked_until=now + timedelta(seconds=s.staff_lockout_seconds)))
                return StaffCheck(StaffVerdict.RESTING, staff_id, wait_s=s.staff_lockout_seconds)
            conn.execute(update(LockerStaff).where(LockerStaff.staff_id == staff_id)
                         .values(failures=failures))
        return StaffCheck(StaffVerdict.WRONG_PIN, staff_id,
                          tries_left=s.staff_max_failures - failures)
