"""The service guide (办事指南) as a controller, without Kivy: category → items → page, the walk
through a bundle's items and back, opening from another flow and returning there, and the slip
printed through the real device manager and the simulated printer (paper out, retry, no
printer, a second tap, a session that ends mid-print). Delivery is synchronous (``call_now``)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from drivers.base import Fault
from drivers.printer.base import PaperStatus
from drivers.printer.simulated import SimulatedPrinter
from kiosk.alerts import Alerts
from kiosk.devices import DeviceManager
from kiosk.events import EventBus, call_now
from kiosk.flows.base import FlowChanged, InlineWorker
from kiosk.flows.guide import GuideFlow
from kiosk.flows.guide_state import GuideState, GuideStep, SlipProblem, SlipState
from kiosk.flows.printing import PaperWatch, PrintDesk
from kiosk.session import SessionKeeper
from tests.core.conftest import make_card


class Desk:
    """A guide wired like the app's, with handles on what a test looks at."""

    def __init__(self, flow: GuideFlow, bus: EventBus, sessions: SessionKeeper,
                 printer: SimulatedPrinter, alerts: Alerts) -> None:
        self.flow, self.bus, self.sessions, self.printer, self.alerts = (
            flow, bus, sessions, printer, alerts)
        self.steps: list[str] = []
        bus.subscribe(FlowChanged, lambda e: self.steps.append(e.step))

    @property
    def state(self) -> GuideState:
        return self.flow.state

    def wait(self, condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
        """Printer jobs finish on the printer's thread: wait for the answer with a deadline."""
        arrived = threading.Event()
        unsubscribe = self.bus.subscribe(FlowChanged, lambda _e: arrived.set())
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.start()
        try:
            while not condition():
                if deadline.is_set():
                    raise AssertionError(f"timed out waiting for {what}; state {self.state}")
                arrived.wait(0.05)
                arrived.clear()
        finally:
            timer.cancel()
            unsubscribe()


@pytest.fixture
def make_desk(engine, config, catalogue, clock, tmp_path: Path) -> Iterator[Callable[..., Desk]]:
    managers: list[DeviceManager] = []
    flows: list[GuideFlow] = []

    def build(printer: bool = True, print_seconds: float = 0.0) -> Desk:
        bus = EventBus(call_now)
        device = SimulatedPrinter(tmp_path / "printouts", print_seconds=print_seconds)
        manager = DeviceManager({"printer": device} if printer else {}, bus, health_s=60.0)
        manager.start()
        managers.append(manager)
        sessions = SessionKeeper(bus)
        alerts = Alerts(engine, "K01", clock)
        flow = GuideFlow(bus=bus, worker=InlineWorker(call_now), clock=clock,
                         tz=clock.now().tzinfo, config=config, sessions=sessions,
                         catalogue=catalogue, printing=PrintDesk(manager, alerts, call_now))
        flows.append(flow)
        return Desk(flow, bus, sessions, device, alerts)

    yield build
    for flow in flows:
        flow.close()
    for manager in managers:
        manager.stop()


@pytest.fixture
def desk(make_desk) -> Desk:
    return make_desk()


# ---- finding an item ---------------------------------------------------------------------------
def test_category_items_letter_and_page(desk: Desk) -> None:
    """Given the guide, when 社会民生 is chosen, then its items are listed; letter S keeps only
    items starting with S (失业登记 but not 就业登记) and S again clears it; choosing an item
    shows its page, and each change was published."""
    flow = desk.flow
    flow.start()
    assert desk.state.step is GuideStep.CATEGORY
    assert flow.choose_category("social")
    assert desk.state.step is GuideStep.ITEMS
    everything = [i.id for i in flow.items()]
    assert "unemployment-registration" in everything and "business-licence" not in everything
    assert "S" in flow.letters()
    flow.tap_letter("s")
    shown = [i.id for i in flow.items()]
    assert "unemployment-registration" in shown and "employment-registration" not in shown
    flow.tap_letter("S")
    assert [i.id for i in flow.items()] == everything
    assert flow.choose_item("unemployment-registration")
    assert (desk.state.step, desk.state.item) == (GuideStep.ITEM, "unemployment-registration")
    page = flow.page("zh")
    assert page is not None and page.title == "失业登记"
    assert desk.steps[:3] == ["category", "items", "items"]


def test_unknown_category_or_item_changes_nothing(desk: Desk) -> None:
    desk.flow.start()
    before = desk.state
    assert not desk.flow.choose_category("tax")
    assert not desk.flow.choose_item("no-such-item")
    assert not desk.flow.open("no-such-item", return_to="queue_confirm")
    assert desk.state == before


def test_bundle_walk_and_back_to_the_flow_it_was_opened_from(desk: Desk) -> None:
    """Given the guide opened from the queue's confirm screen on 企业开办一件事, when the
    citizen follows its member 印章刻制备案 and then that item's bundle link back, then Back
    walks the trail back page by page and finally returns 'queue_confirm' (forgotten after)."""
    flow = desk.flow
    assert flow.open("bundle-start-business", return_to="queue_confirm")
    assert (desk.state.step, desk.state.category) == (GuideStep.ITEM, "business")
    bundle = flow.page("zh")
    assert bundle is not None and bundle.is_bundle
    assert [m.id for m in bundle.members] == ["business-licence", "seal-engraving",
                                               "bank-account-preopening",
                                               "social-insurance-enrolment",
                                               "housing-fund-account"]
    assert flow.follow("seal-engraving")
    seal = flow.page("zh")
    assert seal is not None and [b.id for b in seal.part_of] == ["bundle-start-business"]
    assert not flow.follow("seal-engraving")  # the page shown is not a link away
    assert flow.follow("bundle-start-business")
    assert desk.state.trail == ("bundle-start-business", "seal-engraving")
    assert flow.back() is None and desk.state.item == "seal-engraving"
    assert flow.back() is None and desk.state.item == "bundle-start-business"
    assert flow.back() == "queue_confirm"
    assert desk.state.return_to is None and desk.state.item is None


def test_back_from_a_page_chosen_in_the_list_leads_to_the_list(desk: Desk) -> None:
    desk.flow.start()
    desk.flow.choose_category("construction")
    desk.flow.choose_item("property-transfer")
    assert desk.flow.back() is None
    assert (desk.state.step, desk.state.category) == (GuideStep.ITEMS, "construction")


def test_session_end_takes_the_guide_back_to_its_start(desk: Desk) -> None:
    desk.flow.open("property-transfer", return_to="queue_confirm")
    desk.sessions.end("timeout")
    assert desk.state == GuideState()


# ---- the slip ----------------------------------------------------------------------------------
def test_print_slip_prints_the_checklist_and_nothing_personal(desk: Desk) -> None:
    """Given a citizen whose ID card was read, when 打印材料清单 is tapped on 失业登记, then one
    slip is printed with every material as a checklist line and the guide's QR, and neither the
    name nor the ID number is on it."""
    desk.sessions.current.card = make_card()
    desk.flow.open("unemployment-registration")
    assert desk.flow.can_print
    assert desk.flow.print_slip()
    desk.wait(lambda: desk.state.slip is SlipState.PRINTED, "the slip")
    assert desk.printer.jobs == 1
    data = desk.printer.last_bin_path.read_bytes()
    assert "□ 居民身份证 原件 1份 · 每份2页".encode("gb18030") in data
    assert "□ 解除或终止劳动合同证明 复印件 1份".encode("gb18030") in data
    assert b"https://hall.example.gov.cn/guide/unemployment-registration" in data
    for personal in ("张三", "11010519491231002X", "张*"):
        assert personal.encode("gb18030") not in data
    assert desk.alerts.open() == []


def test_a_second_tap_while_printing_prints_one_slip(make_desk) -> None:
    desk = make_desk(print_seconds=0.3)
    desk.flow.open("property-transfer")
    assert desk.flow.print_slip()
    assert desk.state.slip is SlipState.PRINTING
    assert not desk.flow.print_slip()
    desk.wait(lambda: desk.state.slip is SlipState.PRINTED, "the slip")
    assert desk.printer.jobs == 1


def test_paper_out_says_so_then_prints_again_when_paper_is_back(desk: Desk) -> None:
    """Given the printer out of paper, when the slip is printed, then it fails as paper out with
    one alert and print-again off; once the retry finds paper, print again works and the alert
    clears."""
    desk.printer.inject(Fault.PAPER_OUT)
    desk.flow.open("real-estate-registration")
    desk.flow.print_slip()
    desk.wait(lambda: desk.state.slip is SlipState.FAILED, "the failed slip")
    desk.wait(lambda: not desk.flow.paper.asking, "the first paper answer")
    assert desk.state.slip_problem is SlipProblem.PAPER_OUT and not desk.state.reprint_ready
    assert [a.kind for a in desk.alerts.open()] == ["printer.paper_out"]
    desk.flow.tick(100.0)  # the retry timer starts
    desk.flow.tick(105.0)  # asks: still out
    desk.wait(lambda: not desk.flow.paper.asking, "the paper answer")
    assert not desk.state.reprint_ready
    desk.printer.clear(Fault.PAPER_OUT)
    desk.flow.tick(110.0)
    desk.wait(lambda: desk.state.reprint_ready, "print again offered")
    assert desk.flow.print_slip()
    desk.wait(lambda: desk.state.slip is SlipState.PRINTED, "the slip")
    assert desk.printer.jobs == 1 and desk.alerts.open() == []


def test_no_printer_fitted_fails_as_offline(make_desk) -> None:
    desk = make_desk(printer=False)
    desk.flow.open("property-transfer")
    assert not desk.flow.can_print
    desk.flow.print_slip()
    assert (desk.state.slip, desk.state.slip_problem) == (SlipState.FAILED, SlipProblem.OFFLINE)


def test_a_slip_answer_after_the_session_ended_is_dropped(make_desk) -> None:
    """Given a slip printing, when the session ends before the printer answers, then the
    answer changes nothing: the next citizen finds the guide at its start."""
    desk = make_desk(print_seconds=0.3)
    answered = threading.Event()

    def dispatch(fn: Callable[[], None]) -> None:
        fn()
        answered.set()

    desk.flow.printing.dispatch = dispatch
    desk.flow.open("property-transfer")
    desk.flow.print_slip()
    desk.sessions.end("timeout")
    assert answered.wait(5.0), "the printer never answered"
    assert desk.printer.jobs == 1
    assert desk.state == GuideState()


def test_moving_to_another_item_forgets_the_last_slip(desk: Desk) -> None:
    desk.flow.open("property-transfer")
    desk.flow.print_slip()
    desk.wait(lambda: desk.state.slip is SlipState.PRINTED, "the slip")
    desk.flow.open("real-estate-registration")
    assert desk.state.slip is SlipState.IDLE


def test_a_paper_answer_back_before_the_question_returns_is_not_lost() -> None:
    """Given a printer desk that answers on the asking thread (a synchronous dispatch and a
    quick printer), when the paper is asked, then the answer is delivered and no question is
    left "out" (seen: the flag set after the answer, so the watch never asked again)."""
    class AnswersAtOnce:
        def ask_paper(self, done: Callable[[PaperStatus], None]) -> bool:
            done(PaperStatus.OK)
            return True

    answers: list[bool] = []
    watch = PaperWatch(AnswersAtOnce(), failed=lambda: True,  # type: ignore[arg-type]
                       ready=lambda: False, answered=answers.append, generation=lambda: 0)
    watch.ask()
    assert answers == [True] and not watch.asking
