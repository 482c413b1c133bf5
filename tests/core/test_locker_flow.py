"""The locker journeys as a controller, without Kivy: pickup by typed and scanned code, the
applicant's card for a certificate, the door's outcomes (taken, not taken, left open, jammed),
night drop-off with its slip, refusals with cooling-off in words; on a ``ManualClock`` with the
simulated cabinet and the real device manager's simulated printer."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from drivers.printer.simulated import SimulatedPrinter
from kiosk.alerts import Alerts
from kiosk.devices import DeviceManager
from kiosk.events import EventBus, call_now
from kiosk.flows.base import InlineWorker
from kiosk.flows.locker import LockerFlow
from kiosk.flows.locker_state import LockerResult, LockerState, LockerStep
from kiosk.flows.printing import PrintDesk
from kiosk.lockers.codes import derive_code
from kiosk.lockers.journal import DOOR_OPEN_ALERT
from kiosk.privacy import id_hash
from kiosk.session import SessionKeeper
from kiosk.tokens import case_token
from tests.core.conftest import SECRET, SHANGHAI, make_card
from tests.core.locker_fixtures import CASE, LICENCE, Cabinet, make_cabinet

OWNER = make_card()
STRANGER = make_card(id_number="110105194912310038", name="王五")


class Desk:
    def __init__(self, flow: LockerFlow, cab: Cabinet, printer: SimulatedPrinter) -> None:
        self.flow, self.cab, self.printer = flow, cab, printer
        self.t = 1000.0

    @property
    def state(self) -> LockerState:
        return self.flow.state

    def type(self, code: str) -> None:
        for digit in code:
            self.flow.press(digit)
        self.flow.submit_code()

    def door(self, seconds: float = 0.6) -> None:
        """Let the view's tick run (monotonic seconds move on; the door is read)."""
        self.t += seconds
        self.flow.tick(self.t)

    def wait_printed(self, jobs: int) -> None:
        done = threading.Event()
        for _ in range(100):
            if self.printer.jobs >= jobs:
                return
            done.wait(0.05)
        raise AssertionError(f"printer jobs {self.printer.jobs}, expected {jobs}")


@pytest.fixture
def desk(engine, config, clock, tmp_path: Path) -> Iterator[Desk]:
    bus = EventBus(call_now)
    printer = SimulatedPrinter(tmp_path / "printouts", previews=False)
    manager = DeviceManager({"printer": printer}, bus, health_s=60.0)
    manager.start()
    cab = make_cabinet(engine, config, clock)
    flow = LockerFlow(bus=bus, worker=InlineWorker(call_now), clock=clock,
                      sessions=SessionKeeper(bus), service=cab.service,
                      printing=PrintDesk(manager, Alerts(engine, "K01", clock), call_now),
                      secret=lambda: SECRET, hall_names=("泉州市行政服务中心", "Quanzhou"),
                      tz=SHANGHAI, door_alert_s=config.locker.door_open_alert_seconds)
    yield Desk(flow, cab, printer)
    flow.close()
    manager.stop()


def picked_up(desk: Desk, door: int) -> None:
    desk.cab.board.take_item(door)
    desk.cab.board.close_door(door)
    desk.door()


def test_typed_code_opens_the_door_and_empty_and_closed_completes_with_a_slip(desk) -> None:
    """Given a deposited case, when the applicant types its code, then its door opens (the
    state names it), stays DOOR_OPEN while open, and closing it empty ends PICKED_UP with a
    printed slip; the digits are gone from the state."""
    _, code, door = desk.cab.deposit()
    desk.flow.start()
    desk.flow.choose_pickup()
    desk.type(code)
    assert (desk.state.step, desk.state.compartment, desk.state.digits) == (
        LockerStep.DOOR_OPEN, door, "")
    desk.door()
    assert desk.state.step is LockerStep.DOOR_OPEN
    jobs = desk.printer.jobs
    picked_up(desk, door)
    assert (desk.state.step, desk.state.result) == (LockerStep.RESULT, LockerResult.PICKED_UP)
    desk.wait_printed(jobs + 1)


def test_the_notifications_qr_is_read_for_its_six_digits(desk) -> None:
    """Given the code step, when the notification's QR (a URL ending in the code) is scanned,
    then the door opens as if it were typed; a QR without one code is refused with a notice."""
    _, code, door = desk.cab.deposit()
    desk.flow.start()
    desk.flow.choose_pickup()
    assert desk.flow.code_scanned("https://hall.example.gov.cn/pickup?x=ab12")
    assert desk.state.notice.heading == "无法识别该二维码"
    assert desk.flow.code_scanned(f"https://hall.example.gov.cn/pickup/{code}")
    assert desk.state.compartment == door


def test_closing_without_taking_says_so_and_the_code_works_again(desk) -> None:
    """Given an open pickup door, when it is closed with the item still inside, then the result
    is NOT_TAKEN and the same code opens the door again."""
    _, code, door = desk.cab.deposit()
    desk.flow.choose_pickup()
    desk.type(code)
    desk.cab.board.close_door(door)
    desk.door()
    assert desk.state.result is LockerResult.NOT_TAKEN
    desk.flow.choose_pickup()
    desk.type(code)
    assert desk.state.step is LockerStep.DOOR_OPEN


