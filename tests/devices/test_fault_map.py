"""One fault → health/error map for every simulator (``drivers.faults``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers import faults
from drivers.base import Device, DeviceTimeout, DeviceUnplugged, Fault, HealthState
from drivers.faults import FaultEffect
from drivers.idcard.simulated import SimulatedIdCardReader
from drivers.locker.simulated import SimulatedLocker
from drivers.printer.base import PrinterOffline
from drivers.printer.simulated import SimulatedPrinter
from drivers.scanner.simulated import SimulatedScanner

KINDS = ["idcard", "scanner", "printer", "locker"]


def simulator(kind: str, tmp_path: Path) -> Device:
    device: Device = {"idcard": SimulatedIdCardReader, "scanner": SimulatedScanner,
                      "locker": SimulatedLocker,
                      "printer": lambda: SimulatedPrinter(tmp_path / "printouts")}[kind]()
    device.open()
    return device


@pytest.mark.parametrize("kind", KINDS)
def test_a_changed_row_changes_every_simulator(kind, tmp_path, monkeypatch):
    """Given the UNPLUGGED row changed in the map / when a simulator is unplugged / then its
    health is exactly the new row: no simulator keeps its own copy of the mapping."""
    device = simulator(kind, tmp_path)
    monkeypatch.setitem(faults.FAULT_EFFECTS, Fault.UNPLUGGED,
                        FaultEffect(HealthState.DEGRADED, "cable loose (test row)"))
    monkeypatch.delitem(faults.KIND_EFFECTS, (kind, Fault.UNPLUGGED), raising=False)
    device.inject(Fault.UNPLUGGED)  # type: ignore[attr-defined]
    health = device.health()
    assert (health.state, health.reason) == (HealthState.DEGRADED,
                                             f"simulated {kind}: cable loose (test row)")


@pytest.mark.parametrize(("kind", "fault", "error"), [
    ("idcard", Fault.UNPLUGGED, DeviceUnplugged), ("idcard", Fault.TIMEOUT, DeviceTimeout),
    ("scanner", Fault.UNPLUGGED, DeviceUnplugged), ("locker", Fault.UNPLUGGED, DeviceUnplugged),
    ("locker", Fault.TIMEOUT, DeviceTimeout), ("printer", Fault.UNPLUGGED, PrinterOffline),
])
def test_faults_that_fail_every_call_fail_open_with_the_mapped_error(kind, fault, error,
                                                                     tmp_path):
    """Given a fault whose row names an error / when the simulator is (re)opened / then that
    error, with the kind's name in Chinese for the kiosk, and offline health."""
    device = simulator(kind, tmp_path)
    device.close()
    device.inject(fault)  # type: ignore[attr-defined]
    with pytest.raises(error) as caught:
        device.open()
    assert caught.value.message_zh.startswith(faults.DEVICE_NAMES_ZH[kind])
    assert device.health().state is HealthState.OFFLINE


def test_the_worst_fault_wins(tmp_path):
    """Given a printer near the end of its roll and then unplugged / then it shows unplugged;
    plugged back / then near end again."""
    printer = simulator("printer", tmp_path)
    printer.inject(Fault.PAPER_NEAR_END)  # type: ignore[attr-defined]
    printer.inject(Fault.UNPLUGGED)  # type: ignore[attr-defined]
    assert printer.health().reason == "simulated printer: unplugged"
    printer.clear(Fault.UNPLUGGED)  # type: ignore[attr-defined]
    assert printer.health() == faults.fault_health("printer", {Fault.PAPER_NEAR_END})
    assert printer.health().state is HealthState.DEGRADED
