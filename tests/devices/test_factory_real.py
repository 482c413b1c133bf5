"""The configuration picks real drivers, and the device manager runs them over real ptys."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from drivers.factory import UnknownDriver, build_device, build_devices
from drivers.idcard.emulator import SamReaderEmulator
from drivers.idcard.sam import SamIdCardReader
from drivers.idcard.samples import SAMPLE_CARDS
from drivers.locker.board import SerialLockerBoard
from drivers.locker.emulator import Emulator8A
from drivers.printer.escpos_printer import EscposPrinter
from drivers.scanner.serial_scanner import SerialScanner
from drivers.scanner.wedge_scanner import WedgeScanner
from kiosk.config import load_config
from kiosk.devices import DeviceManager
from kiosk.events import CardInserted, CardRemoved, DoorChanged, EventBus


def site(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_site_config_selects_each_real_driver(tmp_path):
    """Given a site file naming real drivers, when building, then each is the real class."""
    config = load_config(site(tmp_path, """
[devices.idcard]
driver = "sam"
port = "loop://"
[devices.scanner]
driver = "serial"
port = "loop://"
settings = { suffix = "crlf" }
[devices.printer]
driver = "file"
port = "%s"
[devices.locker]
driver = "kerong"
port = "loop://"
settings = { board = 0, doors = 16 }
[devices.camera]
enabled = false
""" % (tmp_path / "printer.bin")))
    devices = build_devices(config, simulate=False, data_dir=tmp_path)
    assert isinstance(devices["idcard"], SamIdCardReader)
    assert isinstance(devices["scanner"], SerialScanner)
    assert isinstance(devices["printer"], EscposPrinter)
    assert isinstance(devices["locker"], SerialLockerBoard)
    assert "camera" not in devices


def test_simulate_flag_overrides_real_drivers(tmp_path):
    config = load_config(site(tmp_path, '[devices.locker]\ndriver = "8a"\nport = "/dev/null"\n'))
    devices = build_devices(config, simulate=True, data_dir=tmp_path)
    assert type(devices["locker"]).__name__ == "SimulatedLocker"


def test_wedge_scanner_is_built_from_settings(tmp_path):
    config = load_config(site(tmp_path, '[devices.scanner]\ndriver = "wedge"\n'
                                        'settings = { max_key_gap_ms = 20, min_length = 6 }\n'))
    scanner = build_device("scanner", config.devices.scanner, simulate=False, data_dir=tmp_path)
    assert isinstance(scanner, WedgeScanner)
    # six keys 5 ms apart then Enter: a scan; five would be typing (min_length = 6)
    for i, key in enumerate("QR1234"):
        assert scanner.feed_key(key, i * 0.005) == []
    assert scanner.feed_key("enter", 0.030) == []
    assert scanner.read_code(0.1).text == "QR1234"


def test_a_driver_of_another_kind_is_refused(tmp_path):
    config = load_config(None)
    from dataclasses import replace

    wrong = replace(config.devices.locker, driver="sam")
    with pytest.raises(UnknownDriver, match="devices.locker.driver = 'sam'"):
        build_device("locker", wrong, simulate=False, data_dir=tmp_path)


def test_manager_reads_a_card_and_opens_a_door_through_the_real_drivers(tmp_path):
    """Given the SAM reader and an 8A board emulated on ptys, when a card is laid on the reader
    and a door is opened, then the manager publishes the card and the door change."""
    with SamReaderEmulator() as reader_emu, Emulator8A(board=1, doors=8) as board_emu:
        config = load_config(site(tmp_path, f"""
[devices.idcard]
driver = "sam"
port = "{reader_emu.port}"
timeout = 0.3
[devices.locker]
driver = "8a"
port = "{board_emu.port}"
timeout = 0.3
settings = {{ board = 1, doors = 8 }}
[devices.scanner]
enabled = false
[devices.printer]
enabled = false
[devices.camera]
enabled = false
"""))
        bus = EventBus()
        got: dict[type, list[object]] = {CardInserted: [], CardRemoved: [], DoorChanged: []}
        cond = threading.Condition()

        def on(event: object) -> None:
            with cond:
                got[type(event)].append(event)
                cond.notify_all()

        for t in got:
            bus.subscribe(t, on)
        manager = DeviceManager(build_devices(config, simulate=False, data_dir=tmp_path), bus,
                                poll_s=0.05, health_s=0.1, door_poll_s=0.05)
        manager.start()
        try:
            reader_emu.present(SAMPLE_CARDS["elderly"])
            with cond:
                assert cond.wait_for(lambda: got[CardInserted], 5.0)
            assert got[CardInserted][0].card.id_number == SAMPLE_CARDS["elderly"].id_number
            reader_emu.remove()
            with cond:
                assert cond.wait_for(lambda: got[CardRemoved], 5.0)
            manager.run_job("locker", lambda b: b.open_door(3)).result(timeout=5.0)
            with cond:
                assert cond.wait_for(
                    lambda: any(e.door == 3 and e.state.is_open for e in got[DoorChanged]), 5.0)
        finally:
            manager.stop()


def test_simulated_tells_simulators_from_real_drivers(tmp_path):
    """Given the devices built for --simulate and real drivers / then only the simulators are
    ``simulated`` (what the sim panel may drive)."""
    from drivers.factory import simulated

    config = load_config(site(tmp_path, ""))
    sims = build_devices(config, simulate=True, data_dir=tmp_path)
    assert sims and all(simulated(device) for device in sims.values())
    assert not simulated(SamIdCardReader(str(tmp_path / "ttyNone")))
    assert not simulated(SerialLockerBoard(str(tmp_path / "ttyNone")))
    assert not simulated(None)
