"""The door journal: every door opening recorded before the command and after it, settled when
the door closes, and finished or rolled back after a power cut — never opened twice.

Each step is one committed transaction:

1. ``begin``: the intent (``intended``), with the item being deposited if any (``depositing``);
   the partial unique indexes refuse a second live item or a second open intent per door.
2. the open command (outside any transaction).
3. ``opened`` (the board confirmed the latch) or ``failed`` (jammed / silent board: the door goes
   out of service, its content flagged to staff, an alert raised; a deposit that never opened
   is cancelled).
4. ``settle`` when the door is closed: by the infrared sensor where fitted, the pickup / deposit
   / take-back is completed or the intent closed with "nothing taken" / "nothing put in". The
   record, its outbox message and the audit row are one transaction.

``recover`` runs at start: an ``intended`` intent whose door is open was carried out (recorded
``opened``); one whose door is closed is settled by the infrared sensor, or rolled back where
the board has none (the command is never re-sent: the citizen asks again and a NEW opening is
journaled). An ``opened`` intent whose door is closed is settled. Never logs codes or personal
data; the audit names the actor (kiosk, staff id) and the door.
"""

from __future__ import annotations

import enum
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from drivers.base import DeviceError
from drivers.locker.base import DoorJammed, DoorState
from kiosk.alerts import AlertNote, Alerts
from kiosk.clock import Clock, utc_now
from kiosk.lockers.codes import code_hmac, derive_code
from kiosk.lockers.doors import DoorPort
from kiosk.outbox import Outbox
from kiosk.storage.models import AuditEntry, LockerCompartment, LockerIntent, LockerItem

log = logging.getLogger(__name__)

DOOR_FAULT_ALERT = "locker.door_fault"
DOOR_OPEN_ALERT = "locker.door_open"
VERIFY_ALERT = "locker.verify"


class Purpose(enum.StrEnum):
    DEPOSIT = "deposit"  # staff put a finished case in for its applicant
    DROPOFF = "dropoff"  # a citizen puts documents in for staff (night drop-off)
    PICKUP = "pickup"  # the applicant takes the case out
    TAKE_BACK = "take_back"  # staff take back an item past its keeping period
    EMPTY = "empty"  # staff empty a drop-off compartment


PUTS_IN = (Purpose.DEPOSIT, Purpose.DROPOFF)


class Settled(enum.StrEnum):
    COMPLETED = "completed"  # the step happened (taken out / put in)
    NOT_TAKEN = "not_taken"  # door closed with the item still inside: still held, code works
    NOTHING_PUT = "nothing_put"  # door closed on an empty compartment: nothing was received
    ROLLED_BACK = "rolled_back"  # after a power cut: the door never opened (or cannot tell)
    PENDING = "pending"  # the door is still open (or the board cannot be read now)


class DoorBusy(Exception):
    """Another opening of this door is under way, or it holds something already."""


class DoorFault(Exception):
    """The door did not open or the board did not answer: now out of service."""

    def __init__(self, number: int, jammed: bool) -> None:
        super().__init__(f"door {number} {'jammed' if jammed else 'did not answer'}")
        self.number, self.jammed = number, jammed


@dataclass(frozen=True)
class Opening:
    intent_id: int
    compartment: int
    item_id: str | None
    purpose: Purpose


@dataclass(frozen=True)
class Settlement:
    intent_id: int
    compartment: int
    purpose: Purpose
    result: Settled
    item_id: str | None


