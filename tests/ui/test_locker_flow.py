"""The document locker in the real app under Xvfb, driven by touches: pickup by the keypad with
the door drawn lit and every outcome, a wrong code, a certificate's ID card, night drop-off, the
staff's sign-in and deposit; also against the Kerong lock-board EMULATOR on a pseudo-terminal
(door sensor and IR, a jammed latch, a silent board). Screenshots of every step in zh, en and
elder mode under tests/artifacts/locker/."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import delete

from drivers.locker.board import SerialLockerBoard
from drivers.locker.emulator import EmulatorKerong
from kiosk.flows.locker_state import LockerResult, LockerStep
from kiosk.lockers.codes import derive_code
from kiosk.lockers.journal import DoorFault
from kiosk.lockers.service import CaseRef, LockerService
from kiosk.privacy import id_hash
from kiosk.storage.models import (
    LockerAttempt,
    LockerCompartment,
    LockerIntent,
    LockerItem,
    LockerStaff,
)
from tests.core.conftest import make_card
from tests.ui.conftest import ARTIFACTS, Kiosk
from tests.ui.queue_helpers import problems_on_screen

pytestmark = pytest.mark.ui

CASE = CaseRef("c-ui-1", "SB20270301-0001", ("unemployment-registration",), "张*")
MODES = ("zh", "en", "elder")


def service(kiosk: Kiosk) -> LockerService:
    return kiosk.ctx.services["lockers"]  # type: ignore[return-value]


@pytest.fixture
def locker(kiosk: Kiosk) -> Iterator[Kiosk]:
    """An empty cabinet (database and simulated board) before and after each test."""
    def tidy() -> None:
        with kiosk.ctx.engine.begin() as conn:
            for table in (LockerIntent, LockerItem, LockerCompartment, LockerAttempt,
                          LockerStaff):
                conn.execute(delete(table))
        board = kiosk.sim("locker")
        for door in range(1, board.doors + 1):
            board.close_door(door)
            board.take_item(door)
            board.unjam(door)

    from screens.queue_common import close_notices

    tidy()
    yield kiosk
    close_notices()
    kiosk.app.go_home()
    kiosk.pump()
    tidy()


def mode(kiosk: Kiosk, which: str) -> None:
    if which == "en":
        kiosk.app.lang = "en"
    if which == "elder":
        kiosk.app.set_elder(True)
    kiosk.pump()


def shot(kiosk: Kiosk, name: str) -> Path:
    from kivy.core.window import Window

    kiosk.pump(3)
    problems = problems_on_screen(kiosk.app.sm.current_screen, Window.width)
    assert problems == [], f"{name}: {problems}"
    path = screenshot(kiosk, name)
    assert path.stat().st_size > 10_000
    return path


def screenshot(kiosk: Kiosk, name: str) -> Path:
    """Into tests/artifacts/locker/ (the shared helper writes to the folder's top level)."""
    import shutil

    from kivy.core.window import Window

    kiosk.pump(4)
    kiosk.draw()
    folder = ARTIFACTS / "locker"
    folder.mkdir(parents=True, exist_ok=True)
    written = Window.screenshot(name=str(folder / f"_{name}.png"))
    target = folder / f"{name}.png"
    shutil.move(written, target)
    return target


def deposit(kiosk: Kiosk, case: CaseRef = CASE, size: str = "S") -> tuple[str, int]:
    """Staff deposit done through the service (the board is the simulator): (code, door)."""
    svc = service(kiosk)
    opening = svc.open_deposit(size, case, "S01")
    assert opening is not None and opening.item_id is not None
    board = kiosk.sim("locker")
    board.put_item(opening.compartment)
    board.close_door(opening.compartment)
    svc.journal.poll(opening.intent_id)
    return derive_code(svc.secret, opening.item_id), opening.compartment


def type_code(kiosk: Kiosk, code: str) -> None:
    for digit in code:
        kiosk.tap(f"locker_key_{digit}")


def wait_step(kiosk: Kiosk, step: LockerStep) -> None:
    kiosk.wait_until(lambda: kiosk.ctx.flows.locker.state.step is step
                     and not kiosk.ctx.flows.locker.state.busy, what=f"locker step {step}")
    kiosk.pump(3)


def wait_result(kiosk: Kiosk, result: LockerResult) -> None:
    def settled() -> bool:
        kiosk.advance(0.6)  # the door screen's tick reads the door (off the UI thread)
        return kiosk.ctx.flows.locker.state.result is result
    kiosk.wait_until(settled, what=f"locker result {result}")
    kiosk.pump(3)  # the view redraws on the next frame


def to_pickup(kiosk: Kiosk) -> None:
    kiosk.tap("tile_locker")
    assert kiosk.app.current == "locker"
    kiosk.tap("locker_pickup_tile")
    assert kiosk.app.current == "locker_pickup"


@pytest.mark.parametrize("which", MODES)
def test_pickup_by_keypad_draws_the_open_door_and_completes(locker: Kiosk, which: str) -> None:
    """Given a deposited case, when the applicant taps 文件柜 → 取件, types the code on the
    keypad and confirms, then the door opens (the flow's compartment lit in the drawing, its
    number in the heading); taking the item and closing the door shows 取件完成 and prints a
    slip; 完成 goes home with the session ended."""
    kiosk = locker
    code, door = deposit(kiosk)
    mode(kiosk, which)
    shot(kiosk, f"{which}_0_home")
    to_pickup(kiosk)
    kiosk.pump()
    shot(kiosk, f"{which}_1_menu_then_keypad")
    type_code(kiosk, code[:3])
    assert kiosk.get("locker_code_submit").disabled
    shot(kiosk, f"{which}_2_keypad_half")
    type_code(kiosk, code[3:])
    jobs = kiosk.sim("printer").jobs
    kiosk.tap("locker_code_submit")
    wait_step(kiosk, LockerStep.DOOR_OPEN)
    assert kiosk.app.current == "locker_door"
    assert kiosk.get("locker_cabinet").lit == door
    assert str(door) in kiosk.get("locker_door_heading").text
    assert kiosk.sim("locker").door_states()[door].is_open
    shot(kiosk, f"{which}_3_door_open")
    kiosk.sim("locker").take_item(door)
    kiosk.sim("locker").close_door(door)
    wait_result(kiosk, LockerResult.PICKED_UP)
    assert not kiosk.get("locker_door_done").disabled
    kiosk.wait_until(lambda: kiosk.sim("printer").jobs == jobs + 1, what="the slip")
    shot(kiosk, f"{which}_4_picked_up")
    kiosk.tap("locker_door_done")
    assert kiosk.app.current == "home"
    assert kiosk.ctx.flows.locker.state.digits == ""


def test_a_wrong_code_is_told_with_tries_left_in_the_citizens_language(locker: Kiosk) -> None:
    """Given the keypad in English, when a wrong code is confirmed, then a notice says so in
    English only, with the tries left, and the digits are cleared."""
    kiosk = locker
    code, _ = deposit(kiosk)
    mode(kiosk, "en")
    to_pickup(kiosk)
    type_code(kiosk, f"{(int(code) + 1) % 1_000_000:06d}")
    kiosk.tap("locker_code_submit")
    kiosk.wait_until(lambda: kiosk.ctx.flows.locker.state.notice is not None, what="notice")
    kiosk.pump(3)
    from kivy.core.window import Window

    from screens.queue_common import NoticePopup

    popup = next(c for c in Window.children if isinstance(c, NoticePopup))
    assert popup.heading == "Wrong pickup code" and "tries left" in popup.message
    # one language at a time: nothing Chinese anywhere on the English notice
    shown = popup.heading + popup.message + popup.button_text + popup.action_text
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in shown), shown
    screenshot(kiosk, "en_5_wrong_code")
    assert kiosk.ctx.flows.locker.state.digits == ""