def test_a_door_left_open_raises_one_alert_and_still_completes(desk, config) -> None:
    """Given an open pickup door, when it stays open past the alert time, then the state says
    left open and one door-open alert is raised; closing it later completes and clears it."""
    _, code, door = desk.cab.deposit()
    desk.flow.choose_pickup()
    desk.type(code)
    desk.door()
    desk.door(config.locker.door_open_alert_seconds)
    desk.door(1)
    assert desk.state.left_open
    alerts = [a.kind for a in desk.cab.service.journal.alerts.open()]
    assert alerts.count(DOOR_OPEN_ALERT) == 1
    picked_up(desk, door)
    assert desk.state.result is LockerResult.PICKED_UP
    assert DOOR_OPEN_ALERT not in [a.kind for a in desk.cab.service.journal.alerts.open()]


def test_a_jammed_door_ends_in_door_fault(desk) -> None:
    """Given the item's door jammed, when the code is typed, then the result is DOOR_FAULT
    naming the door, which is out of service."""
    _, code, door = desk.cab.deposit()
    desk.cab.board.jam(door)
    desk.flow.choose_pickup()
    desk.type(code)
    assert (desk.state.result, desk.state.compartment) == (LockerResult.DOOR_FAULT, door)


def test_wrong_codes_say_tries_left_then_the_rest_in_minutes(desk, config) -> None:
    """Given the code step, when wrong codes are typed to the kiosk's limit, then each notice
    says how many tries are left and the next says the cooling-off in whole minutes."""
    _, code, _ = desk.cab.deposit()
    desk.flow.choose_pickup()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for left in range(config.locker.kiosk_max_failures - 1, -1, -1):
        desk.type(wrong)
        assert desk.state.notice.tries_left == left
    desk.type(code)
    assert desk.state.notice.heading == "输入错误次数过多"
    assert desk.state.notice.minutes == config.locker.kiosk_lockout_seconds // 60
    assert desk.state.step is LockerStep.CODE


def test_a_certificate_asks_for_the_applicants_card(desk) -> None:
    """Given a business licence in the locker, when its code is typed, then the card step
    comes; a stranger's card is refused with tries left; the applicant's card opens it."""
    desk.cab.deposit(replace(LICENCE, person_hash=id_hash(OWNER.id_number, SECRET)))
    item = desk.cab.service.held()[0]
    desk.flow.choose_pickup()
    desk.type(derive_code(SECRET, item.id))
    assert desk.state.step is LockerStep.IDENTIFY
    assert desk.flow.card_inserted(STRANGER)
    assert desk.state.notice.heading == "身份证与收件人不符"
    assert desk.state.step is LockerStep.IDENTIFY
    desk.flow.card_inserted(OWNER)
    assert (desk.state.step, desk.state.compartment) == (LockerStep.DOOR_OPEN, item.compartment)


def test_night_drop_off_by_receipt_qr_prints_a_receipt(desk) -> None:
    """Given the drop-off, when the citizen taps the card, scans the receipt QR, picks size M
    and puts the envelope in, then a free M door opens and closing it ends RECEIVED with a
    printed receipt; the state keeps only the masked name."""
    desk.flow.start()
    desk.flow.choose_dropoff()
    assert desk.flow.card_inserted(OWNER)
    assert (desk.state.step, desk.state.masked_name) == (LockerStep.CHOOSE, "张*")
    desk.flow.code_scanned("https://hall.example.gov.cn/case/" + case_token(CASE.case_id,
                                                                             SECRET))
    assert desk.state.case_id == CASE.case_id
    desk.flow.choose_size("M")
    jobs = desk.printer.jobs
    desk.flow.deposit()
    door = desk.state.compartment
    assert desk.state.step is LockerStep.DOOR_OPEN
    assert desk.cab.service.cabinet.get(door).size == "M"
    desk.cab.board.put_item(door)
    desk.cab.board.close_door(door)
    desk.door()
    assert desk.state.result is LockerResult.RECEIVED
    desk.wait_printed(jobs + 1)
    assert [i.kind for i in desk.cab.service.held()] == ["dropoff"]


def test_a_full_cabinet_says_so(desk) -> None:
    """Given every L compartment taken, when a drop-off asks for L, then the result is FULL."""
    for number in desk.cab.service.free_compartments("L"):
        with desk.cab.engine.begin() as conn:
            desk.cab.service.journal._out_of_service(conn, number, "test", desk.cab.clock.now())
    desk.flow.choose_dropoff()
    desk.flow.card_inserted(OWNER)
    desk.flow.choose_item("unemployment-registration", "失业登记")
    desk.flow.choose_size("L")
    desk.flow.deposit()
    assert desk.state.result is LockerResult.FULL


def test_the_session_end_wipes_the_digits_and_a_late_answer_is_dropped(desk) -> None:
    """Given digits typed, when the session ends, then the state is the initial one."""
    desk.flow.choose_pickup()
    desk.flow.press("1")
    desk.flow.press("2")
    desk.flow.sessions.end("idle")
    assert desk.state == LockerState()


def test_a_journey_under_way_when_the_hall_closes_finishes(desk, clock) -> None:
    """Given a pickup with its door open at 16:59:59, when the clock passes the hall's closing
    time, then the pickup still completes (the schedule only decides the home tiles)."""
    _, code, door = desk.cab.deposit()
    clock.set(clock.now().replace(hour=16, minute=59, second=59))
    desk.flow.choose_pickup()
    desk.type(code)
    clock.advance(timedelta(minutes=5))
    picked_up(desk, door)
    assert desk.state.result is LockerResult.PICKED_UP
