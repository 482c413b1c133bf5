"""The queue-ticket journey as a controller, without Kivy: each path step by step with a
``ManualClock``, a real SQLite hall database and the simulated printer behind the real device
manager. Delivery is synchronous (``call_now``); slow work runs inline unless a test needs a
real worker thread (the double tap)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from drivers.base import Fault
from drivers.printer.simulated import SimulatedPrinter
from kiosk.alerts import Alerts
from kiosk.devices import DeviceManager
from kiosk.events import EventBus, call_now
from kiosk.flows.base import FlowChanged, InlineWorker, Worker
from kiosk.flows.identity import CardProblem
from kiosk.flows.printing import PrintDesk
from kiosk.flows.queue import QueueFlow
from kiosk.flows.queue_state import NoticeKind, PrintState, QueueState, QueueStep
from kiosk.queue import (
    AppointmentNotFound,
    AppointmentTooEarly,
    AppointmentTooLate,
    DailyCapacityReached,
    PersonalLimitReached,
    ServiceClosed,
)
from kiosk.session import SessionKeeper
from kiosk.storage.models import Ticket
from tests.core.conftest import make_card

ITEM = "unemployment-registration"  # 失业登记, social, weekdays 09:00-12:00 and 13:30-17:00
VALID_ID = "11010519491231002X"
BAD_CHECK_DIGIT = "110105194912310021"


class Hall:
    """A flow wired like the app's, with handles on everything a test looks at."""

    def __init__(self, flow: QueueFlow, bus: EventBus, sessions: SessionKeeper,
                 printer: SimulatedPrinter, alerts: Alerts, engine: object) -> None:
        self.flow, self.bus, self.sessions = flow, bus, sessions
        self.printer, self.alerts, self.engine = printer, alerts, engine
        self.changes: list[str] = []
        bus.subscribe(FlowChanged, lambda e: self.changes.append(e.step))

    @property
    def state(self) -> QueueState:
        return self.flow.state

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
        """Device jobs finish on their own threads: wait for an answer with a deadline."""
        arrived = threading.Event()
        unsubscribe = self.bus.subscribe(FlowChanged, lambda _e: arrived.set())
        try:
            deadline = threading.Event()
            timer = threading.Timer(timeout, deadline.set)
            timer.start()
            while not condition():
                if deadline.is_set():
                    raise AssertionError(f"timed out waiting for {what}; state {self.state}")
                arrived.wait(0.05)
                arrived.clear()
            timer.cancel()
        finally:
            unsubscribe()

    def tickets(self) -> int:
        with self.engine.connect() as conn:  # type: ignore[attr-defined]
            return int(conn.execute(select(func.count()).select_from(Ticket)).scalar_one())

    def to_confirm(self, item: str = ITEM) -> None:
        self.flow.start()
        self.flow.choose_category("social")
        assert self.flow.choose_item(item)
        self.flow.enter_confirm()


@pytest.fixture
def make_hall(engine, make_service, make_counter, config, clock, tmp_path: Path
              ) -> Iterator[Callable[..., Hall]]:
    managers: list[DeviceManager] = []
    flows: list[QueueFlow] = []

    def build(worker: Worker | None = None, printer: bool = True) -> Hall:
        bus = EventBus(call_now)
        printer_dev = SimulatedPrinter(tmp_path / "printouts", previews=False)
        manager = DeviceManager({"printer": printer_dev} if printer else {}, bus,
                                health_s=60.0)
        manager.start()
        managers.append(manager)
        sessions = SessionKeeper(bus)
        alerts = Alerts(engine, "K01", clock)
        flow = QueueFlow(bus=bus, worker=worker or InlineWorker(call_now), clock=clock,
                         config=config, sessions=sessions, queue=make_service(engine),
                         counter=make_counter(engine),
                         printing=PrintDesk(manager, alerts, call_now))
        flows.append(flow)
        return Hall(flow, bus, sessions, printer_dev, alerts, engine)

    yield build
    for flow in flows:
        flow.close()
    for manager in managers:
        manager.stop()


@pytest.fixture
def hall(make_hall) -> Hall:
    return make_hall()


# ---- identify ----------------------------------------------------------------------------------
def test_a_valid_card_is_accepted_and_an_elderly_one_gets_the_green_channel(hall: Hall) -> None:
    """Given the identify step, when a valid card of a 45-year-old is tapped, then it joins the
    session with the masked name and no green channel; a card born in 1950 gets 'elderly'."""
    hall.flow.start()
    hall.flow.choose_category("social")
    assert hall.flow.choose_item(ITEM)
    assert hall.state.step is QueueStep.IDENTIFY
    card = make_card()
    hall.flow.card_inserted(card)
    assert hall.sessions.current.card is card
    assert (hall.state.card_problem, hall.state.masked_name) == (None, "张*")
    assert hall.state.priority_reason is None
    old = make_card(birth=date(1950, 1, 1))
    hall.flow.card_inserted(old)
    assert hall.state.priority_reason == "elderly"


