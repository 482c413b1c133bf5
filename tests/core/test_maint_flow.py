"""Maintenance mode as a controller, without Kivy: the real context (simulated devices, SQLite,
a site file), jobs run inline, hall time on a ``ManualClock``. Entry by PIN, the idle timeout
leaving the mode, pages, device changes applied or refused, catalogue reloads, the counters
counting on the bus, the health report (file, heartbeat, ``kiosk health --json``), and the
device manager swapping a device under a running poll loop."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from drivers.base import Health, HealthState
from drivers.idcard.simulated import SimulatedIdCardReader
from drivers.printer.layout import Receipt
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.context import KioskContext, build_context
from kiosk.events import (
    CardInserted,
    CardUnreadable,
    DeviceHealthChanged,
    EventBus,
    ReceiptPrinted,
    call_now,
)
from kiosk.flows.base import InlineWorker
from kiosk.flows.maintenance_state import MaintPage, MaintStep, PinStage
from kiosk.maintenance.paper import receipt_length_mm
from kiosk.mode import KioskMode
from kiosk.storage.models import AuditEntry
from tests.core.conftest import MONDAY_10, make_card

PIN = "97531"


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[KioskContext]:
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\n', "utf-8")
    context = build_context(load_config(site), simulate=True, clock=ManualClock(MONDAY_10),
                            worker=InlineWorker(call_now), site_file=site)
    assert context.maintenance is not None
    context.maintenance.pins.set_pin(PIN, MONDAY_10)
    yield context
    context.close()


def enter(ctx: KioskContext) -> None:
    flow = ctx.flows.maintenance
    assert flow is not None
    flow.open_pad()
    for d in PIN:
        flow.digit(d)
    flow.submit_pin()
    assert flow.state.step is MaintStep.OPEN, flow.state.notice


def last_audit(ctx: KioskContext) -> tuple[str, dict[str, object]]:
    with ctx.engine.connect() as conn:
        row = conn.execute(select(AuditEntry.action, AuditEntry.detail)
                           .order_by(AuditEntry.id.desc()).limit(1)).one()
    return row.action, dict(row.detail)


def test_the_pin_opens_the_mode_and_the_session_end_leaves_it(ctx: KioskContext) -> None:
    """Given the pad, when the PIN is typed, then the mode is maintenance (every tile closed)
    and the devices page shows; when the citizen session ends (the idle timeout), the mode is
    left, audited as a timeout, and the state is back to closed."""
    flow = ctx.flows.maintenance
    assert flow is not None
    flow.open_pad()
    for d in "975":
        flow.digit(d)
    flow.erase()
    assert flow.state.pin_length == 2 and "9" not in repr(flow.state)  # how many, not which
    flow.submit_pin()
    assert flow.state.notice is not None and flow.state.notice.error  # too short
    enter(ctx)
    assert ctx.mode.mode() is KioskMode.MAINTENANCE
    assert flow.state.page is MaintPage.DEVICES and len(flow.state.devices) == 5
    ctx.sessions.end("timeout")
    assert flow.state.step is MaintStep.CLOSED
    assert ctx.mode.mode() is not KioskMode.MAINTENANCE
    assert last_audit(ctx) == ("maintenance.exit", {"reason": "timeout"})


def test_changing_the_pin_inside_the_mode(ctx: KioskContext) -> None:
    """Given the mode open, when the current PIN, a new one and the same again are typed, then
    the new PIN opens the mode and the old one no longer does; a wrong current PIN is refused."""
    flow, desk = ctx.flows.maintenance, ctx.maintenance
    assert flow is not None and desk is not None
    enter(ctx)
    flow.show(MaintPage.PIN)
    assert flow.state.pin_stage is PinStage.CURRENT

    def typed(pin: str) -> None:
        for d in pin:
            flow.digit(d)
        flow.submit_pin()

    typed("0000")
    assert flow.state.notice is not None and flow.state.notice.msgid == "当前密码不正确"
    typed(PIN)
    typed("1122")
    typed("1123")
    assert flow.state.pin_stage is PinStage.NEW  # differed: asked again
    typed("1122")
    typed("1122")
    assert flow.state.notice is not None and flow.state.notice.msgid == "维护密码已更改"
    assert desk.pins.verify_only("1122") and not desk.pins.verify_only(PIN)


def test_a_device_change_is_written_and_applied_and_a_bad_one_refused(
        ctx: KioskContext) -> None:
    """Given the printer, when the technician picks GBK and saves, then the site file says so
    and the printer is a new device from the new settings; when the locker gets the Kerong
    protocol with 24 doors, then the loader's line is the notice and nothing changes."""
    flow, desk = ctx.flows.maintenance, ctx.maintenance
    assert flow is not None and desk is not None and desk.site_file is not None
    enter(ctx)
    printer = ctx.devices.get("printer")
    flow.edit("printer")
    flow.choose("settings.encoding", "gbk")
    flow.save_device()
    assert flow.state.notice is not None and flow.state.notice.msgid == "设置已保存并生效"
    assert 'encoding = "gbk"' in desk.site_file.read_text("utf-8")
    assert ctx.devices.get("printer") is not printer
    assert ctx.devices.get("printer").profile.encoding == "gbk"  # type: ignore[union-attr]
    assert last_audit(ctx)[0] == "maintenance.config_changed"
    site, locker = desk.site_file.read_bytes(), ctx.devices.get("locker")
    flow.edit("locker")
    flow.choose("driver", "kerong")
    flow.save_device()
    notice = flow.state.notice
    assert notice is not None and notice.error and notice.msgid == "设置未保存：{reason}"
    assert "devices.locker.settings.doors: found 24" in str(dict(notice.params)["reason"])
    assert desk.site_file.read_bytes() == site and ctx.devices.get("locker") is locker