class Journal:
    """Door openings with intent and outcome in the kiosk database."""

    def __init__(self, engine: Engine, doors: DoorPort, *, hall: str, kiosk_id: str,
                 clock: Clock, secret: bytes, outbox: Outbox, alerts: Alerts,
                 keeping_days: int, left_open_s: float = 0.0) -> None:
        self.engine, self.doors = engine, doors
        self.hall, self.kiosk_id, self.clock = hall, kiosk_id, clock
        self.secret, self.outbox, self.alerts = secret, outbox, alerts
        self.keeping_days = keeping_days
        self.left_open_s = left_open_s  # a door open longer than this at recovery is alerted

    # ---- 1. intent --------------------------------------------------------------------------
    def begin(self, number: int, purpose: Purpose, actor: str, *, item_id: str | None = None,
              new_item: dict[str, Any] | None = None) -> Opening:
        """Record the intent (and a new item being deposited) before any command is sent."""
        now = utc_now(self.clock)
        try:
            with self.engine.begin() as conn:
                if new_item is not None:
                    item_id = self._new_item_id(conn) if purpose is Purpose.DEPOSIT \
                        else str(uuid.uuid4())
                    conn.execute(insert(LockerItem).values({
                        "needs_id": False, **new_item, "id": item_id, "compartment": number,
                        "state": "depositing", "deposited_at": now, "deposited_by": actor,
                        "code_failures": 0}))
                intent = conn.execute(insert(LockerIntent).values(
                    compartment=number, purpose=purpose.value, item_id=item_id, actor=actor,
                    state="intended", created_at=now)).inserted_primary_key[0]  # type: ignore
        except IntegrityError:
            raise DoorBusy(f"door {number} is busy or holds an item") from None
        log.info("locker: door %s intended for %s", number, purpose.value)
        return Opening(int(intent), number, item_id, purpose)

    def begin_in(self, conn: Connection, number: int, purpose: Purpose, actor: str,
                 item_id: str) -> Opening | None:
        """The intent of opening an item's door, inside the caller's transaction (one commit
        for the code check and the intent); None when the door is busy."""
        try:
            with conn.begin_nested():
                intent = conn.execute(insert(LockerIntent).values(
                    compartment=number, purpose=purpose.value, item_id=item_id, actor=actor,
                    state="intended", created_at=utc_now(self.clock))).inserted_primary_key[0]
        except IntegrityError:
            return None
        log.info("locker: door %s intended for %s", number, purpose.value)
        return Opening(int(intent), number, item_id, purpose)  # type: ignore[arg-type]

    def _new_item_id(self, conn: Connection) -> str:
        """An item id whose derived pickup code clashes with no live code of this kiosk."""
        for _ in range(50):
            item_id = str(uuid.uuid4())
            digest = code_hmac(derive_code(self.secret, item_id), self.secret)
            clash = conn.execute(select(LockerItem.id).where(
                LockerItem.code_hmac == digest,
                LockerItem.state.in_(("depositing", "held")))).first()
            if clash is None:
                return item_id
        raise DoorBusy("no free pickup code: the cabinet holds far too many live codes")

    # ---- 2 + 3. the command and its outcome -------------------------------------------------
    def open(self, opening: Opening) -> Opening:
        """Send the open command; record ``opened`` or ``failed`` (raising ``DoorFault``)."""
        try:
            self.doors.open(opening.compartment)
        except DoorJammed as exc:
            self._failed(opening, "jammed", str(exc))
            raise DoorFault(opening.compartment, jammed=True) from None
        except DeviceError as exc:
            self._failed(opening, "no_answer", str(exc))
            raise DoorFault(opening.compartment, jammed=False) from None
        self._opened(opening.intent_id, opening.compartment, opening.purpose)
        return opening

    def _opened(self, intent_id: int, number: int, purpose: str) -> None:
        now = utc_now(self.clock)
        with self.engine.begin() as conn:
            conn.execute(update(LockerIntent).where(
                LockerIntent.id == intent_id, LockerIntent.state == "intended").values(
                state="opened", opened_at=now))
            self._audit(conn, "door.opened", number, {"purpose": purpose}, now)
        log.info("locker: door %s opened", number)

    def _failed(self, opening: Opening, why: str, detail: str) -> None:
        now = utc_now(self.clock)
        with self.engine.begin() as conn:
            conn.execute(update(LockerIntent).where(LockerIntent.id == opening.intent_id).values(
                state="failed", finished_at=now, outcome=why))
            if opening.purpose in PUTS_IN and opening.item_id:
                conn.execute(update(LockerItem).where(
                    LockerItem.id == opening.item_id, LockerItem.state == "depositing").values(
                    state="cancelled", removed_at=now, removal="door_fault"))
            self._out_of_service(conn, opening.compartment, f"{why}: {detail}"[:500], now)
            self._audit(conn, "door.failed", opening.compartment,
                        {"purpose": opening.purpose.value, "why": why}, now)
        log.warning("locker: door %s out of service (%s)", opening.compartment, why)
        self.alerts.raise_(AlertNote(
            DOOR_FAULT_ALERT, f"locker door {opening.compartment}: {why}; out of service, check "
            f"its latch and wiring (its content is flagged for staff)",
            f"文件柜 {opening.compartment} 号柜门故障，已停用，请检查并处理柜内物品"))

    def _out_of_service(self, conn: Connection, number: int, fault: str, now: datetime) -> None:
        row = conn.execute(select(LockerCompartment.number).where(
            LockerCompartment.number == number)).first()
        values = dict(out_of_service_at=now, fault=fault, updated_at=now)
        if row is None:
            conn.execute(insert(LockerCompartment).values(number=number, **values))
        else:
            conn.execute(update(LockerCompartment).where(
                LockerCompartment.number == number).values(**values))

    # ---- 4. settle ----------------------------------------------------------------------------
    def poll(self, intent_id: int) -> Settlement:
        """Read the door of an opened intent; settle it when closed (PENDING while open)."""
        intent = self._intent(intent_id)
        if intent.state != "opened":
            return self._recorded(intent)
        state = self.doors.state(intent.compartment)
        if state.is_open:
            return self._settlement(intent, Settled.PENDING)
        return self.settle(intent_id, state)

    def settle(self, intent_id: int, door: DoorState) -> Settlement:
        """The door is closed: complete the step by what the compartment holds. Idempotent."""
        now = utc_now(self.clock)
        with self.engine.begin() as conn:
            intent = self._intent(intent_id, conn)
            if intent.state not in ("opened", "intended"):
                return self._recorded(intent)
            purpose = Purpose(intent.purpose)
            present = door.item_present
            if purpose in PUTS_IN:
                result = Settled.NOTHING_PUT if present is False else Settled.COMPLETED
            else:
                result = Settled.NOT_TAKEN if present is True else Settled.COMPLETED
            self._apply(conn, intent, purpose, result, now)
            conn.execute(update(LockerIntent).where(LockerIntent.id == intent_id).values(
                state="done", finished_at=now, outcome=result.value))
        if self._no_door_open():
            self.alerts.clear([DOOR_OPEN_ALERT])
        log.info("locker: door %s closed, %s %s", intent.compartment, purpose.value, result.value)
        return self._settlement(intent, result)

    def _apply(self, conn: Connection, intent: LockerIntent, purpose: Purpose, result: Settled,
               now: datetime) -> None:
        item = conn.execute(select(LockerItem).where(LockerItem.id == intent.item_id)).first() \
            if intent.item_id else None
        detail: dict[str, Any] = {"purpose": purpose.value, "result": result.value}
        if item is not None:
            detail["case"] = item.case_number or item.case_id
        self._audit(conn, f"{purpose.value}.{result.value}", intent.compartment, detail, now,
                    actor=intent.actor)
        if item is None or result is Settled.NOT_TAKEN:
            return
        if item.state != ("depositing" if purpose in PUTS_IN else "held"):
            log.warning("locker: door %s settled for an item no longer %s", intent.compartment,
                        "being deposited" if purpose in PUTS_IN else "held")
            return
        if result is Settled.NOTHING_PUT:
            conn.execute(update(LockerItem).where(LockerItem.id == item.id).values(
                state="cancelled", removed_at=now, removal="nothing_put"))
            return
        if purpose in PUTS_IN:
            values: dict[str, Any] = {"state": "held"}
            if purpose is Purpose.DEPOSIT:
                values["code_hmac"] = code_hmac(derive_code(self.secret, item.id), self.secret)
                values["expires_at"] = now + timedelta(days=self.keeping_days)
            conn.execute(update(LockerItem).where(LockerItem.id == item.id).values(**values))
            kind = "locker.deposited" if purpose is Purpose.DEPOSIT else "locker.dropped_off"
            self._event(conn, kind, intent, item, now, expires_at=values.get("expires_at"))
            return
        removal = {Purpose.PICKUP: "picked_up", Purpose.TAKE_BACK: "taken_back",
                   Purpose.EMPTY: "emptied"}[purpose]
        conn.execute(update(LockerItem).where(LockerItem.id == item.id).values(
            state="removed", removed_at=now, removed_by=intent.actor, removal=removal))
        self._event(conn, f"locker.{removal}", intent, item, now)

    def _event(self, conn: Connection, kind: str, intent: LockerIntent, item: Any, now: datetime,
               expires_at: datetime | None = None) -> None:
        """The hall's record, in the same transaction. Carries the item id (from which the hall
        derives the pickup code), never the code; no name or ID number (only what the hall
        already has: the case)."""
        payload: dict[str, object] = {
            "event_id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{intent.id}:{item.id}:{kind}")),
            "hall": self.hall, "kiosk": self.kiosk_id, "compartment": intent.compartment,
            "case_id": item.case_id, "at": now.isoformat(), "item": item.id,
            "item_kind": item.kind, "service_item": item.item_id, "actor": intent.actor}
        if expires_at is not None:
            payload["expires_at"] = expires_at.isoformat()
        self.outbox.add(conn, f"locker:{item.id}:{intent.id}:{kind}", kind, payload, now)

    # ---- after a power cut ------------------------------------------------------------------
    def open_intents(self) -> list[LockerIntent]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(LockerIntent).where(
                LockerIntent.state.in_(("intended", "opened"))).order_by(LockerIntent.id)).all()
        return [LockerIntent(**r._mapping) for r in rows]

    def recover(self) -> list[Settlement]:
        """Finish or roll back every step a restart found half done; doors are only read."""
        out: list[Settlement] = []
        for intent in self.open_intents():
            try:
                door = self.doors.state(intent.compartment)
            except DeviceError as exc:
                log.warning("locker: door %s unreadable at recovery (%s); retried later",
                            intent.compartment, type(exc).__name__)
                out.append(self._settlement(intent, Settled.PENDING))
                continue
            if door.is_open:
                if intent.state == "intended":  # the command ran before the power went
                    self._opened(intent.id, intent.compartment, intent.purpose)
                since = intent.opened_at or intent.created_at
                if (utc_now(self.clock) - since).total_seconds() >= self.left_open_s:
                    self.alerts.raise_(self._open_note(intent.compartment))
                out.append(self._settlement(intent, Settled.PENDING))
            elif intent.state == "opened" or door.item_present is not None:
                out.append(self.settle(intent.id, door))
            else:
                out.append(self._roll_back(intent))
        return out

    def _roll_back(self, intent: LockerIntent) -> Settlement:
        """No sensor can tell whether the door opened: nothing changes hands, never re-sent."""
        now = utc_now(self.clock)
        with self.engine.begin() as conn:
            conn.execute(update(LockerIntent).where(LockerIntent.id == intent.id).values(
                state="rolled_back", finished_at=now, outcome="not_opened"))
            if Purpose(intent.purpose) in PUTS_IN and intent.item_id:
                conn.execute(update(LockerItem).where(
                    LockerItem.id == intent.item_id, LockerItem.state == "depositing").values(
                    state="cancelled", removed_at=now, removal="power_cut"))
            # nothing tells what the compartment holds now: out of service until staff look
            self._out_of_service(conn, intent.compartment, "verify content after a power cut",
                                 now)
            self._audit(conn, "door.rolled_back", intent.compartment,
                        {"purpose": intent.purpose}, now, actor=intent.actor)
        self.alerts.raise_(AlertNote(
            VERIFY_ALERT, f"locker door {intent.compartment}: a power cut interrupted an opening "
            f"and the board has no item sensor; check the compartment's content",
            f"文件柜 {intent.compartment} 号柜门开启时断电，请核对柜内物品"))
        return self._settlement(intent, Settled.ROLLED_BACK)

    def left_open(self, number: int) -> None:
        """The door stayed open too long: an on-screen and logged alert for staff."""
        log.warning("locker: door %s left open", number)
        self.alerts.raise_(self._open_note(number))

    def _open_note(self, number: int) -> AlertNote:
        return AlertNote(DOOR_OPEN_ALERT, f"locker door {number} left open",
                         f"文件柜 {number} 号柜门未关闭")

    def _no_door_open(self) -> bool:
        return not any(i.state == "opened" for i in self.open_intents())

    # ---- helpers ------------------------------------------------------------------------------
    def _intent(self, intent_id: int, conn: Connection | None = None) -> LockerIntent:
        q = select(LockerIntent).where(LockerIntent.id == intent_id)
        if conn is None:
            with self.engine.connect() as c:
                row = c.execute(q).one()
        else:
            row = conn.execute(q).one()
        return LockerIntent(**row._mapping)

    def _recorded(self, intent: LockerIntent) -> Settlement:
        outcome = intent.outcome or ""
        result = Settled(outcome) if outcome in Settled.__members__.values() else (
            Settled.ROLLED_BACK if intent.state in ("rolled_back", "failed") else Settled.PENDING)
        return self._settlement(intent, result)

    def _settlement(self, intent: LockerIntent, result: Settled) -> Settlement:
        return Settlement(intent.id, intent.compartment, Purpose(intent.purpose), result,
                          intent.item_id)

    def _audit(self, conn: Connection, action: str, number: int, detail: dict[str, Any],
               now: datetime, actor: str | None = None) -> None:
        conn.execute(insert(AuditEntry).values(
            at=now, hall=self.hall, actor=actor or f"kiosk:{self.kiosk_id}", action=action,
            subject=f"locker:door:{number}", detail=detail))
