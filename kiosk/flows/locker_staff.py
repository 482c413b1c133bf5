"""Staff at the locker (工作人员存取) as a controller: sign in with a staff card (ID card) or staff
QR plus a PIN, then deposit a finished case (scan its receipt QR or barcode, choose the size, a
free compartment opens, door closed with the item inside = deposited: the hall server notifies
the applicant's pickup code), empty night drop-off compartments, take back items past their
keeping period — each confirmed by the door and item sensors.

Sign-in checks, the case lookup, the door journal: all in ``kiosk.lockers`` on the worker. The
staff id is the actor in the audit log. Never imports Kivy; never logs a PIN, a card or a QR.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from dataclasses import dataclass

from drivers.idcard.base import IdCard
from kiosk.events import EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.i18n import N_
from kiosk.lockers.cases import CaseDirectory
from kiosk.lockers.codes import minutes_left
from kiosk.lockers.journal import DoorBusy, DoorFault, Opening, Purpose, Settled, Settlement
from kiosk.lockers.service import CaseRef, HeldItem, LockerService
from kiosk.lockers.staff import StaffCheck, StaffDesk, StaffVerdict
from kiosk.privacy import id_hash
from kiosk.session import SessionKeeper

log = logging.getLogger(__name__)

DOOR_POLL_S = 0.5
PIN_MAX = 12


class StaffStep(enum.StrEnum):
    SIGN_IN = "sign_in"  # staff card or staff QR
    PIN = "pin"
    MENU = "menu"  # 存件 / 取回投递件 / 取回逾期件
    SCAN = "scan"  # the case's receipt QR or barcode, then the size
    LIST = "list"  # drop-offs to empty or expired items to take back: tap one
    OPENING = "opening"
    DOOR_OPEN = "door_open"
    RESULT = "result"


@dataclass(frozen=True)
class StaffNotice:
    heading: str  # msgid
    message: str  # msgid
    serial: int
    minutes: int = 0
    tries_left: int = -1


@dataclass(frozen=True)
class StaffState:
    step: StaffStep = StaffStep.SIGN_IN
    staff_id: str | None = None
    pin_length: int = 0  # the PIN itself is never in the state
    busy: bool = False
    notice: StaffNotice | None = None
    case: CaseRef | None = None
    size: str = "S"
    task: str = ""  # "deposit" | "empty" | "take_back"
    items: tuple[HeldItem, ...] = ()
    faults: tuple[tuple[int, str, bool], ...] = ()  # (door, fault, holds something) out of service
    compartment: int | None = None
    result: Settled | None = None
    door_fault: bool = False


class StaffFlow(Flow[StaffState]):
    name = "locker_staff"

    def __init__(self, *, bus: EventBus, worker: Worker, sessions: SessionKeeper,
                 service: LockerService, desk: StaffDesk, cases: CaseDirectory,
                 secret: Callable[[], bytes]) -> None:
        super().__init__(bus, worker, StaffState(), sessions)
        self.service, self.desk, self.cases, self._secret = service, desk, cases, secret
        self._pin = ""
        self._candidate: str | None = None  # the staff id the card or QR named
        self._opening: Opening | None = None
        self._last_poll = 0.0
        self._polling = False
        self._serial = 0

    # ---- sign in ------------------------------------------------------------------------------
    def start(self) -> None:
        self._pin, self._candidate, self._opening = "", None, None
        self.generation += 1
        self._change(step=StaffStep.SIGN_IN, staff_id=None, pin_length=0, busy=False,
                     notice=None, case=None, items=(), compartment=None, result=None,
                     door_fault=False, task="")

    def card_inserted(self, card: IdCard) -> bool:
        if self.state.step is not StaffStep.SIGN_IN:
            return False
        card_hash = id_hash(card.id_number, self._secret())
        self._run(lambda: self.desk.find(card_hash=card_hash), self._found)
        return True

    def code_scanned(self, text: str) -> bool:
        if self.state.step is StaffStep.SIGN_IN:
            self._run(lambda: self.desk.find(qr_text=text), self._found)
            return True
        if self.state.step is StaffStep.SCAN:
            self._change(busy=True)
            self._run(lambda: self.cases.lookup(text), self._case_found)
            return True
        return False

    def _found(self, outcome: Outcome[str | None]) -> None:
        if outcome.error is not None or outcome.value is None:
            self._notice(N_("不是工作人员卡"), N_("请使用已登记的工作人员卡或工作人员二维码"))
            return
        self._candidate = outcome.value
        self._pin = ""
        self._change(step=StaffStep.PIN, pin_length=0)

    def press(self, digit: str) -> None:
        if self.state.step is StaffStep.PIN and not self.state.busy and digit.isdigit() \
                and len(self._pin) < PIN_MAX:
            self._pin += digit
            self._change(pin_length=len(self._pin))

    def backspace(self) -> None:
        self._pin = self._pin[:-1]
        self._change(pin_length=len(self._pin))

    def submit_pin(self) -> None:
        if self.state.step is not StaffStep.PIN or self.state.busy or self._candidate is None:
            return
        staff_id, pin = self._candidate, self._pin
        self._pin = ""
        self._change(busy=True, pin_length=0)
        self._run(lambda: self.desk.sign_in(staff_id, pin), self._signed_in)

    def _signed_in(self, outcome: Outcome[StaffCheck]) -> None:
        self._change(busy=False)
        check = outcome.value
        if outcome.error is not None or check is None:
            self._notice(N_("暂时无法登录"), N_("请稍后再试"))
            return
        if check.verdict is StaffVerdict.OK:
            log.info("locker: staff signed in")
            self._change(step=StaffStep.MENU, staff_id=check.staff_id)
        elif check.verdict is StaffVerdict.RESTING:
            self._notice(N_("密码错误次数过多"), N_("请 {minutes} 分钟后再试"),
                         minutes=minutes_left(check.wait_s))
        else:
            self._notice(N_("密码不正确"),
                N_("还可以再试 {n} 次"), tries_left=check.tries_left or 0)

    # ---- tasks --------------------------------------------------------------------------------
    def choose_deposit(self) -> None:
        if self.state.staff_id:
            self._change(step=StaffStep.SCAN, task="deposit", case=None, result=None)

    def choose_empty(self) -> None:
        self._list("empty", lambda: tuple(self.service.held("dropoff")))

    def choose_take_back(self) -> None:
        self._list("take_back", lambda: tuple(self.service.expired()))

    def choose_faults(self) -> None:
        """Doors out of service and whether each holds something (flagged, never lost)."""
        if not self.state.staff_id:
            return
        self._change(step=StaffStep.LIST, task="faults", items=(), faults=(), busy=True,
                     result=None)
        self._run(self._faults, lambda o: self._change(busy=False, faults=o.value or ()))

    def _faults(self) -> tuple[tuple[int, str, bool], ...]:
        held = {i.compartment for i in self.service.held()}
        return tuple((door, fault, door in held)
                     for door, fault in sorted(self.service.out_of_service().items()))

    def _list(self, task: str, job: Callable[[], tuple[HeldItem, ...]]) -> None:
        if not self.state.staff_id:
            return
        self._change(step=StaffStep.LIST, task=task, items=(), busy=True, result=None)
        self._run(job, lambda o: self._change(busy=False, items=o.value or ()))

    def _case_found(self, outcome: Outcome[CaseRef | None]) -> None:
        self._change(busy=False)
        if outcome.error is not None or outcome.value is None:
            self._notice(N_("无法识别该办件"), N_("请扫描办件回执二维码或办件编号条码"))
            return
        self._change(case=outcome.value)

    def choose_size(self, size: str) -> None:
        if size in ("S", "M", "L"):
            self._change(size=size)

    def deposit(self) -> None:
        s = self.state
        if s.step is not StaffStep.SCAN or s.case is None or s.staff_id is None or s.busy:
            return
        case, size, staff = s.case, s.size, s.staff_id
        self._open(lambda: self.service.open_deposit(size, case, staff))

    def open_item(self, item_id: str) -> None:
        s = self.state
        if s.step is not StaffStep.LIST or s.staff_id is None or s.busy or s.task == "faults":
            return
        purpose = Purpose.EMPTY if s.task == "empty" else Purpose.TAKE_BACK
        staff = s.staff_id
        self._open(lambda: self.service.open_removal(item_id, purpose, staff))

    def back_to_menu(self) -> None:
        if self.state.staff_id and self.state.step is not StaffStep.DOOR_OPEN:
            self._change(step=StaffStep.MENU, case=None, items=(), result=None,
                         door_fault=False)

    # ---- the door -----------------------------------------------------------------------------
    def _open(self, job: Callable[[], Opening | None]) -> None:
        self._change(step=StaffStep.OPENING, busy=True, door_fault=False)
        self._run(job, self._opened)

    def _opened(self, outcome: Outcome[Opening | None]) -> None:
        self._change(busy=False)
        if isinstance(outcome.error, DoorFault):
            self._change(step=StaffStep.RESULT, door_fault=True,
                         compartment=outcome.error.number)
            return
        if isinstance(outcome.error, DoorBusy) or outcome.error is not None:
            self._change(step=StaffStep.MENU)
            self._notice(N_("柜门暂时无法打开"), N_("请稍后再试"))
            return
        if outcome.value is None:
            self._change(step=StaffStep.MENU)
            self._notice(N_("没有空闲的柜格"), N_("请选择其他尺寸，或先取回逾期物品"))
            return
        self._opening = outcome.value
        self._last_poll = float("-inf")  # the first tick reads the new door at once
        self._change(step=StaffStep.DOOR_OPEN, compartment=outcome.value.compartment)

    def tick(self, monotonic_now: float) -> None:
        if self.state.step is not StaffStep.DOOR_OPEN or self._opening is None:
            return
        if self._polling or monotonic_now - self._last_poll < DOOR_POLL_S:
            return
        self._polling, self._last_poll = True, monotonic_now
        intent = self._opening.intent_id
        self._run(lambda: self.service.journal.poll(intent), self._polled)

    def _polled(self, outcome: Outcome[Settlement]) -> None:
        self._polling = False
        if outcome.error is not None or outcome.value is None:
            return
        if outcome.value.result is not Settled.PENDING:
            self._change(step=StaffStep.RESULT, result=outcome.value.result)

    def _notice(self, heading: str, message: str, *, minutes: int = 0,
                tries_left: int = -1) -> None:
        self._serial += 1
        self._change(notice=StaffNotice(heading, message, self._serial, minutes, tries_left))

    def reset(self) -> None:
        self._pin, self._candidate, self._opening = "", None, None
        super().reset()
