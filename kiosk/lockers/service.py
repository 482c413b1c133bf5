"""What the locker flows ask of the cabinet: check a pickup code (attempt-limited per kiosk and
per code, expired and used codes told apart), match the applicant's ID card, find a free
compartment of the right size, and open doors for pickup, deposit, night drop-off, take-back and
emptying through the door journal (``kiosk.lockers.journal``). Staff sign-in lives in
``kiosk.lockers.staff``.

Blocking (database, board): flows call it on their worker. Never logs a code, an ID number or a
name; a wrong code is one attempt row (kiosk, time, ok) and nothing else.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, func, insert, select, update

from config.schema import Config
from kiosk.alerts import Alerts
from kiosk.clock import Clock, utc_now
from kiosk.lockers.cabinet import Cabinet
from kiosk.lockers.codes import code_hmac, well_formed
from kiosk.lockers.doors import DoorPort
from kiosk.lockers.journal import DoorBusy, Journal, Opening, Purpose
from kiosk.outbox import Outbox
from kiosk.storage.models import LockerAttempt, LockerCompartment, LockerIntent, LockerItem

log = logging.getLogger(__name__)


class CodeVerdict(enum.StrEnum):
    OK = "ok"
    MALFORMED = "malformed"  # not 6 digits: not counted as an attempt
    WRONG = "wrong"
    EXPIRED = "expired"  # past its keeping period: the item waits for staff to take it back
    USED = "used"  # the item was picked up already
    KIOSK_RESTING = "kiosk_resting"  # too many wrong codes at this kiosk
    CODE_RESTING = "code_resting"  # too many wrong ID cards for this code
    WRONG_PERSON = "wrong_person"  # the ID card is not the applicant's
    OWNER_UNKNOWN = "owner_unknown"  # the applicant cannot be checked now (hall unreachable)


@dataclass(frozen=True)
class HeldItem:
    id: str
    compartment: int
    kind: str
    case_number: str | None
    case_id: str | None
    service_item: str | None
    masked_name: str | None
    needs_id: bool
    state: str
    deposited_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class CodeCheck:
    verdict: CodeVerdict
    item: HeldItem | None = None
    wait_s: int = 0  # cooling-off left, for the *_RESTING verdicts
    tries_left: int | None = None  # wrong codes (or cards) left before the rest
    opening: Opening | None = None  # ``pickup_by_code``: the door already opened


@dataclass(frozen=True)
class CaseRef:
    """A case as the staff deposit knows it (scanned receipt QR or barcode)."""

    case_id: str | None
    case_number: str | None
    service_items: tuple[str, ...]
    masked_name: str | None = None
    person_hash: str | None = None  # the applicant, when the kiosk knows it


# Asks the hall whether a case belongs to a person: True / False, or None when it cannot say.
OwnerCheck = Callable[[str, str], bool | None]


def _held(row: LockerItem) -> HeldItem:
    return HeldItem(row.id, row.compartment, row.kind, row.case_number, row.case_id,
                    row.item_id, row.masked_name, bool(row.needs_id), row.state, row.deposited_at,
                    row.expires_at)


class LockerService:
    def __init__(self, engine: Engine, config: Config, clock: Clock, secret: bytes,
                 outbox: Outbox, alerts: Alerts, doors: DoorPort,
                 owner_check: OwnerCheck | None = None) -> None:
        self.engine, self.clock, self.secret = engine, clock, secret
        self.settings = config.locker
        self.kiosk_id = config.kiosk.id
        self.cabinet = Cabinet.from_config(config.locker, config.locker_doors)
        self.owner_check = owner_check
        self.journal = Journal(engine, doors, hall=config.hall.code, kiosk_id=config.kiosk.id,
                               clock=clock, secret=secret, outbox=outbox, alerts=alerts,
                               keeping_days=config.locker.keeping_days,
                               left_open_s=config.locker.door_open_alert_seconds)

    @property
    def actor(self) -> str:
        return f"kiosk:{self.kiosk_id}"

    # ---- pickup codes -----------------------------------------------------------------------
    def pickup_by_code(self, code: str) -> CodeCheck:
        """``check_code``, and when the code alone suffices (no ID check) the door's intent in
        the same commit, then the open command: one durable write between the code and the
        wire. Raises ``DoorFault`` / ``DoorBusy`` as ``open_pickup`` does."""
        check = self.check_code(code, open_now=True)
        if check.opening is None:
            return check
        return replace(check, opening=self.journal.open(check.opening))

    def check_code(self, code: str, *, open_now: bool = False) -> CodeCheck:
        """What a typed or scanned code opens. Every well-formed wrong code is an attempt."""
        if not well_formed(code):
            return CodeCheck(CodeVerdict.MALFORMED)
        now = utc_now(self.clock)
        s = self.settings
        with self.engine.begin() as conn:
            last_ok = conn.execute(select(func.max(LockerAttempt.at)).where(
                LockerAttempt.kiosk_id == self.kiosk_id, LockerAttempt.ok.is_(True))).scalar()
            since = now - timedelta(seconds=s.kiosk_lockout_seconds)
            start = max(since, last_ok) if last_ok is not None else since
            fails = conn.execute(select(LockerAttempt.at).where(
                LockerAttempt.kiosk_id == self.kiosk_id, LockerAttempt.ok.is_(False),
                LockerAttempt.at > start).order_by(LockerAttempt.at)).scalars().all()
            if len(fails) >= s.kiosk_max_failures:
                until = fails[-s.kiosk_max_failures] + timedelta(seconds=s.kiosk_lockout_seconds)
                return CodeCheck(CodeVerdict.KIOSK_RESTING,
                                 wait_s=max(1, int((until - now).total_seconds())))
            rows = conn.execute(select(LockerItem).where(
                LockerItem.code_hmac == code_hmac(code, self.secret),
                LockerItem.kind == "pickup").order_by(LockerItem.deposited_at.desc())).all()
            items = [LockerItem(**r._mapping) for r in rows]
            live = next((i for i in items if i.state == "held"), None)
            verdict = CodeVerdict.WRONG
            if live is not None and live.expires_at is not None and live.expires_at <= now:
                verdict = CodeVerdict.EXPIRED
            elif live is not None:
                verdict = CodeVerdict.OK
            elif any(i.state == "removed" for i in items):
                verdict = CodeVerdict.USED
            conn.execute(insert(LockerAttempt).values(kiosk_id=self.kiosk_id, at=now,
                                                      ok=verdict is CodeVerdict.OK))
            if verdict is not CodeVerdict.OK:
                left = s.kiosk_max_failures - len(fails) - 1
                return CodeCheck(verdict, tries_left=left)
            assert live is not None
            if live.code_locked_until is not None and live.code_locked_until > now:
                return CodeCheck(CodeVerdict.CODE_RESTING, wait_s=max(1, int(
                    (live.code_locked_until - now).total_seconds())))
            opening = None
            if open_now and not live.needs_id:
                opening = self.journal.begin_in(conn, live.compartment, Purpose.PICKUP,
                                                self.actor, live.id)
                if opening is None:
                    raise DoorBusy(f"door {live.compartment} is busy")
        return CodeCheck(CodeVerdict.OK, _held(live), opening=opening)

    def check_owner(self, item_id: str, person_hash: str) -> CodeCheck:
        """Whether the tapped ID card is the applicant's; wrong cards rest the code."""
        now = utc_now(self.clock)
        s = self.settings
        with self.engine.begin() as conn:
            row = LockerItem(**conn.execute(select(LockerItem).where(
                LockerItem.id == item_id)).one()._mapping)
            if row.code_locked_until is not None and row.code_locked_until > now:
                return CodeCheck(CodeVerdict.CODE_RESTING, wait_s=max(1, int(
                    (row.code_locked_until - now).total_seconds())))
            if row.person_hash is not None:
                match: bool | None = row.person_hash == person_hash
            elif self.owner_check is not None and row.case_number:
                match = self.owner_check(row.case_number, person_hash)
            else:
                match = None
            if match is None:
                return CodeCheck(CodeVerdict.OWNER_UNKNOWN)
            if match:
                conn.execute(update(LockerItem).where(LockerItem.id == item_id).values(
                    code_failures=0))
                return CodeCheck(CodeVerdict.OK, _held(row))
            failures = row.code_failures + 1
            values: dict[str, object] = {"code_failures": failures}
            if failures >= s.code_max_failures:
                values = {"code_failures": 0, "code_locked_until": now + timedelta(
                    seconds=s.code_lockout_seconds)}
            conn.execute(update(LockerItem).where(LockerItem.id == item_id).values(**values))
        if failures >= s.code_max_failures:
            return CodeCheck(CodeVerdict.CODE_RESTING, wait_s=s.code_lockout_seconds)
        return CodeCheck(CodeVerdict.WRONG_PERSON, tries_left=s.code_max_failures - failures)

    # ---- doors --------------------------------------------------------------------------------
    def open_pickup(self, item_id: str) -> Opening:
        item = self.item(item_id)
        if item.state != "held":
            raise DoorBusy(f"item of door {item.compartment} is no longer held")
        opening = self.journal.begin(item.compartment, Purpose.PICKUP, self.actor,
                                     item_id=item_id)
        return self.journal.open(opening)

    def open_removal(self, item_id: str, purpose: Purpose, staff_id: str) -> Opening:
        item = self.item(item_id)
        if item.state != "held":
            raise DoorBusy(f"item of door {item.compartment} is no longer held")
        opening = self.journal.begin(item.compartment, purpose, f"staff:{staff_id}",
                                     item_id=item_id)
        return self.journal.open(opening)

    def open_deposit(self, size: str, case: CaseRef, staff_id: str) -> Opening | None:
        """A free compartment of ``size`` (or larger) for a finished case; None when full."""
        needs_id = bool(set(case.service_items) & set(self.settings.id_check_items))
        return self._open_free(size, Purpose.DEPOSIT, f"staff:{staff_id}", dict(
            kind="pickup", case_id=case.case_id, case_number=case.case_number,
            item_id=case.service_items[0] if case.service_items else None,
            person_hash=case.person_hash, masked_name=case.masked_name, needs_id=needs_id))

    def open_dropoff(self, size: str, *, person_hash: str, masked_name: str,
                     case_id: str | None, service_item: str | None) -> Opening | None:
        return self._open_free(size, Purpose.DROPOFF, self.actor, dict(
            kind="dropoff", case_id=case_id, item_id=service_item, person_hash=person_hash,
            masked_name=masked_name))

    def _open_free(self, size: str, purpose: Purpose, actor: str,
                   new_item: dict[str, object]) -> Opening | None:
        for number in self.free_compartments(size):
            try:
                opening = self.journal.begin(number, purpose, actor, new_item=new_item)
            except DoorBusy:  # taken by another kiosk process since the query: next one
                continue
            return self.journal.open(opening)
        return None

    def free_compartments(self, size: str) -> list[int]:
        """In-service compartments of ``size`` or larger holding nothing, smallest first."""
        with self.engine.connect() as conn:
            busy = set(conn.execute(select(LockerItem.compartment).where(
                LockerItem.state.in_(("depositing", "held")))).scalars())
            busy |= set(conn.execute(select(LockerIntent.compartment).where(
                LockerIntent.state.in_(("intended", "opened")))).scalars())
            busy |= set(conn.execute(select(LockerCompartment.number).where(
                LockerCompartment.out_of_service_at.is_not(None))).scalars())
        return [c.number for c in self.cabinet.fitting(size) if c.number not in busy]

    # ---- what the cabinet holds -------------------------------------------------------------
    def item(self, item_id: str) -> HeldItem:
        with self.engine.connect() as conn:
            row = conn.execute(select(LockerItem).where(LockerItem.id == item_id)).one()
        return _held(LockerItem(**row._mapping))

    def held(self, kind: str | None = None) -> list[HeldItem]:
        q = select(LockerItem).where(LockerItem.state == "held").order_by(LockerItem.compartment)
        if kind is not None:
            q = q.where(LockerItem.kind == kind)
        with self.engine.connect() as conn:
            return [_held(LockerItem(**r._mapping)) for r in conn.execute(q)]

    def expired(self) -> list[HeldItem]:
        """Pickups past their keeping period: they stay until staff take them back."""
        now = utc_now(self.clock)
        return [i for i in self.held("pickup") if i.expires_at is not None and i.expires_at <= now]

    def out_of_service(self) -> dict[int, str]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(LockerCompartment.number, LockerCompartment.fault).where(
                LockerCompartment.out_of_service_at.is_not(None))).all()
        return {int(n): str(f or "") for n, f in rows}

    def return_to_service(self, number: int) -> None:
        """A technician fixed the door (maintenance)."""
        with self.engine.begin() as conn:
            conn.execute(update(LockerCompartment).where(LockerCompartment.number == number)
                         .values(out_of_service_at=None, fault=None,
                                 updated_at=utc_now(self.clock)))
