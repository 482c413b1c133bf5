"""The technician PIN: stored as an argon2 hash, checked with an attempt limit and a lockout.

One PIN per kiosk in ``maintenance_pins`` (set from the shell with ``kiosk maintenance set-pin``
or changed inside the mode). ``pin_attempts`` wrong PINs in a row lock the pad for
``lockout_seconds``; while locked, nothing is checked (a guess during the lockout tells nothing
and does not count). Every entry, wrong PIN, lockout and change is audited. A kiosk without a PIN
refuses entry: no default PIN exists. The PIN itself is never stored, logged or audited, and
hashing (deliberately slow) runs off the UI thread (the flow's worker).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, insert, select, update

from kiosk.maintenance.audit import record
from kiosk.storage.models import MaintenancePin

PIN_MIN, PIN_MAX = 4, 8
# OWASP's minimum argon2id setting: ~20 ms here, still slow for a guesser with the hash.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class PinFormatError(ValueError):
    """A new PIN that is not 4 to 8 digits."""


class PinResult(enum.StrEnum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"
    NOT_SET = "not_set"


@dataclass(frozen=True)
class PinVerdict:
    result: PinResult
    attempts_left: int = 0
    locked_until: datetime | None = None  # UTC


def check_format(pin: str) -> str:
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        what = f"{len(pin)} characters" if pin.isdigit() else "characters other than digits"
        raise PinFormatError(f"found {what}, expected {PIN_MIN} to {PIN_MAX} digits")
    return pin


class PinStore:
    def __init__(self, engine: Engine, *, hall: str, kiosk_id: str, attempts: int,
                 lockout_s: float) -> None:
        self.engine = engine
        self.hall, self.kiosk_id = hall, kiosk_id
        self.attempts, self.lockout = attempts, timedelta(seconds=lockout_s)

    def is_set(self) -> bool:
        with self.engine.connect() as conn:
            return conn.execute(select(MaintenancePin.kiosk_id).where(
                MaintenancePin.kiosk_id == self.kiosk_id)).first() is not None

    def set_pin(self, pin: str, now: datetime, *, how: str = "shell") -> None:
        """Store a new PIN's hash (clears any lockout) and audit the change."""
        pin_hash = _HASHER.hash(check_format(pin))
        at = now.astimezone(UTC)
        with self.engine.begin() as conn:
            done = conn.execute(update(MaintenancePin).where(
                MaintenancePin.kiosk_id == self.kiosk_id).values(
                pin_hash=pin_hash, failures=0, locked_until=None, changed_at=at)).rowcount
            if not done:
                conn.execute(insert(MaintenancePin).values(
                    kiosk_id=self.kiosk_id, pin_hash=pin_hash, failures=0, locked_until=None,
                    changed_at=at))
            record(conn, hall=self.hall, kiosk_id=self.kiosk_id, action="maintenance.pin_changed",
                   at=at, detail={"how": how})

    def check(self, pin: str, now: datetime) -> PinVerdict:
        """Check ``pin`` as an entry attempt: counted, audited, locking after too many."""
        at = now.astimezone(UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(MaintenancePin.pin_hash, MaintenancePin.failures,
                                      MaintenancePin.locked_until).where(
                MaintenancePin.kiosk_id == self.kiosk_id)).first()
            if row is None:
                return PinVerdict(PinResult.NOT_SET)
            pin_hash, failures, until = row
            if until is not None and at < until:
                return PinVerdict(PinResult.LOCKED, locked_until=until)
            if _verify(pin_hash, pin):
                values: dict[str, object] = {"failures": 0, "locked_until": None}
                if _HASHER.check_needs_rehash(pin_hash):
                    values["pin_hash"] = _HASHER.hash(pin)
                conn.execute(update(MaintenancePin).where(
                    MaintenancePin.kiosk_id == self.kiosk_id).values(**values))
                record(conn, hall=self.hall, kiosk_id=self.kiosk_id,
                       action="maintenance.enter", at=at)
                return PinVerdict(PinResult.OK)
            failures += 1
            if failures >= self.attempts:
                until = at + self.lockout
                conn.execute(update(MaintenancePin).where(
                    MaintenancePin.kiosk_id == self.kiosk_id).values(failures=0,
                                                                     locked_until=until))
                record(conn, hall=self.hall, kiosk_id=self.kiosk_id,
                       action="maintenance.locked", at=at,
                       detail={"attempts": failures, "until": until.isoformat()})
                return PinVerdict(PinResult.LOCKED, locked_until=until)
            conn.execute(update(MaintenancePin).where(
                MaintenancePin.kiosk_id == self.kiosk_id).values(failures=failures,
                                                                 locked_until=None))
            record(conn, hall=self.hall, kiosk_id=self.kiosk_id,
                   action="maintenance.pin_wrong", at=at, detail={"attempt": failures})
            return PinVerdict(PinResult.WRONG, attempts_left=self.attempts - failures)

    def verify_only(self, pin: str) -> bool:
        """Whether ``pin`` is the current one, without counting (changing the PIN inside the
        mode asks for the current one again)."""
        with self.engine.connect() as conn:
            pin_hash = conn.execute(select(MaintenancePin.pin_hash).where(
                MaintenancePin.kiosk_id == self.kiosk_id)).scalar_one_or_none()
        return pin_hash is not None and _verify(pin_hash, pin)


def _verify(pin_hash: str, pin: str) -> bool:
    try:
        return _HASHER.verify(pin_hash, pin)
    except (VerificationError, InvalidHashError):
        return False
