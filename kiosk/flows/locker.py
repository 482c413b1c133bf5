"""The citizen's locker journeys as a controller: 取件 (pickup: 6-digit code typed or scanned, the
applicant's ID card where the item needs it, the door opens, door closed and compartment empty
completes) and 夜间投递 (night drop-off: ID card, the case by receipt QR or a catalogue item, a
size, a free compartment opens, door closed with something inside = received, receipt).

Every decision is the core's (``kiosk.lockers``): codes and their limits, which door, the door
journal; this flow keeps the typed state the screens draw, runs each blocking call on the
worker, polls the open door (``tick``) until it closes, raises the door-left-open alert, and
prints the slip. Every entry of the menu finishes whatever a power cut or an ended session left
half done (``LockerService.journal.recover``). Never imports Kivy; never logs a code, a name or
an ID number; the typed digits live only in the state, wiped with the session.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from drivers.idcard.base import IdCard
from kiosk.clock import Clock, local_now
from kiosk.events import EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.flows.identity import check_card
from kiosk.flows.locker_state import LockerNotice, LockerResult, LockerState, LockerStep
from kiosk.flows.printing import PrintDesk
from kiosk.i18n import N_
from kiosk.lockers.codes import CODE_DIGITS, minutes_left
from kiosk.lockers.journal import DoorBusy, DoorFault, Opening, Settled, Settlement
from kiosk.lockers.service import CodeCheck, CodeVerdict, HeldItem, LockerService
from kiosk.privacy import id_hash, mask_name
from kiosk.receipts.locker import dropoff_receipt, pickup_receipt
from kiosk.session import SessionKeeper
from kiosk.tokens import case_from_token

log = logging.getLogger(__name__)

DOOR_POLL_S = 0.5  # how often the open door is read while the citizen is at it
_DIGITS = re.compile(r"(?<!\d)(\d{6})(?!\d)")

# (heading, message) msgids per refusal; {n} tries left, {minutes} cooling-off in words
REFUSALS: dict[CodeVerdict, tuple[str, str]] = {
    CodeVerdict.MALFORMED: (N_("请输入 6 位取件码"), N_("取件码在取件通知短信中")),
    CodeVerdict.WRONG: (N_("取件码不正确"), N_("请核对取件通知短信中的取件码，还可以再试 {n} 次")),
    CodeVerdict.EXPIRED: (
        N_("取件码已过期"), N_("物品仍在柜中，由工作人员收回。请在工作时间携带身份证到服务台领取")),
    CodeVerdict.USED: (N_("该取件码已经使用"),
        N_("物品已经取出。如有疑问，请在工作时间联系服务台")),
    CodeVerdict.KIOSK_RESTING: (
        N_("输入错误次数过多"), N_("为保护您的物品，取件暂停，请 {minutes} 分钟后再试")),
    CodeVerdict.CODE_RESTING: (N_("该取件码已暂时锁定"),
        N_("身份证多次不符，请 {minutes} 分钟后再试")),
    CodeVerdict.WRONG_PERSON: (
        N_("身份证与收件人不符"), N_("该物品须由本人凭身份证领取，还可以再试 {n} 次")),
    CodeVerdict.OWNER_UNKNOWN: (N_("暂时无法核验身份"), N_("请在工作时间携带身份证到服务台领取")),
}


class LockerFlow(Flow[LockerState]):
    name = "locker"

    def __init__(self, *, bus: EventBus, worker: Worker, clock: Clock, sessions: SessionKeeper,
                 service: LockerService, printing: PrintDesk, secret: Callable[[], bytes],
                 hall_names: tuple[str, str], tz: Any, door_alert_s: float) -> None:
        super().__init__(bus, worker, LockerState(), sessions)
        self.clock, self.sessions, self.service = clock, sessions, service
        self.printing, self._secret = printing, secret
        self.hall_names, self.tz, self.door_alert_s = hall_names, tz, door_alert_s
        self._serial = 0
        self._item: HeldItem | None = None  # the item a right code named
        self._person: str | None = None  # the depositor's hash (drop-off)
        self._opening: Opening | None = None
        self._opened_at: float | None = None  # monotonic
        self._last_poll = 0.0
        self._polling = False

    # ---- entry --------------------------------------------------------------------------------
    def start(self) -> None:
        """The locker menu: forget a half-finished journey; after a start, settle the journal."""
        self._forget()
        self._change(step=LockerStep.MENU, journey="", digits="", busy=False, notice=None,
                     compartment=None, result=None, left_open=False, masked_name="",
                     case_label="", service_item=None, case_id=None)
        # Every entry settles what a power cut or an ended session left open (cheap: usually
        # no open intent at all); doors are only read, never opened again.
        self._run(self.service.journal.recover, self._after_recovery)

    def _after_recovery(self, outcome: Outcome[list[Settlement]]) -> None:
        if outcome.error is not None:
            log.warning("locker: recovery postponed (%s)", type(outcome.error).__name__)
            return
        self._change(recovered=True)

    def choose_pickup(self) -> None:
        self._forget()
        self._change(step=LockerStep.CODE, journey="pickup", digits="", notice=None)

    def choose_dropoff(self) -> None:
        self._forget()
        self._change(step=LockerStep.IDENTIFY, journey="dropoff", notice=None)

    # ---- the keypad ---------------------------------------------------------------------------
    def press(self, digit: str) -> None:
        if self.state.busy or len(self.state.digits) >= CODE_DIGITS or not digit.isdigit():
            return
        self._change(digits=self.state.digits + digit)

    def backspace(self) -> None:
        if not self.state.busy:
            self._change(digits=self.state.digits[:-1])

    def clear(self) -> None:
        if not self.state.busy:
            self._change(digits="")

    def submit_code(self) -> None:
        if self.state.busy or self.state.step is not LockerStep.CODE:
            return
        code = self.state.digits
        self._change(busy=True)
        self._run(lambda: self.service.pickup_by_code(code), self._code_checked)

    def code_scanned(self, text: str) -> bool:
        """The notification's QR (a URL or text holding the 6 digits), or a receipt QR in the
        drop-off's choice step. True when the flow used it."""
        if self.state.step is LockerStep.CODE:
            found = _DIGITS.findall(text)
            if len(found) != 1:
                self._notice(N_("无法识别该二维码"),
                    N_("请扫描取件通知中的二维码，或直接输入 6 位取件码"))
                return True
            self._change(digits=found[0])
            self.submit_code()
            return True
        if self.state.step is LockerStep.CHOOSE:
            token = text.rstrip("/").rsplit("/", 1)[-1]
            case_id = case_from_token(token, self._secret())
            if case_id is None:
                self._notice(N_("无法识别该回执"),
                    N_("请扫描自助申报回执上的二维码，或选择办理事项"))
            else:
                self._change(case_id=case_id, service_item=None, case_label=case_id[:8])
            return True
        return False

    def _code_checked(self, outcome: Outcome[CodeCheck]) -> None:
        self._change(busy=False)
        if isinstance(outcome.error, DoorFault | DoorBusy):
            self._change(digits="")
            self._opened(Outcome(error=outcome.error))
            return
        if outcome.error is not None:
            self._fault(outcome.error)
            return
        check = outcome.value
        assert check is not None
        if check.opening is not None:  # the code alone opens it: the door is already open
            self._item = check.item
            label = check.item.case_number if check.item is not None else None
            self._change(digits="", case_label=label or "")
            self._opened(Outcome(value=check.opening))
            return
        if check.verdict is not CodeVerdict.OK:
            self._change(digits="")
            self._refuse(check)
            return
        assert check.item is not None
        self._item = check.item
        self._change(digits="", case_label=check.item.case_number or "")
        if check.item.needs_id:
            self._change(step=LockerStep.IDENTIFY)
        else:
            self._open(lambda: self.service.open_pickup(check.item.id))  # type: ignore[union-attr]

    # ---- ID card ------------------------------------------------------------------------------
    def card_inserted(self, card: IdCard) -> bool:
        if self.state.step is not LockerStep.IDENTIFY or self.state.busy:
            return False
        verdict = check_card(card, local_now(self.clock, self.tz).date())
        if not verdict.accepted:
            self._notice(N_("无法使用该身份证"), N_("请使用本人有效的居民身份证"))
            return True
        person = id_hash(card.id_number, self._secret())
        masked = mask_name(card.name)
        if self.state.journey == "dropoff":
            self._person = person
            self._change(step=LockerStep.CHOOSE, masked_name=masked)
            return True
        item = self._item
        if item is None:
            return False
        self._change(busy=True, masked_name=masked)
        self._run(lambda: self.service.check_owner(item.id, person), self._owner_checked)
        return True

    def _owner_checked(self, outcome: Outcome[CodeCheck]) -> None:
        self._change(busy=False)
        if outcome.error is not None:
            self._fault(outcome.error)
            return
        check = outcome.value
        assert check is not None and self._item is not None
        if check.verdict is not CodeVerdict.OK:
            self._refuse(check)
            return
        item_id = self._item.id
        self._open(lambda: self.service.open_pickup(item_id))

    # ---- drop-off choice ----------------------------------------------------------------------
    def choose_item(self, service_item: str, label: str) -> None:
        if self.state.step is LockerStep.CHOOSE:
            self._change(service_item=service_item, case_id=None, case_label=label)

    def choose_size(self, size: str) -> None:
        if self.state.step is LockerStep.CHOOSE and size in ("S", "M", "L"):
            self._change(size=size)

    def deposit(self) -> None:
        """Open a free compartment of the chosen size for the drop-off."""
        s = self.state
        if s.step is not LockerStep.CHOOSE or s.busy or self._person is None:
            return
        if s.case_id is None and s.service_item is None:
            self._notice(N_("请先选择办件"), N_("扫描申报回执二维码，或在下方选择办理事项"))
            return
        person, masked = self._person, s.masked_name
        self._open(lambda: self.service.open_dropoff(
            s.size, person_hash=person, masked_name=masked, case_id=s.case_id,
            service_item=s.service_item))

    # ---- the door -----------------------------------------------------------------------------
    def _open(self, job: Callable[[], Opening | None]) -> None:
        self._change(step=LockerStep.OPENING, busy=True)
        self._run(job, self._opened)

    def _opened(self, outcome: Outcome[Opening | None]) -> None:
        self._change(busy=False)
        if isinstance(outcome.error, DoorFault):
            self._change(step=LockerStep.RESULT, result=LockerResult.DOOR_FAULT,
                         compartment=outcome.error.number)
            return
        if isinstance(outcome.error, DoorBusy):
            self._change(step=LockerStep.MENU)
            self._notice(N_("柜门正在使用中"), N_("请稍后再试"))
            return
        if outcome.error is not None:
            self._fault(outcome.error)
            return
        if outcome.value is None:
            self._change(step=LockerStep.RESULT, result=LockerResult.FULL)
            return
        self._opening = outcome.value
        self._last_poll = float("-inf")  # the first tick reads the new door at once
        self._opened_at = None  # set by the next tick (monotonic time comes from the view)
        self._change(step=LockerStep.DOOR_OPEN, compartment=outcome.value.compartment,
                     left_open=False)

    def tick(self, monotonic_now: float) -> None:
        """While the door is open: read it every DOOR_POLL_S; alert once when left open."""
        if self.state.step is not LockerStep.DOOR_OPEN or self._opening is None:
            return
        if self._opened_at is None:
            self._opened_at = monotonic_now
        if (not self.state.left_open
                and monotonic_now - self._opened_at >= self.door_alert_s):
            number = self._opening.compartment
            self._change(left_open=True)
            self._run(lambda: self.service.journal.left_open(number), lambda _o: None)
        if self._polling or monotonic_now - self._last_poll < DOOR_POLL_S:
            return
        self._polling, self._last_poll = True, monotonic_now
        intent = self._opening.intent_id
        self._run(lambda: self.service.journal.poll(intent), self._polled)

    def _polled(self, outcome: Outcome[Settlement]) -> None:
        self._polling = False
        if outcome.error is not None:
            log.warning("locker: door unreadable (%s)", type(outcome.error).__name__)
            return
        settled = outcome.value
        assert settled is not None
        if settled.result is Settled.PENDING:
            return
        result = {Settled.COMPLETED: (LockerResult.PICKED_UP if self.state.journey == "pickup"
                                      else LockerResult.RECEIVED),
                  Settled.NOT_TAKEN: LockerResult.NOT_TAKEN,
                  Settled.NOTHING_PUT: LockerResult.NOTHING_PUT,
                  Settled.ROLLED_BACK: LockerResult.NOTHING_PUT}[settled.result]
        self._change(step=LockerStep.RESULT, result=result)
        if result in (LockerResult.PICKED_UP, LockerResult.RECEIVED):
            self._print(result)

    def _print(self, result: LockerResult) -> None:
        if not self.printing.fitted:
            return
        lang = self.sessions.current.language
        s, now = self.state, local_now(self.clock, self.tz)
        assert s.compartment is not None
        receipt = (pickup_receipt(self.hall_names, s.compartment, s.case_label, now, lang)
                   if result is LockerResult.PICKED_UP else
                   dropoff_receipt(self.hall_names, s.compartment, s.case_label, s.masked_name,
                                   now, lang))
        self.printing.print_receipt(receipt, lambda _e: None)

    # ---- helpers ------------------------------------------------------------------------------
    def _refuse(self, check: CodeCheck) -> None:
        heading, message = REFUSALS[check.verdict]
        self._notice(heading, message, minutes=minutes_left(check.wait_s) if check.wait_s else 0,
                     tries_left=-1 if check.tries_left is None else check.tries_left)

    def _notice(self, heading: str, message: str, *, minutes: int = 0,
                tries_left: int = -1) -> None:
        self._serial += 1
        self._change(notice=LockerNotice(heading, message, self._serial, minutes, tries_left))

    def _fault(self, error: BaseException) -> None:
        log.error("locker: %s", type(error).__name__, exc_info=error)
        self._change(step=LockerStep.MENU, busy=False)
        self._notice(N_("文件柜暂时无法使用"), N_("请稍后再试，或在工作时间联系服务台"))

    def _forget(self) -> None:
        self.generation += 1
        self._item = self._person = self._opening = None
        self._opened_at, self._polling = None, False

    def reset(self) -> None:
        self._forget()
        super().reset()