def test_catalogue_reload_keeps_the_old_one_on_a_bad_file_and_swaps_everywhere(
        ctx: KioskContext, tmp_path: Path) -> None:
    """Given a catalogue file, when it is broken and reloaded, then the error is the notice and
    every service keeps the old catalogue; when it is valid again, then the queue service, the
    counters, the queue flow and the mode all see the new one."""
    from kiosk.catalogue import DEFAULT_CATALOGUE

    flow, desk = ctx.flows.maintenance, ctx.maintenance
    assert flow is not None and desk is not None
    mine = tmp_path / "catalogue.toml"
    mine.write_text("this is [not toml", "utf-8")
    desk.config = dataclasses.replace(desk.config, kiosk=dataclasses.replace(
        desk.config.kiosk, catalogue=str(mine)))
    enter(ctx)
    old = ctx.catalogue
    flow.reload_catalogue()
    assert flow.state.notice is not None and flow.state.notice.msgid == "目录未重新载入：{reason}"
    assert str(mine) in str(dict(flow.state.notice.params)["reason"])
    assert ctx.catalogue is old and ctx.queue.catalogue is old
    mine.write_text(DEFAULT_CATALOGUE.read_text("utf-8"), "utf-8")
    flow.reload_catalogue()
    new = ctx.catalogue
    assert new is not old and flow.state.catalogue is not None
    assert flow.state.catalogue.source == str(mine)
    assert ctx.queue.catalogue is new and ctx.counter.catalogue is new
    assert ctx.flows.queue.catalogue is new and ctx.mode.catalogue is new


def test_counters_count_on_the_bus_and_read_tickets_from_their_table(
        ctx: KioskContext) -> None:
    """Given the bus, when cards, an unreadable card, a scanner bad frame, a device going
    offline and a printed receipt are published and a ticket is issued, then today's counters
    say so; paper left falls by the receipt's length, and a new roll starts from zero."""
    desk, bus = ctx.maintenance, ctx.bus
    assert desk is not None
    before = desk.counters.today()
    bus.publish(CardInserted(make_card()))
    bus.publish(CardInserted(make_card()))
    bus.publish(CardUnreadable("dirty", "无法读取"))
    bus.publish(DeviceHealthChanged("scanner", Health(HealthState.DEGRADED, "bad frame")))
    bus.publish(DeviceHealthChanged("printer", Health(HealthState.OFFLINE, "unplugged")))
    receipt = Receipt().text("票号 A001", size=2).qr("https://hall.example/q/x").feed(2)
    bus.publish(ReceiptPrinted(receipt_length_mm(receipt)))
    ctx.queue.issue_ticket("unemployment-registration")
    c = desk.counters.today()
    assert (c.card_reads, c.card_failures, c.decode_failures, c.device_errors,
            c.receipts_printed, c.tickets_issued) == (2, 1, 1, 1, 1, 1)
    assert before.paper_used_m == 0 and 0.05 < c.paper_used_m < 0.2
    assert c.paper_left_m == pytest.approx(50 - c.paper_used_m)
    assert not c.paper_low
    desk.counters.add_paper(46_000)
    assert desk.counters.today().paper_low
    desk.counters.new_roll()
    after = desk.counters.today()
    assert after.paper_used_m == 0 and after.roll_since is not None and not after.paper_low