def test_a_card_with_a_bad_check_digit_is_refused(hall: Hall) -> None:
    """Given the identify step, when a card whose ID number failed the reader's check-digit
    test is tapped, then it is not kept and the state says why."""
    from dataclasses import replace

    card = replace(make_card(id_number=BAD_CHECK_DIGIT), id_number_valid=False)
    problem = CardProblem.BAD_CHECK_DIGIT
    hall.flow.start()
    hall.flow.choose_category("social")
    hall.flow.choose_item(ITEM)
    hall.flow.card_inserted(card)
    assert hall.sessions.current.card is None
    assert hall.state.card_problem is not None and hall.state.card_problem.problem is problem


def test_a_card_expires_by_the_injected_clock(hall: Hall, clock) -> None:
    """Given a card valid until 2026-01-05 (the hall's today), when tapped today it is accepted;
    when the hall's clock moves to the next day, the same card is refused as expired with its
    date (the wall clock plays no part)."""
    from dataclasses import replace

    card = replace(make_card(), valid_until=date(2026, 1, 5))
    hall.flow.start()
    hall.flow.choose_category("social")
    hall.flow.choose_item(ITEM)
    hall.flow.card_inserted(card)
    assert hall.state.card_problem is None
    clock.advance(timedelta(days=1))
    hall.flow.card_inserted(card)
    verdict = hall.state.card_problem
    assert verdict is not None and verdict.problem is CardProblem.EXPIRED
    assert verdict.until_text == "2026-01-05"
    assert hall.sessions.current.card is None


def test_declared_group_toggles_and_the_confirm_step_reads_the_estimate_once(hall: Hall,
                                                                            monkeypatch) -> None:
    """Given two regular tickets waiting, when 孕妇 is toggled on, off and on, then the green
    channel follows it; on entering confirm the estimate is read once (0 ahead as a priority
    ticket) and redrawing (a language switch) reads nothing more."""
    queue = hall.flow.queue
    for _ in range(2):
        queue.issue_ticket(ITEM)
    calls: list[str] = []
    real = queue.estimate
    monkeypatch.setattr(queue, "estimate", lambda *a, **k: calls.append("x") or real(*a, **k))
    hall.flow.start()
    hall.flow.choose_category("social")
    hall.flow.choose_item(ITEM)
    for _ in range(3):
        hall.flow.toggle_group("pregnant")
    assert (hall.state.declared_group, hall.state.priority_reason) == ("pregnant", "pregnant")
    hall.flow.enter_confirm()
    assert hall.state.estimate is not None and hall.state.estimate.people_ahead == 0
    assert calls == ["x"]
    hall.flow.toggle_group("pregnant")  # back to regular: nothing is read until re-entry
    assert calls == ["x"]
    hall.flow.enter_confirm()
    assert hall.state.estimate is not None and hall.state.estimate.people_ahead == 2


# ---- issue and print -------------------------------------------------------------------------
def test_issue_commits_then_prints_and_the_session_end_wipes_everything(hall: Hall) -> None:
    """Given the confirm step, when 确认取号, then A001 is committed, the state moves to the
    ticket and the printer prints it; when the session ends, the flow forgets it all."""
    hall.sessions.current.card = make_card()
    hall.to_confirm()
    assert hall.flow.confirm()
    assert hall.tickets() == 1
    assert hall.state.step is QueueStep.TICKET and hall.state.ticket is not None
    assert hall.state.ticket.number == "A001" and hall.state.ticket.masked_name == "张*"
    hall.wait(lambda: hall.state.print_state is PrintState.PRINTED, "the print")
    assert hall.printer.jobs == 1
    assert "ticket" in hall.changes
    hall.flow.finish()
    assert hall.state == QueueState()
    assert hall.sessions.current.card is None


