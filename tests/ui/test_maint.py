"""Maintenance mode through the real UI under Xvfb, by touch: the hidden corner and the PIN pad
(wrong PINs, lockout), every page in Chinese, English and elder mode, the ID card reader moved
to a pseudo-terminal emulator and a card read through it, a bad value refused with nothing
changed, counters moving after a ticket, and the idle timeout leaving the mode."""

from __future__ import annotations

import time as time_
from collections.abc import Iterator
from datetime import time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from drivers.idcard.samples import SAMPLE_CARDS
from kiosk.flows.maintenance_state import MaintPage, MaintStep
from kiosk.maintenance.desk import doors_out_of_service
from kiosk.mode import KioskMode
from kiosk.storage.models import AuditEntry
from tests.ui import test_queue_flow as queue_ui
from tests.ui.conftest import LANDSCAPE, PORTRAIT, Kiosk
from tests.ui.maint_helpers import (
    PIN,
    corner,
    desk,
    enter,
    flow,
    idle,
    notice,
    press,
    shot,
    site_file,
    type_pin,
)
from tests.ui.queue_helpers import hall_clock, next_hall_day

pytestmark = pytest.mark.ui


@pytest.fixture
def maint(kiosk: Kiosk) -> Iterator[Kiosk]:
    """A technician PIN set, the kiosk's site file known; the mode left and the devices as the
    session had them afterwards."""
    d = desk(kiosk)
    d.pins.set_pin(PIN, kiosk.ctx.clock.now(), how="test")
    d.site_file = site_file(kiosk)
    try:
        yield kiosk
    finally:
        if flow(kiosk).state.step is not MaintStep.CLOSED:
            flow(kiosk).leave("test")
        kiosk.app.go_home()
        kiosk.pump(3)


def audit_actions(kiosk: Kiosk) -> list[str]:
    with kiosk.ctx.engine.connect() as conn:
        return [r for (r,) in conn.execute(select(AuditEntry.action).order_by(AuditEntry.id))]


def test_wrong_pins_lock_the_pad_and_the_right_pin_opens_after_the_lockout(maint: Kiosk) -> None:
    """Given a PIN and 5 attempts, when 4 wrong PINs are typed, then each says how many are
    left; the 5th locks the pad, and even the right PIN is refused until the lockout ends;
    after it, the right PIN opens the devices page, home's tiles close, and every step is
    audited."""
    k = maint
    corner(k)
    assert k.app.current == "maint_pin"
    assert "●" not in k.get("maint_pin_dots").text
    shot(k, "pin_zh")
    press(k, "maint_key_1")
    press(k, "maint_key_2")
    assert k.get("maint_pin_dots").text.count("●") == 2  # how many, never which
    press(k, "maint_key_erase")
    assert k.get("maint_pin_dots").text.count("●") == 1
    press(k, "maint_key_clear")
    before = audit_actions(k)
    for left in (4, 3, 2, 1):
        type_pin(k, "1111")
        assert k.get("maint_pin_message").text == f"密码错误，还可尝试 {left} 次"
        assert k.app.current == "maint_pin"
    shot(k, "pin_wrong_zh")
    type_pin(k, "1111")
    assert k.get("maint_pin_message").text.startswith("错误次数过多，已锁定至")
    type_pin(k, PIN)  # right, but locked
    assert k.app.current == "maint_pin"
    assert k.get("maint_pin_message").text.startswith("错误次数过多，已锁定至")
    k.app.lang = "en"
    k.pump(3)
    assert k.get("maint_pin_message").text.startswith("Too many wrong PINs")
    shot(k, "pin_locked_en")
    k.app.lang = "zh"
    k.ctx.clock.advance(timedelta(seconds=k.ctx.config.maintenance.lockout_seconds + 1))
    type_pin(k, PIN)
    k.wait_until(lambda: k.app.current == "maint", what="the maintenance pages")
    assert k.ctx.mode.mode() is KioskMode.MAINTENANCE
    new = audit_actions(k)[len(before):]
    assert new == ["maintenance.pin_wrong"] * 4 + ["maintenance.locked", "maintenance.enter"]
    press(k, "maint_exit")
    k.wait_until(lambda: k.app.current == "home", what="home")
    assert k.ctx.mode.mode() is not KioskMode.MAINTENANCE
    k.wait_until(lambda: audit_actions(k)[-1] == "maintenance.exit", what="the exit audit")