def test_not_taken_then_left_open_each_have_their_outcome(locker: Kiosk) -> None:
    """Given an open pickup door, when it is left open past the alert time, then the screen
    says so (and an alert is raised); closing it with the item inside says 您还没有取出物品."""
    kiosk = locker
    code, door = deposit(kiosk)
    to_pickup(kiosk)
    type_code(kiosk, code)
    kiosk.tap("locker_code_submit")
    wait_step(kiosk, LockerStep.DOOR_OPEN)
    kiosk.advance(0.6)
    kiosk.advance(kiosk.ctx.config.locker.door_open_alert_seconds + 1)
    kiosk.wait_until(lambda: kiosk.ctx.flows.locker.state.left_open, what="left open")
    kiosk.pump(3)
    shot(kiosk, "zh_6_left_open")
    kiosk.sim("locker").close_door(door)
    wait_result(kiosk, LockerResult.NOT_TAKEN)
    shot(kiosk, "zh_7_not_taken")


@pytest.mark.parametrize("which", ("zh", "en"))
def test_a_certificate_asks_for_the_card_and_night_drop_off(locker: Kiosk, which: str) -> None:
    """Given a licence for 张三, when its code is typed, then the card step comes and 张三's card
    opens the door. Then a night drop-off: card, item, size M, the door opens, envelope in,
    door closed: 投递成功."""
    kiosk = locker
    owner = make_card()
    licence = CaseRef("c-ui-2", "SB20270301-0002", ("business-licence",), "张*",
                      id_hash(owner.id_number, service(kiosk).secret))
    code, door = deposit(kiosk, licence)
    mode(kiosk, which)
    to_pickup(kiosk)
    type_code(kiosk, code)
    kiosk.tap("locker_code_submit")
    wait_step(kiosk, LockerStep.IDENTIFY)
    assert kiosk.app.current == "locker_card"
    shot(kiosk, f"{which}_8_certificate_card")
    kiosk.sim("idcard").present(owner)
    wait_step(kiosk, LockerStep.DOOR_OPEN)
    assert kiosk.get("locker_cabinet").lit == door
    kiosk.sim("idcard").remove()
    kiosk.sim("locker").take_item(door)
    kiosk.sim("locker").close_door(door)
    wait_result(kiosk, LockerResult.PICKED_UP)
    kiosk.tap("locker_door_done")

    kiosk.tap("tile_locker")
    kiosk.tap("locker_dropoff_tile")
    assert kiosk.app.current == "locker_card"
    kiosk.sim("idcard").present(owner)
    wait_step(kiosk, LockerStep.CHOOSE)
    assert kiosk.app.current == "locker_dropoff"
    assert kiosk.get("locker_dropoff_open").disabled
    kiosk.tap("locker_item_unemployment-registration")
    kiosk.tap("locker_size_M")
    shot(kiosk, f"{which}_9_dropoff_choice")
    kiosk.tap("locker_dropoff_open")
    wait_step(kiosk, LockerStep.DOOR_OPEN)
    opened = kiosk.ctx.flows.locker.state.compartment
    assert opened is not None and service(kiosk).cabinet.get(opened).size == "M"
    shot(kiosk, f"{which}_10_dropoff_door")
    kiosk.sim("locker").put_item(opened)
    kiosk.sim("locker").close_door(opened)
    wait_result(kiosk, LockerResult.RECEIVED)
    shot(kiosk, f"{which}_11_dropoff_received")
    kiosk.sim("idcard").remove()