@pytest.mark.parametrize("refusal", ["closed", "capacity", "personal"])
def test_every_refusal_is_a_notice_and_takes_no_number(hall: Hall, clock, catalogue, config,
                                                       engine, make_service, refusal) -> None:
    """Given the confirm step, when the item closes (12:01), its daily capacity is used up, or
    the card holder reached the daily limit, then 确认取号 leaves a refusal notice and the
    step unchanged, with no new ticket."""
    card = make_card()
    if refusal == "closed":
        clock.set(clock.now().replace(hour=11, minute=59))
        hall.to_confirm()
        clock.set(clock.now().replace(hour=12, minute=1))
        expected: type = ServiceClosed
    elif refusal == "capacity":
        from dataclasses import replace

        small = replace(catalogue, items=tuple(
            replace(i, daily_capacity=1) if i.id == ITEM else i for i in catalogue.items))
        hall.flow.queue.catalogue = small
        hall.flow.queue.issue_ticket(ITEM)
        hall.to_confirm()
        expected = DailyCapacityReached
    else:
        limit = catalogue.item(ITEM).per_person_daily_limit or \
            catalogue.category("social").per_person_daily_limit
        for _ in range(limit):
            hall.flow.queue.issue_ticket(ITEM, card=card)
        hall.sessions.current.card = card
        hall.to_confirm()
        expected = PersonalLimitReached
    before = hall.tickets()
    assert hall.flow.confirm()
    notice = hall.state.notice
    assert notice is not None and notice.kind is NoticeKind.REFUSED
    assert isinstance(notice.refusal, expected)
    assert (hall.state.step, hall.state.issuing, hall.state.ticket) == (
        QueueStep.CONFIRM, False, None)
    assert hall.tickets() == before


def test_a_closed_item_cannot_be_chosen_and_says_when_it_opens(hall: Hall, clock) -> None:
    """Given lunchtime (12:30), when 失业登记 is chosen, then it is refused with 13:30 in both
    languages (each with the item's own name) and the step stays on the items."""
    clock.set(clock.now().replace(hour=12, minute=30))
    hall.flow.start()
    hall.flow.choose_category("social")
    item = hall.flow.catalogue.item(ITEM)
    hours = hall.flow.item_hours(item)
    assert not hours.open and hours.opens_at is not None and hours.opens_at.hour == 13
    assert not hall.flow.choose_item(ITEM)
    notice = hall.state.notice
    assert notice is not None and notice.refusal is not None
    assert "13:30" in notice.refusal.message("zh") and item.name in notice.refusal.message("zh")
    assert "opens today at 13:30" in notice.refusal.message("en")
    assert hall.state.step is QueueStep.ITEM


def test_a_system_fault_is_a_fault_notice_not_a_ticket(hall: Hall, monkeypatch) -> None:
    """Given the database failing, when 确认取号, then a fault notice (the error page)."""
    hall.to_confirm()

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk I/O error")

    monkeypatch.setattr(hall.flow.queue, "issue_ticket", broken)
    hall.flow.confirm()
    assert hall.state.notice is not None and hall.state.notice.kind is NoticeKind.FAULT
    assert hall.state.ticket is None and not hall.state.issuing


def test_a_double_tap_takes_one_number(make_hall, config) -> None:
    """Given a slow database and a real worker thread, when 确认取号 is tapped twice before the
    commit returns, then the second tap is refused and exactly one ticket exists."""
    worker = Worker(call_now)
    hall = make_hall(worker=worker)
    hall.to_confirm()
    hall.wait(lambda: hall.state.estimate is not None, "the estimate")
    release = threading.Event()
    real = hall.flow.queue.issue_ticket

    def slow(*args: object, **kwargs: object) -> object:
        release.wait(5)
        return real(*args, **kwargs)

    hall.flow.queue.issue_ticket = slow  # type: ignore[method-assign]
    try:
        assert hall.flow.confirm()
        assert hall.state.issuing
        assert not hall.flow.confirm()
        release.set()
        hall.wait(lambda: hall.state.ticket is not None, "the ticket")
    finally:
        worker.stop()
    assert hall.tickets() == 1 and hall.state.ticket.number == "A001"


def test_paper_out_then_back_reprints_and_clears_the_alert(hall: Hall) -> None:
    """Given the printer out of paper, when a ticket is taken, then it is committed, the print
    fails, reprint is off and one paper-out alert is open; a second failure adds none; when
    the paper is back, the retry finds it, reprint turns on, prints, and the alert clears."""
    hall.printer.inject(Fault.PAPER_OUT)
    hall.to_confirm()
    hall.flow.confirm()
    hall.wait(lambda: hall.state.print_state is PrintState.FAILED, "the failed print")
    assert hall.tickets() == 1 and hall.printer.jobs == 0
    assert not hall.state.reprint_ready and not hall.flow.reprint()
    assert [a.kind for a in hall.alerts.open()] == ["printer.paper_out"]
    hall.flow.tick(100.0)  # the retry timer starts
    hall.flow.tick(100.0 + 5.0)  # asks the printer: still out
    hall.wait(lambda: not hall.flow.paper.asking, "the paper answer")
    assert not hall.state.reprint_ready
    hall.printer.clear(Fault.PAPER_OUT)
    hall.flow.tick(110.0)
    hall.wait(lambda: hall.state.reprint_ready, "reprint offered")
    assert hall.flow.reprint()
    hall.wait(lambda: hall.state.print_state is PrintState.PRINTED, "the reprint")
    assert hall.printer.jobs == 1
    assert hall.alerts.open() == []