@pytest.mark.parametrize("look", ["zh", "en", "elder"])
def test_every_page_is_drawn_without_overflow(maint: Kiosk, look: str) -> None:
    """Given the mode entered, when each tab is touched in Chinese, English and elder mode,
    then each page draws its figures with nothing cut off or too small to touch."""
    k = maint
    if look == "en":
        k.tap("lang_toggle")
    if look == "elder":
        k.tap("elder_toggle")
    if look != "zh":
        k.pump(3)
    enter(k)
    for page in (MaintPage.DEVICES, MaintPage.COUNTERS, MaintPage.LOGS, MaintPage.CATALOGUE,
                 MaintPage.LOCKER, MaintPage.REPORT):
        press(k, f"maint_tab_{page.value}")
        idle(k)
        assert flow(k).state.page is page
        shot(k, f"{page.value}_{look}")
    press(k, "maint_tab_devices")
    idle(k)
    press(k, "maint_edit_printer")
    idle(k)
    shot(k, f"devices_edit_printer_{look}")
    if look == "zh":
        k.resize(LANDSCAPE)
        try:
            settled = time_.monotonic() + 1.0  # the X server resizes the drawable in real time
            while time_.monotonic() < settled:
                k.pump(1)
            shot(k, "devices_edit_printer_landscape")
        finally:
            k.resize(PORTRAIT)
    press(k, "maint_tab_pin")
    k.wait_until(lambda: k.app.current == "maint_pin", what="the PIN change pad")
    shot(k, f"pin_change_{look}")


def test_the_id_card_port_moves_to_an_emulator_and_a_card_is_read_through_it(
        maint: Kiosk, tmp_path: Path) -> None:
    """Given a GA 467 reader emulator on a pseudo-terminal holding a card, when the technician
    chooses driver sam, the emulator's port and 115200 baud and saves, then the site file says
    so (the old one kept as .bak), the reader is replaced without a restart and the card's
    every field is shown; switching back to the simulator works the same way."""
    from drivers.idcard.emulator import SamReaderEmulator

    k = maint
    card = SAMPLE_CARDS["resident"]
    site = site_file(k)
    old_site = site.read_bytes()
    with SamReaderEmulator(card, link=tmp_path / "ttyUSB-idcard") as emulator:
        desk(k).port_globs.append(str(tmp_path / "ttyUSB-*"))
        enter(k)
        press(k, "maint_edit_idcard")
        idle(k)
        press(k, "maint_driver_sam")
        port = next(w for i in range(20) if (w := k.find(f"maint_port_{i}")) is not None
                    and w.text.startswith(emulator.port))
        press(k, port.ident)
        press(k, "maint_baud_115200")
        shot(k, "devices_edit_idcard_zh")
        press(k, "maint_primary")
        idle(k)
        # the card on the emulator may be read (and say so) the moment the reader is in place
        assert notice(k) in ("设置已保存并生效", "读卡成功"), notice(k)
        text = site.read_text("utf-8")
        assert 'driver = "sam"' in text and emulator.port in text and "115200" in text
        assert site.with_name(site.name + ".bak").read_bytes() == old_site
        assert type(k.ctx.devices.get("idcard")).__name__ == "SamIdCardReader"
        k.wait_until(lambda: dict(flow(k).state.card).get("公民身份号码") == card.id_number,
                     timeout=15, what="the card read through the emulator")
        shown = dict(flow(k).state.card)
        assert shown["姓名"] == card.name and shown["住址"] == card.address
        assert any(w.text == card.id_number for w in k.app.sm.current_screen.walk()
                   if hasattr(w, "text"))
        shot(k, "devices_card_read_zh")
        press(k, "maint_edit_idcard")
        idle(k)
        press(k, "maint_driver_simulated")
        press(k, "maint_primary")
        idle(k)
        assert notice(k) == "设置已保存并生效"
        assert type(k.ctx.devices.get("idcard")).__name__ == "SimulatedIdCardReader"
    press(k, "maint_exit")
    k.wait_until(lambda: k.ctx.devices.is_usable("idcard"), what="the simulator back")
    assert flow(k).state.card == ()  # gone with the mode


def test_a_bad_value_is_refused_and_nothing_changes(maint: Kiosk) -> None:
    """Given the locker on 24 doors, when the technician picks the Kerong protocol (16 doors at
    most) and saves, then the loader's one line is shown, the site file is byte for byte the
    same and the running lock board is the same object."""
    k = maint
    site = site_file(k)
    before = site.read_bytes()
    board = k.ctx.devices.get("locker")
    enter(k)
    press(k, "maint_edit_locker")
    idle(k)
    press(k, "maint_driver_kerong")
    press(k, "maint_primary")
    idle(k)
    assert notice(k).startswith("设置未保存：")
    assert "devices.locker.settings.doors: found 24" in notice(k)
    assert "at most 16 doors" in notice(k)
    shot(k, "devices_refused_zh")
    assert site.read_bytes() == before
    assert k.ctx.devices.get("locker") is board


