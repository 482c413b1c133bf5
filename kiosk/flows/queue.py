"""The queue-ticket (取号) journey as a controller: category → item → card or skip → confirm →
ticket on screen and on paper; or appointment check-in by QR code or ID card.

``QueueFlow`` owns the journey's typed state (``kiosk.flows.queue_state``) and every decision the
screens used to make: which card is acceptable (``kiosk.flows.identity``), whether an item takes
numbers now, the green channel preview, the estimate (read once per confirm entry, off the UI
thread), issuing and check-in (committed off the UI thread, a second tap ignored), and the print
state machine (idle → printing → printed | failed → reprint when the printer answers again, with
the maintenance alert raised and cleared). The views call the steps and draw ``state``. Never
imports Kivy; never reads the wall clock (the injected ``Clock`` for hall time, the caller's
monotonic seconds for the printer retry).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime

from config.schema import Config
from drivers.idcard.base import IdCard
from kiosk.catalogue import Category, ServiceItem
from kiosk.clock import Clock, local_now
from kiosk.events import DeviceHealthChanged, EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.flows.identity import CardProblem, CardVerdict, check_card
from kiosk.flows.printing import PaperWatch, PrintDesk
from kiosk.flows.queue_state import (
    ItemHours,
    Notice,
    NoticeKind,
    PrintState,
    QueueState,
    QueueStep,
)
from kiosk.i18n import Names
from kiosk.privacy import mask_name
from kiosk.queue.counter import CounterService
from kiosk.queue.errors import QueueRefusal, ServiceClosed, TicketNotToday
from kiosk.queue.service import QueueService
from kiosk.queue.tickets import IssuedTicket, QueueStatus, WaitEstimate
from kiosk.receipts.ticket import ticket_receipt
from kiosk.session import SessionKeeper

log = logging.getLogger(__name__)

HEADING_REFUSED = "暂时无法取号"
HEADING_CLOSED = "该事项现在不在办理时间"
HEADING_CHECK_IN = "无法签到"
HEADING_NOT_FOUND = "没有找到这张号票"


class QueueFlow(Flow[QueueState]):
    name = "queue"

    def __init__(self, *, bus: EventBus, worker: Worker, clock: Clock, config: Config,
                 sessions: SessionKeeper, queue: QueueService, counter: CounterService,
                 printing: PrintDesk) -> None:
        super().__init__(bus, worker, QueueState(), sessions)
        self.clock = clock
        self.config = config
        self.sessions = sessions
        self.queue = queue
        self.counter = counter
        self.catalogue = queue.catalogue
        self.printing = printing
        self.tz = queue.tz
        self._serial = 0
        self._attempt = 0  # print attempts: an answer for an older one is ignored
        self.paper = PaperWatch(printing,
                                failed=lambda: self.state.print_state is PrintState.FAILED,
                                ready=lambda: self.state.reprint_ready,
                                answered=self._reprint_ready,
                                generation=lambda: self.generation)
        self._unsubscribe.append(bus.subscribe(DeviceHealthChanged, self._health))

    # ---- what the views read ----------------------------------------------------------------
    def hall_now(self) -> datetime:
        """Local hall time by the injected clock: what the screens say matches issuing."""
        return local_now(self.clock, self.tz)

    def category(self) -> Category | None:
        code = self.state.category
        return next((c for c in self.catalogue.categories if c.code == code), None)

    def item(self) -> ServiceItem | None:
        if self.state.item is None:
            return None
        try:
            return self.catalogue.item(self.state.item)
        except KeyError:
            return None

    def item_hours(self, item: ServiceItem) -> ItemHours:
        now = self.hall_now()
        is_open = item.schedule.is_open(now)
        return ItemHours(is_open, None if is_open else item.schedule.next_opening(now), now)

    def groups(self) -> tuple[str, ...]:
        return tuple(self.config.green_channel.groups)

    # ---- category ---------------------------------------------------------------------------
    def start(self) -> None:
        """The category step: forget a half-finished choice (an ID card already tapped on home
        stays), and count who is waiting per category off the UI thread."""
        self.generation += 1  # answers for the earlier attempt go nowhere
        self._attempt += 1
        self._change(step=QueueStep.CATEGORY, category=None, item=None, waiting=None,
                     card_problem=None, estimate=None, estimating=False, issuing=False,
                     ticket=None, print_state=PrintState.IDLE, reprint_ready=False,
                     notice=None, reissued=False, opening=False)
        self._run(self._count_waiting, self._counted)

    def _count_waiting(self) -> Mapping[str, int]:
        status: QueueStatus = self.counter.status()
        return {c.code: c.waiting for c in status.categories}

    def _counted(self, outcome: Outcome[Mapping[str, int]]) -> None:
        if outcome.error is not None:
            log.warning("waiting counts unavailable: %s", type(outcome.error).__name__)
            return
        self._change(waiting=outcome.value)

    def choose_category(self, code: str) -> None:
        if not any(c.code == code for c in self.catalogue.categories):
            log.warning("no category %r in the catalogue", code)
            return
        self._change(step=QueueStep.ITEM, category=code, item=None)

    # ---- item -------------------------------------------------------------------------------
    def choose_item(self, item_id: str) -> bool:
        """True when chosen; an item closed now gets a notice saying when it opens."""
        try:
            item = self.catalogue.item(item_id)
        except KeyError:
            log.warning("no item %r in the catalogue", item_id)
            return False
        hours = self.item_hours(item)
        if not hours.open:
            closed = ServiceClosed(Names(item.name, item.name_en or item.name), hours.opens_at,
                                   hours.now)
            self._notify(NoticeKind.REFUSED, HEADING_CLOSED, refusal=closed)
            return False
        self._change(step=QueueStep.IDENTIFY, item=item_id)
        self.enter_identify()
        if self.sessions.current.card is not None:
            # the card was read already (on home, or lying on the reader): no step asks for it
            # again and no "next" follows it; a declared group stays one tap away on confirm
            self._change(step=QueueStep.CONFIRM)
        return True

    # ---- identify ---------------------------------------------------------------------------
    def enter_identify(self) -> None:
        """The card step. A card already lying on the reader counts as if laid down now."""
        session = self.sessions.current
        self._change(step=QueueStep.IDENTIFY, card_problem=None,
                     **self._who(session.card, session.declared_group))
        waiting = self.sessions.card_on_reader
        if session.card is None and waiting is not None:
            self.card_inserted(waiting)

    def _who(self, card: IdCard | None, group: str | None) -> dict[str, object]:
        try:
            reason = self.queue.priority_reason(card, group, self.hall_now().date())
        except QueueRefusal:  # a group the configuration does not list
            reason = None
        return {"masked_name": mask_name(card.name) if card else "", "declared_group": group,
                "priority_reason": reason}

    def verdict(self, card: IdCard) -> CardVerdict:
        """The one card rule, on the hall's date."""
        return check_card(card, self.hall_now().date())

    def card_inserted(self, card: IdCard) -> None:
        """At the identify step: an acceptable card joins the session (green channel by age);
        an expired or misread one is refused with the reason and a ticket stays possible."""
        session = self.sessions.current
        verdict = self.verdict(card)
        session.card = card if verdict.accepted else None
        self._change(card_problem=None if verdict.accepted else verdict,
                     **self._who(session.card, session.declared_group))

    def card_unreadable(self) -> None:
        self._change(card_problem=CardVerdict(CardProblem.UNREADABLE))

    def toggle_group(self, group: str) -> None:
        session = self.sessions.current
        if group not in self.groups():
            log.warning("green channel group %r is not configured", group)
            return
        session.declared_group = None if session.declared_group == group else group
        self._change(**self._who(session.card, session.declared_group))

    # ---- confirm ----------------------------------------------------------------------------
    def enter_confirm(self) -> None:
        """Show the summary; people ahead and the wait are read once, off the UI thread."""
        item = self.item()
        session = self.sessions.current
        self._change(step=QueueStep.CONFIRM, estimate=None, estimating=item is not None,
                     **self._who(session.card, session.declared_group))
        if item is None:
            return
        card, group = session.card, session.declared_group
        self._run(lambda: self.queue.estimate(item.id, card=card, declared_group=group),
                  self._estimated)

    def _estimated(self, outcome: Outcome[WaitEstimate]) -> None:
        if outcome.error is not None:  # an unknown group or a database fault: no estimate
            log.info("no estimate: %s", type(outcome.error).__name__)
        self._change(estimate=outcome.value, estimating=False)

    def confirm(self) -> bool:
        """确认取号: commit a ticket off the UI thread. False (nothing done) when no item is
        chosen or a commit is already running (a second tap never takes a second number)."""
        item = self.item()
        if item is None or self.state.issuing:
            return False
        session = self.sessions.current
        card, group = session.card, session.declared_group
        self._change(issuing=True)
        self._run(lambda: self.queue.issue_ticket(item.id, card=card, declared_group=group),
                  self._committed)
        return True

    def _committed(self, outcome: Outcome[IssuedTicket]) -> None:
        if isinstance(outcome.error, QueueRefusal):
            log.info("ticket refused: %s", type(outcome.error).__name__)
            heading = HEADING_CHECK_IN if self.state.step is QueueStep.APPOINTMENT \
                else HEADING_REFUSED
            self._change(issuing=False)
            self._notify(NoticeKind.REFUSED, heading, refusal=outcome.error)
            return
        if outcome.error is not None or outcome.value is None:
            log.error("taking a number failed", exc_info=outcome.error)
            self._change(issuing=False)
            self._notify(NoticeKind.FAULT, HEADING_REFUSED)
            return
        ticket = outcome.value
        log.info("ticket %s issued for %s", ticket.number, ticket.item_id)
        self._change(step=QueueStep.TICKET, issuing=False, ticket=ticket,
                     print_state=PrintState.IDLE, reprint_ready=False, reissued=False)
        self.print_ticket()

    # ---- a ticket taken earlier: shown as of now, a copy on request ---------------------------
    def show_existing(self, ticket: IssuedTicket) -> None:
        """Show a ticket the citizen already has (the daily-limit refusal's 查看并补打, or its QR
        scanned): people ahead as of now; nothing prints until 补打 is tapped."""
        self._change(step=QueueStep.TICKET, ticket=ticket, reissued=True, issuing=False,
                     opening=False, print_state=PrintState.IDLE, reprint_ready=False,
                     notice=None)

    def open_ticket(self, ticket_id: str) -> None:
        """A ticket QR scanned outside the journey (its signature already checked): look the
        ticket up off the UI thread, then show it; not today's or unknown is a notice."""
        self.generation += 1
        self._change(opening=True, notice=None)

        def done(outcome: Outcome[IssuedTicket | None]) -> None:
            if outcome.value is not None:
                self.show_existing(outcome.value)
                return
            if outcome.error is not None:
                log.error("looking up a scanned ticket failed", exc_info=outcome.error)
            self._change(opening=False)
            self._notify(NoticeKind.REFUSED, HEADING_NOT_FOUND, refusal=TicketNotToday())

        self._run(lambda: self.queue.ticket_now(ticket_id), done)

    def print_copy(self) -> bool:
        """补打: print the shown earlier ticket again, marked as a copy."""
        if not self.state.reissued or self.state.ticket is None \
                or self.state.print_state is PrintState.PRINTING:
            return False
        self.print_ticket()
        return True

    # ---- appointment check-in ------------------------------------------------------------------
    def enter_appointment(self) -> None:
        """Check-in; a card already read (or lying on the reader) checks in at once."""
        self._change(step=QueueStep.APPOINTMENT, notice=None)
        card = self.sessions.current.card or self.sessions.card_on_reader
        if card is not None:
            self.check_in(card=card)

    def check_in(self, *, code: str | None = None, card: IdCard | None = None) -> bool:
        """By scanned code or by ID card; False when ignored (not at this step, a check-in
        already running, or a card the rule refuses, which gets a notice instead)."""
        if self.state.step is not QueueStep.APPOINTMENT or self.state.issuing:
            return False
        if code is None and card is None:
            return False
        if card is not None:
            verdict = self.verdict(card)
            if not verdict.accepted:
                self._notify(NoticeKind.CARD, HEADING_CHECK_IN, card=verdict)
                return False
        self._change(issuing=True)

        def done(outcome: Outcome[IssuedTicket]) -> None:
            if outcome.value is not None and card is not None:
                self.sessions.current.card = card
            if outcome.value is not None:
                log.info("appointment checked in as %s", outcome.value.number)
            self._committed(outcome)

        self._run(lambda: self.queue.check_in_appointment(code=code, card=card), done)
        return True

    # ---- printing ---------------------------------------------------------------------------
    def print_ticket(self) -> None:
        """Print (or reprint) the shown ticket on the printer's worker."""
        ticket = self.state.ticket
        if ticket is None:
            return
        self._attempt += 1
        attempt, generation = self._attempt, self.generation
        self._change(print_state=PrintState.PRINTING, reprint_ready=False)
        receipt = ticket_receipt(ticket, self.config.hall, self.sessions.current.language,
                                 reprint=self.state.reissued)

        def done(error: BaseException | None) -> None:
            if attempt == self._attempt and generation == self.generation:
                self._printed(error)

        self.printing.print_receipt(receipt, done)

    def reprint(self) -> bool:
        if self.state.reissued and self.state.print_state is PrintState.FAILED \
                and self.state.reprint_ready:
            return self.print_copy()
        if self.state.print_state is not PrintState.FAILED or not self.state.reprint_ready:
            return False
        self.print_ticket()
        return True

    def _printed(self, error: BaseException | None) -> None:
        if error is None:
            self._change(print_state=PrintState.PRINTED)
            return
        self._change(print_state=PrintState.FAILED, reprint_ready=False)
        self.paper.ask()  # a one-off hiccup may already be over

    def _health(self, event: DeviceHealthChanged) -> None:
        if event.kind == "printer" and self.state.print_state is PrintState.FAILED:
            self.paper.ask()

    def _reprint_ready(self, usable: bool) -> None:
        self._change(reprint_ready=usable)

    def tick(self, monotonic_now: float) -> None:
        """Called by the view's timer: while failed, ask the printer every few seconds."""
        self.paper.tick(monotonic_now)

    # ---- leaving ----------------------------------------------------------------------------
    def finish(self) -> None:
        """完成 (or leaving the ticket): the citizen's business is done, the session ends."""
        if self.state.ticket is not None:
            self.sessions.end("completed")

    def _notify(self, kind: NoticeKind, heading: str, *, refusal: QueueRefusal | None = None,
                card: CardVerdict | None = None) -> None:
        self._serial += 1
        self._change(notice=Notice(kind, heading, self._serial, refusal, card))

    def reset(self) -> None:
        self._attempt += 1
        self.paper.reset()
        super().reset()