def test_the_health_report_is_saved_printed_and_sent_with_the_heartbeat(
        ctx: KioskContext) -> None:
    """Given the mode, when the report is made, then it has the contract's fields, lies as a
    JSON file under reports/, came out of the printer, and the heartbeat carries it."""
    flow, desk = ctx.flows.maintenance, ctx.maintenance
    assert flow is not None and desk is not None
    ctx.devices.start()
    try:
        enter(ctx)
        flow.show(MaintPage.REPORT)
        printer = ctx.devices.get("printer")
        printed = printer.jobs  # type: ignore[union-attr]
        flow.save_report()
        assert flow.state.report_file, flow.state.notice
        saved = json.loads(Path(flow.state.report_file).read_text("utf-8"))
        assert printer.jobs == printed + 1  # type: ignore[union-attr]
    finally:
        ctx.devices.stop()
    for key in ("devices", "version", "disk_free_bytes", "outbox", "last_sync", "counters",
                "last_errors", "alerts"):
        assert key in saved
    assert set(saved["devices"]) == {"idcard", "scanner", "camera", "printer", "locker"}
    assert {"state", "reason"} <= set(saved["devices"]["printer"])
    assert set(saved["outbox"]) >= {"pending", "parked", "oldest_age_s"}
    assert isinstance(saved["disk_free_bytes"], int)
    beat = desk.heartbeat_health(lambda: {"devices": {}, "paper": "ok"})()
    assert beat["report"] == saved and beat["paper"] == "ok"


def test_the_device_manager_swaps_a_reader_under_its_running_loop() -> None:
    """Given a started manager polling a simulated reader, when another reader replaces it,
    then the old one is closed, one poll thread runs, and a card on the new reader is read
    (and one left on the old reader never is)."""
    from kiosk.devices import DeviceManager

    bus = EventBus()
    read = threading.Event()
    cards: list[str] = []

    def on_card(event: CardInserted) -> None:
        cards.append(event.card.id_number)
        read.set()

    bus.subscribe(CardInserted, on_card)
    old, new = SimulatedIdCardReader(), SimulatedIdCardReader()

    def pollers() -> int:  # another kiosk in this process (the UI tests' app) has its own
        return sum(t.name == "device-idcard" and t.is_alive() for t in threading.enumerate())

    others = pollers()
    manager = DeviceManager({"idcard": old}, bus, poll_s=0.05, health_s=0.1)
    manager.start()
    try:
        manager.replace("idcard", new)
        assert manager.get("idcard") is new
        old.present(make_card("11010519491231002X"))
        new.present(make_card("110105194912310036"))
        assert read.wait(5), "the new reader was never polled"
        assert pollers() == others + 1
        assert manager.health("idcard").state is HealthState.OK
    finally:
        manager.stop()
    assert cards == ["110105194912310036"]
    with pytest.raises(KeyError):
        manager.replace("camera", new)


def test_the_schedule_is_shown_and_reloaded_with_the_catalogue(
        ctx: KioskContext, tmp_path: Path) -> None:
    """Given the hall's hours in the site file, when the technician opens the catalogue page,
    then the week's hours, holidays and what follows the hall are shown; when the site file's
    [schedule] is changed and reloaded, then the mode follows the new hours at once; a broken
    [schedule] is refused with its error and the old schedule kept."""
    from datetime import date

    flow, desk = ctx.flows.maintenance, ctx.maintenance
    assert flow is not None and desk is not None and desk.site_file is not None
    site = desk.site_file
    base = site.read_text("utf-8")
    site.write_text(base + '[calendar]\nholidays = [2026-10-01]\n', "utf-8")
    enter(ctx)
    flow.reload_catalogue()
    summary = flow.state.catalogue
    assert summary is not None and summary.schedule is not None
    assert summary.schedule.week[0] == "09:00-12:00 13:30-17:00" and summary.schedule.week[6] == ""
    assert summary.schedule.hall_hours == ("queue",)
    assert summary.schedule.holidays == 1
    assert summary.schedule.next_holiday == date(2026, 10, 1)
    old = ctx.mode.schedule
    site.write_text(base + '[schedule]\nmon = ["08:00-20:00"]\n', "utf-8")
    flow.reload_catalogue()
    assert ctx.mode.schedule is not old
    assert flow.state.catalogue is not None and flow.state.catalogue.schedule is not None
    assert flow.state.catalogue.schedule.week[0] == "08:00-20:00"
    kept = ctx.mode.schedule
    site.write_text(base + '[schedule]\nmon = ["20:00-08:00"]\n', "utf-8")
    flow.reload_catalogue()
    assert flow.state.notice is not None and flow.state.notice.msgid == "目录未重新载入：{reason}"
    assert "schedule.mon" in str(dict(flow.state.notice.params)["reason"])
    assert ctx.mode.schedule is kept