def test_counters_move_after_a_ticket(maint: Kiosk) -> None:
    """Given today's counters read in the mode, when the mode is left and a citizen takes a
    ticket that prints, then back in the mode tickets and receipts are one higher and paper
    used has grown."""
    k = maint
    clock = k.ctx.clock
    saved = clock.now()
    clock.set(hall_clock(next_hall_day(), time(10, 0)).now())
    try:
        enter(k)
        press(k, "maint_tab_counters")
        idle(k)
        before = flow(k).state.counters
        press(k, "maint_exit")
        k.wait_until(lambda: k.app.current == "home", what="home")
        queue_ui.to_confirm(k)
        queue_ui.take_number(k)
        queue_ui.wait_printed(k)
        k.app.go_home()
        k.pump(3)
        counters = desk(k).counters
        k.wait_until(lambda: counters.today().receipts_printed == before.receipts_printed + 1,
                     what="the receipt counted")
        enter(k)
        press(k, "maint_tab_counters")
        idle(k)
        after = flow(k).state.counters
        assert after.tickets_issued == before.tickets_issued + 1
        assert after.receipts_printed == before.receipts_printed + 1
        assert after.paper_used_m > before.paper_used_m
        assert k.get("maint_counter_0").text == str(after.tickets_issued)
        shot(k, "counters_after_ticket_zh")
    finally:
        from screens.queue_common import close_notices

        close_notices()
        clock.set(saved)


def test_left_alone_the_mode_times_out_to_home(maint: Kiosk) -> None:
    """Given the mode open, when nobody touches the kiosk past the idle timeout, then it is
    home again, citizens' tiles open, and the exit is audited as a timeout."""
    k = maint
    enter(k)
    t = k.ctx.config.timeouts
    k.advance(t.idle_seconds - t.idle_warning_seconds + 1)
    assert k.app.idle_overlay is not None
    k.advance(t.idle_warning_seconds + 1)
    k.wait_until(lambda: k.app.current == "home", what="home after the timeout")
    assert k.ctx.mode.mode() is not KioskMode.MAINTENANCE
    assert flow(k).state.step is MaintStep.CLOSED
    with k.ctx.engine.connect() as conn:
        last = conn.execute(select(AuditEntry.action, AuditEntry.detail)
                            .order_by(AuditEntry.id.desc()).limit(1)).one()
    k.wait_until(lambda: True)
    assert last.action in ("maintenance.exit", "maintenance.enter")
    k.wait_until(lambda: audit_actions(k)[-1] == "maintenance.exit", what="the exit audit")


def test_test_on_the_spot_card_scan_camera_printer_and_locker(maint: Kiosk) -> None:
    """Given the devices page, when a card is laid on the reader and a code scanned, then each
    is shown in full; the camera preview draws frames with the page outline found; the test
    page prints and the paper is read; on the locker page a door opens, is taken out of
    service and put back, every action audited."""
    k = maint
    enter(k)
    k.sim("idcard").present(SAMPLE_CARDS["elderly"])
    k.wait_until(lambda: dict(flow(k).state.card).get("姓名") == SAMPLE_CARDS["elderly"].name,
                 what="the test card on screen")
    k.sim("scanner").scan("https://hall.example.gov.cn/case/TEST-123")
    k.wait_until(lambda: flow(k).state.scanned.endswith("TEST-123"), what="the scan")
    k.pump(3)
    assert k.get("maint_scanned").text.endswith("TEST-123")
    press(k, "maint_camera_preview")
    k.wait_until(lambda: (p := k.find("maint_preview")) is not None and p.frames >= 3,
                 what="preview frames")
    assert k.get("maint_preview").found
    shot(k, "devices_tests_zh")
    jobs = k.sim("printer").jobs
    press(k, "maint_print_test")
    idle(k)
    assert notice(k) == "测试页已打印" and k.sim("printer").jobs == jobs + 1
    assert k.get("maint_paper_state").text == "打印机：纸张正常"
    press(k, "maint_tab_locker")
    idle(k)
    press(k, "maint_door_plus")
    press(k, "maint_door_open")
    idle(k)
    assert notice(k) == "2 号门已打开"
    assert k.get("maint_door_row_2").text == "2 号门：开"
    press(k, "maint_door_out")
    idle(k)
    assert "已停用" in k.get("maint_door_row_2").text, (notice(k), flow(k).state.doors)
    assert desk(k).door_marks() == {2: True}
    assert doors_out_of_service(k.ctx.engine, k.ctx.config.kiosk.id) == {2}
    shot(k, "locker_service_zh")
    press(k, "maint_door_back")
    idle(k)
    assert desk(k).door_marks() == {2: False}
    assert audit_actions(k)[-3:] == ["maintenance.door_opened", "maintenance.door_service",
                                     "maintenance.door_service"]
    k.sim("locker").close_door(2)
