"""One fixture per emulated device, all on the shared pty scaffold (``drivers.pty_link``).

Each emulator plugs in at a stable path under the test's ``tmp_path``; ``unplug()`` closes the
pty and removes the path as a pulled cable does, ``replug()`` plugs a fresh pty in at the same
path. ``manager_rig`` starts a ``DeviceManager`` over whatever real drivers a test hands it, with
short periods, and stops every manager it started.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from drivers.base import Device
from drivers.idcard.emulator import SamReaderEmulator
from drivers.locker.emulator import Emulator8A, EmulatorKerong, LockerBoardEmulator
from drivers.printer.emulator import PtyPrinterEmulator
from drivers.scanner.emulator import ScannerEmulator
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
from tests.recorder import Recorder

FAST_PERIODS = {"poll_s": 0.05, "health_s": 0.05, "door_poll_s": 0.05, "status_poll_s": 0.05}

StartManager = Callable[[Mapping[str, Device]], tuple[DeviceManager, Recorder]]


@pytest.fixture
def idcard_emulator(tmp_path: Path) -> Iterator[SamReaderEmulator]:
    with SamReaderEmulator(link=tmp_path / "ttyIdCard") as emulator:
        yield emulator


@pytest.fixture
def scanner_emulator(tmp_path: Path) -> Iterator[ScannerEmulator]:
    with ScannerEmulator("cr", link=tmp_path / "ttyScanner") as emulator:
        yield emulator


@pytest.fixture(params=["8a", "kerong"])
def locker_emulator(request: pytest.FixtureRequest,
                    tmp_path: Path) -> Iterator[LockerBoardEmulator]:
    cls = Emulator8A if request.param == "8a" else EmulatorKerong
    with cls(board=1, link_dir=tmp_path) as emulator:
        yield emulator


@pytest.fixture
def printer_emulator() -> Iterator[PtyPrinterEmulator]:
    with PtyPrinterEmulator() as emulator:
        yield emulator


@pytest.fixture
def manager_rig() -> Iterator[StartManager]:
    managers: list[DeviceManager] = []

    def start(devices: Mapping[str, Device]) -> tuple[DeviceManager, Recorder]:
        bus = EventBus()
        recorder = Recorder(bus, CardInserted, CardRemoved, CardUnreadable, CodeScanned,
                            DeviceHealthChanged, DoorChanged)
        manager = DeviceManager(devices, bus, **FAST_PERIODS)
        managers.append(manager)
        manager.start()
        return manager, recorder

    yield start
    for manager in managers:
        manager.stop()
