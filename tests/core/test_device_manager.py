"""The device manager on simulators: events out, health tracked, failed devices come back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import Fault, HealthState
from drivers.idcard.samples import SAMPLE_CARDS
from drivers.idcard.simulated import SimulatedIdCardReader
from drivers.locker.simulated import SimulatedLocker
from drivers.printer.layout import Receipt
from drivers.printer.simulated import SimulatedPrinter
from drivers.scanner.simulated import SimulatedScanner
from kiosk.devices import DeviceManager
from kiosk.events import (
    CardInserted,
    CardRemoved,
    CardUnreadable,
    CodeScanned,
    DeviceHealthChanged,
    DoorChanged,
    EventBus,
)
from tests.recorder import WAIT_S, Recorder


@pytest.fixture
def rig(tmp_path: Path) -> Iterator[tuple[DeviceManager, Recorder, dict]]:
    devices = {
        "idcard": SimulatedIdCardReader(),
        "scanner": SimulatedScanner(),
        "printer": SimulatedPrinter(tmp_path / "printouts"),
        "locker": SimulatedLocker(doors=4),
    }
    bus = EventBus()
    rec = Recorder(bus, CardInserted, CardRemoved, CardUnreadable, CodeScanned,
                   DeviceHealthChanged, DoorChanged)
    manager = DeviceManager(devices, bus, poll_s=0.02, health_s=0.05, door_poll_s=0.02)
    manager.start()
    try:
        yield manager, rec, devices
    finally:
        manager.stop()


def test_a_card_is_announced_once_while_it_stays_and_removal_is_announced(rig):
    """Given a running manager, when a card is laid down, held and removed, then exactly one
    CardInserted and one CardRemoved are published."""
    manager, rec, devices = rig
    devices["idcard"].present(SAMPLE_CARDS["resident"])
    event = rec.wait_for(lambda e: isinstance(e, CardInserted))
    assert event.card.name == SAMPLE_CARDS["resident"].name
    devices["idcard"].remove()
    rec.wait_for(lambda e: isinstance(e, CardRemoved))
    assert rec.count(lambda e: isinstance(e, CardInserted)) == 1


def test_a_scan_is_published(rig):
    manager, rec, devices = rig
    devices["scanner"].scan("APPT-20261121-0007")
    event = rec.wait_for(lambda e: isinstance(e, CodeScanned))
    assert event.code.text == "APPT-20261121-0007"


def test_printing_runs_as_a_job_and_returns_the_bytes(rig):
    manager, rec, devices = rig
    future = manager.run_job("printer", lambda p: p.print_receipt(Receipt().text("A001")))
    data = future.result(timeout=WAIT_S)
    assert data.startswith(b"\x1b@") and b"A001" in data


def test_a_printer_out_of_paper_fails_the_job_with_a_typed_error(rig):
    from drivers.printer.base import PaperOut

    manager, rec, devices = rig
    devices["printer"].inject(Fault.PAPER_OUT)
    future = manager.run_job("printer", lambda p: p.print_receipt(Receipt().text("A002")))
    with pytest.raises(PaperOut):
        future.result(timeout=WAIT_S)


def test_an_unplugged_device_goes_offline_and_comes_back_when_replugged(rig):
    """Given a working scanner, when it is unplugged, then health turns offline with a reason;
    when it is plugged back, then the watchdog reopens it without a restart."""
    manager, rec, devices = rig
    devices["scanner"].inject(Fault.UNPLUGGED)
    rec.wait_for(lambda e: isinstance(e, DeviceHealthChanged) and e.kind == "scanner"
                 and e.health.state is HealthState.OFFLINE)
    assert manager.health("scanner").reason
    devices["scanner"].clear()
    rec.wait_for(lambda e: isinstance(e, DeviceHealthChanged) and e.kind == "scanner"
                 and e.health.state is HealthState.OK)
    devices["scanner"].scan("after-replug")
    assert rec.wait_for(lambda e: isinstance(e, CodeScanned)).code.text == "after-replug"


def test_a_garbled_card_read_is_reported_as_unreadable(rig):
    manager, rec, devices = rig
    devices["idcard"].inject(Fault.GARBAGE)
    devices["idcard"].present(SAMPLE_CARDS["resident"])
    event = rec.wait_for(lambda e: isinstance(e, CardUnreadable))
    assert event.message_zh


def test_door_changes_are_published(rig):
    manager, rec, devices = rig
    manager.run_job("locker", lambda b: b.open_door(2)).result(timeout=WAIT_S)
    rec.wait_for(lambda e: isinstance(e, DoorChanged) and e.door == 2 and e.state.is_open)
    devices["locker"].close_door(2)
    rec.wait_for(lambda e: isinstance(e, DoorChanged) and e.door == 2 and not e.state.is_open)


def test_stop_leaves_no_worker_threads(tmp_path):
    bus = EventBus()
    manager = DeviceManager({"scanner": SimulatedScanner()}, bus, poll_s=0.02, health_s=0.05)
    before = {t.name for t in threading.enumerate()}
    manager.start()
    manager.stop()
    after = {t.name for t in threading.enumerate() if t.name.startswith("device-")}
    assert not (after - before)


def test_a_garbled_scan_degrades_the_scanner_but_keeps_it_in_service(rig):
    """Given a scanner that sends one garbled frame, when it is read, then the scanner is
    degraded (not offline) and the next good scan still arrives."""
    manager, rec, devices = rig
    devices["scanner"].inject(Fault.GARBAGE)
    devices["scanner"].scan("smudged")
    rec.wait_for(lambda e: isinstance(e, DeviceHealthChanged) and e.kind == "scanner"
                 and e.health.state is HealthState.DEGRADED)
    devices["scanner"].clear()
    devices["scanner"].scan("clean")
    assert rec.wait_for(lambda e: isinstance(e, CodeScanned)).code.text == "clean"
    assert manager.health("scanner").state is not HealthState.OFFLINE


# ---- supervision ------------------------------------------------------------------------------
class ReaderWithAnUnmappedQuirk(SimulatedIdCardReader):
    """A reader whose next poll raises what no driver maps (like termios.error used to)."""

    def __init__(self) -> None:
        super().__init__()
        self.quirks_left = 1

    def read_card(self, timeout: float):
        if self.quirks_left:
            self.quirks_left -= 1
            raise RuntimeError("tcflush: (5, 'Input/output error')")
        return super().read_card(timeout)


class ScannerWhoseHealthRaises(SimulatedScanner):
    def health(self):
        raise RuntimeError("health check exploded")


def offline(kind: str):
    return lambda e: (isinstance(e, DeviceHealthChanged) and e.kind == kind
                      and e.health.state is HealthState.OFFLINE)


def ok(kind: str):
    return lambda e: (isinstance(e, DeviceHealthChanged) and e.kind == kind
                      and e.health.state is HealthState.OK)


def test_an_unexpected_exception_in_a_poll_loop_is_reported_and_the_loop_restarted():
    """Given a reader whose poll raises an exception that is no DeviceError / then the reader
    goes offline with that reason (not silently dead); the watchdog reopens it and starts a new
    loop / then a card laid on it is read."""
    reader = ReaderWithAnUnmappedQuirk()
    bus = EventBus()
    rec = Recorder(bus, DeviceHealthChanged, CardInserted)
    manager = DeviceManager({"idcard": reader}, bus, poll_s=0.02, health_s=0.05)
    manager.start()
    try:
        event = rec.wait_for(offline("idcard"))
        assert "RuntimeError" in event.health.reason and "tcflush" in event.health.reason
        mark = rec.mark()
        rec.wait_for(ok("idcard"), after=mark)
        assert manager.restarts == 1
        reader.present(SAMPLE_CARDS["resident"])
        assert rec.wait_for(lambda e: isinstance(e, CardInserted), after=mark).card
    finally:
        manager.stop()


def test_a_job_failing_with_a_non_device_error_marks_offline_then_the_device_comes_back(rig):
    """Given a job that raises a plain exception / then the Future carries it, the device is
    offline with the reason, and the watchdog reopens it to ok."""
    manager, rec, devices = rig

    def broken(_printer: object) -> None:
        raise KeyError("layout slot")

    mark = rec.mark()
    with pytest.raises(KeyError):
        manager.run_job("printer", broken).result(timeout=WAIT_S)
    event = rec.wait_for(offline("printer"), after=mark)
    assert "KeyError" in event.health.reason
    rec.wait_for(ok("printer"), after=mark)
    assert manager.run_job("printer", lambda p: p.print_receipt(Receipt().text("A003"))) \
        .result(timeout=WAIT_S)


def test_a_device_whose_health_check_raises_is_offline_and_the_watchdog_serves_the_rest():
    """Given one device whose health() raises on every call, next to a locker / when the locker
    is unplugged and plugged back / then the watchdog still brings the locker back."""
    locker = SimulatedLocker(doors=2)
    bus = EventBus()
    rec = Recorder(bus, DeviceHealthChanged)
    manager = DeviceManager({"scanner": ScannerWhoseHealthRaises(), "locker": locker}, bus,
                            poll_s=0.02, health_s=0.05, door_poll_s=0.02)
    manager.start()
    try:
        event = rec.wait_for(offline("scanner"))
        assert "health check exploded" in event.health.reason
        rec.wait_for(ok("locker"))
        mark = rec.mark()
        locker.inject(Fault.UNPLUGGED)
        rec.wait_for(offline("locker"), after=mark)
        locker.clear(Fault.UNPLUGGED)
        rec.wait_for(ok("locker"), after=mark)
        assert any(t.name == "device-health" for t in threading.enumerate())
    finally:
        manager.stop()