def test_no_printer_fitted_fails_the_print_and_raises_offline(make_hall) -> None:
    """Given a kiosk without a printer, when a ticket is taken, then it stays on screen as
    failed, with a printer.offline alert."""
    hall = make_hall(printer=False)
    hall.to_confirm()
    hall.flow.confirm()
    assert hall.state.print_state is PrintState.FAILED and hall.state.ticket is not None
    assert [a.kind for a in hall.alerts.open()] == ["printer.offline"]


# ---- appointment check-in -----------------------------------------------------------------------
@pytest.fixture
def booked(hall: Hall, clock, tmp_path: Path) -> Hall:
    day = clock.now().date().isoformat()
    csv = tmp_path / "appointments.csv"
    csv.write_text(
        "code,item_id,date,start,end,id_number,name,window\n"
        f"OK{day},{ITEM},{day},10:00,10:30,,王小明,\n"
        f"CARD{day},{ITEM},{day},10:30,11:00,{VALID_ID},张三,\n", encoding="utf-8")
    assert hall.flow.queue.import_appointments(csv).added == 2
    hall.flow.start()
    hall.flow.enter_appointment()
    return hall


def test_check_in_by_code_gives_a_priority_ticket(booked: Hall, clock) -> None:
    """Given the 10:00 appointment and the clock at 10:05, when its code is scanned, then a
    priority ticket with the code is committed and printed."""
    clock.set(clock.now().replace(minute=5))
    assert booked.flow.check_in(code=f"OK{clock.now().date().isoformat()}")
    ticket = booked.state.ticket
    assert ticket is not None and ticket.priority_reason == "appointment"
    assert ticket.masked_name == "王*明" and booked.state.step is QueueStep.TICKET
    booked.wait(lambda: booked.state.print_state is PrintState.PRINTED, "the print")


def test_check_in_by_card_too_early_too_late_and_expired(booked: Hall, clock) -> None:
    """Given the 10:30-11:00 appointment booked with a card, when the card is tapped at 09:00 it
    is too early, at 12:00 too late (both with a notice, no ticket), an expired copy of the
    card is refused by the card rule, and at 10:40 the card checks in."""
    from dataclasses import replace

    card = make_card(id_number=VALID_ID)
    clock.set(clock.now().replace(hour=9, minute=0))
    booked.flow.check_in(card=card)
    assert isinstance(booked.state.notice.refusal, AppointmentTooEarly)
    clock.set(clock.now().replace(hour=12, minute=0))
    booked.flow.check_in(card=card)
    assert isinstance(booked.state.notice.refusal, AppointmentTooLate)
    expired = replace(card, valid_until=date(2020, 1, 1))
    assert not booked.flow.check_in(card=expired)
    notice = booked.state.notice
    assert notice.kind is NoticeKind.CARD and notice.card.problem is CardProblem.EXPIRED
    booked.flow.check_in(code="NO-SUCH-CODE")
    assert isinstance(booked.state.notice.refusal, AppointmentNotFound)
    assert booked.tickets() == 0
    clock.set(clock.now().replace(hour=10, minute=40))
    assert booked.flow.check_in(card=card)
    assert booked.state.ticket is not None and booked.sessions.current.card is card


def test_scans_outside_the_check_in_step_are_ignored(hall: Hall, clock) -> None:
    """Given the category step, when a code arrives, then nothing is checked in."""
    hall.flow.start()
    assert not hall.flow.check_in(code="OK")
    assert hall.state.notice is None and hall.tickets() == 0


def test_a_late_answer_for_an_ended_session_is_dropped(make_hall) -> None:
    """Given a commit running on a worker, when the session ends before it returns, then the
    new citizen's flow never shows the old ticket."""
    worker = Worker(call_now)
    hall = make_hall(worker=worker)
    hall.to_confirm()
    hall.wait(lambda: hall.state.estimate is not None, "the estimate")
    release, done = threading.Event(), threading.Event()
    real = hall.flow.queue.issue_ticket

    def slow(*args: object, **kwargs: object) -> object:
        release.wait(5)
        try:
            return real(*args, **kwargs)
        finally:
            done.set()

    hall.flow.queue.issue_ticket = slow  # type: ignore[method-assign]
    try:
        hall.flow.confirm()
        hall.sessions.end("timeout")
        release.set()
        assert done.wait(5)
        worker.stop(wait=True)  # the answer has been handed back (and dropped) by now
    finally:
        release.set()
    assert hall.state == QueueState()