@pytest.mark.parametrize("which", MODES)
def test_staff_sign_in_and_deposit(locker: Kiosk, which: str) -> None:
    """Given staff S01 with a card and PIN, when they tap 工作人员, lay the card, type the PIN,
    choose 存件, scan a case number and open an S door, then putting the item in and closing
    it shows 已完成; the held item is the scanned case."""
    kiosk = locker
    staff_card = make_card(id_number="110105194912310038", name="王五")
    svc = service(kiosk)
    desk = kiosk.ctx.flows.locker_staff.desk
    desk.add("S01", "2468", card_hash=id_hash(staff_card.id_number, svc.secret))
    mode(kiosk, which)
    kiosk.tap("tile_locker")
    kiosk.tap("locker_staff_tile")
    assert kiosk.app.current == "locker_staff"
    shot(kiosk, f"{which}_12_staff_sign_in")
    kiosk.sim("idcard").present(staff_card)
    flow = kiosk.ctx.flows.locker_staff
    kiosk.wait_until(lambda: flow.state.step.value == "pin", what="PIN step")
    for digit in "2468":
        kiosk.tap(f"locker_staff_key_{digit}")
    shot(kiosk, f"{which}_13_staff_pin")
    kiosk.tap("locker_staff_action")
    kiosk.wait_until(lambda: flow.state.step.value == "menu", what="staff menu")
    kiosk.sim("idcard").remove()
    shot(kiosk, f"{which}_14_staff_menu")
    kiosk.tap("locker_staff_deposit")
    kiosk.sim("scanner").scan("SB20270301-0009", "Code128")
    kiosk.wait_until(lambda: flow.state.case is not None, what="the case")
    kiosk.pump(3)
    shot(kiosk, f"{which}_15_staff_scan")
    kiosk.tap("locker_staff_action")
    kiosk.wait_until(lambda: flow.state.step.value == "door_open", what="door open")
    door = flow.state.compartment
    kiosk.sim("locker").put_item(door)
    kiosk.sim("locker").close_door(door)
    kiosk.wait_until(lambda: (kiosk.advance(0.6), flow.state.step.value == "result")[1],
                     what="deposited")
    shot(kiosk, f"{which}_16_staff_deposited")
    assert [i.case_number for i in svc.held("pickup")] == ["SB20270301-0009"]
    kiosk.sim("locker").jam(door)  # the door jams later: staff see it flagged with its item
    with pytest.raises(DoorFault):
        svc.open_pickup(svc.held("pickup")[0].id)
    kiosk.tap("locker_staff_action")
    kiosk.wait_until(lambda: flow.state.step.value == "menu", what="staff menu")
    kiosk.tap("locker_staff_faults")
    kiosk.wait_until(lambda: kiosk.find(f"locker_staff_fault_{door}") is not None,
                     what="the faulty door listed")
    shot(kiosk, f"{which}_17_staff_faulty_doors")


