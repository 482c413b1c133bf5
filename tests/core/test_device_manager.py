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

WAIT_S = 5.0


class Recorder:
    """Collects events from the bus and lets a test wait for one without sleeping blindly."""

    def __init__(self, bus: EventBus, *types: type) -> None:
        self.events: list[object] = []
        self._cond = threading.Condition()
        for t in types:
            bus.subscribe(t, self._on)

    def _on(self, event: object) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate, timeout: float = WAIT_S) -> object:
        with self._cond:
            found: list[object] = []

            def match() -> bool:
                found[:] = [e for e in self.events if predicate(e)]
                return bool(found)

            assert self._cond.wait_for(match, timeout), f"no matching event in {self.events}"
            return found[0]

    def count(self, predicate) -> int:
        with self._cond:
            return sum(1 for e in self.events if predicate(e))


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