@contextmanager
def emulated_board(kiosk: Kiosk, tmp_path: Path) -> Iterator[EmulatorKerong]:
    """The app's locker replaced by a real Kerong driver on a pseudo-terminal for one test.
    (The device manager's door poll keeps reading the simulator; the journeys go through
    ``run_job``, which reads the manager's device table.)"""
    manager = kiosk.ctx.devices
    simulator = manager._devices["locker"]  # test-only swap of the device behind "locker"
    with EmulatorKerong(board=0, doors=16, link_dir=tmp_path) as emu:
        board = SerialLockerBoard(emu.port, protocol="kerong", board=0, doors=16, timeout=0.3,
                                  retries=2)
        board.open()
        manager._devices["locker"] = board
        try:
            yield emu  # type: ignore[misc]
        finally:
            manager._devices["locker"] = simulator
            board.close()


def test_against_the_emulator_ir_a_jammed_latch_and_a_silent_board(locker: Kiosk,
                                                                   tmp_path: Path) -> None:
    """Given the Kerong emulator on a pty behind the app, then a pickup opens the emulated door
    once, closing with the item still inside (IR) says not taken, taking it completes; a
    jammed latch shows 柜门未能打开 and takes the door out of service; a silent board too."""
    kiosk = locker
    with emulated_board(kiosk, tmp_path) as emu:
        code, door = deposit_on(kiosk, emu)
        to_pickup(kiosk)
        type_code(kiosk, code)
        kiosk.tap("locker_code_submit")
        wait_step(kiosk, LockerStep.DOOR_OPEN)
        assert emu.is_open(door) and emu.open_requests == 2  # the deposit's and this one
        emu.close_door(door)
        wait_result(kiosk, LockerResult.NOT_TAKEN)
        kiosk.tap("nav_back")
        kiosk.tap("locker_pickup_tile")
        type_code(kiosk, code)
        kiosk.tap("locker_code_submit")
        wait_step(kiosk, LockerStep.DOOR_OPEN)
        emu.remove_item(door)
        emu.close_door(door)
        wait_result(kiosk, LockerResult.PICKED_UP)
        assert emu.open_requests == 3

        code, door = deposit_on(kiosk, emu)
        emu.jammed.add(door)
        kiosk.tap("nav_back")
        kiosk.tap("locker_pickup_tile")
        type_code(kiosk, code)
        kiosk.tap("locker_code_submit")
        wait_step(kiosk, LockerStep.RESULT)
        assert kiosk.ctx.flows.locker.state.result is LockerResult.DOOR_FAULT
        shot(kiosk, "zh_18_door_fault")
        assert door in service(kiosk).out_of_service()

        code, door = deposit_on(kiosk, emu)
        emu.silent = True
        kiosk.tap("nav_back")
        kiosk.tap("locker_pickup_tile")
        type_code(kiosk, code)
        kiosk.tap("locker_code_submit")
        wait_step(kiosk, LockerStep.RESULT)
        assert kiosk.ctx.flows.locker.state.result is LockerResult.DOOR_FAULT
        assert door in service(kiosk).out_of_service()
        assert [i.compartment for i in service(kiosk).held()].count(door) == 1  # not lost


def deposit_on(kiosk: Kiosk, emu: EmulatorKerong) -> tuple[str, int]:
    svc = service(kiosk)
    opening = svc.journal.begin(svc.free_compartments("S")[0], __import__(
        "kiosk.lockers.journal", fromlist=["Purpose"]).Purpose.DEPOSIT, "staff:S01",
        new_item=dict(kind="pickup", case_id=CASE.case_id, case_number=CASE.case_number,
                      item_id=CASE.service_items[0]))
    svc.journal.open(opening)
    emu.put_item(opening.compartment)
    emu.close_door(opening.compartment)
    svc.journal.poll(opening.intent_id)
    assert opening.item_id is not None
    return derive_code(svc.secret, opening.item_id), opening.compartment


def test_landscape_keypad_and_door_fit(locker: Kiosk) -> None:
    """Given the landscape window, then the keypad and the open door with the cabinet drawing
    fit the window (no text overflow, every key large enough) and the door is lit."""
    from tests.ui.conftest import LANDSCAPE, PORTRAIT

    kiosk = locker
    code, door = deposit(kiosk)
    kiosk.resize(LANDSCAPE)
    try:
        to_pickup(kiosk)
        type_code(kiosk, code)
        shot(kiosk, "landscape_keypad")
        kiosk.tap("locker_code_submit")
        wait_step(kiosk, LockerStep.DOOR_OPEN)
        assert kiosk.get("locker_cabinet").lit == door
        shot(kiosk, "landscape_door_open")
        kiosk.sim("locker").take_item(door)
        kiosk.sim("locker").close_door(door)
        wait_result(kiosk, LockerResult.PICKED_UP)
    finally:
        kiosk.resize(PORTRAIT)
