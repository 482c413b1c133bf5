"""The device manager with the real serial drivers against their emulators on real ptys.

The field failure this pins: a reader unplugged while idle raised ``termios.error`` from
``reset_input_buffer``, the polling thread died, home kept showing the reader as working and no
card was read again after replugging. Now every serial device, unplugged while idle (or mid-read),
is reported offline with the transport's reason, and comes back by itself when plugged in again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from drivers.base import HealthState
from drivers.idcard.emulator import SamReaderEmulator
from drivers.idcard.protocol import Command
from drivers.idcard.sam import SamIdCardReader
from drivers.idcard.samples import SAMPLE_CARDS
from drivers.locker.board import SerialLockerBoard
from drivers.locker.emulator import LockerBoardEmulator
from drivers.printer.connections import Connection, ConnectionKind
from drivers.printer.emulator import PtyPrinterEmulator
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.layout import Receipt
from drivers.printer.profile import PrinterProfile
from drivers.scanner.emulator import ScannerEmulator
from drivers.scanner.serial_scanner import SerialScanner
from kiosk.events import CardInserted, CodeScanned, DeviceHealthChanged, DoorChanged
from tests.devices.conftest import StartManager
from tests.recorder import WAIT_S

RESIDENT = SAMPLE_CARDS["resident"]


def health_is(kind: str, state: HealthState) -> Callable[[object], bool]:
    return lambda e: (isinstance(e, DeviceHealthChanged) and e.kind == kind
                      and e.health.state is state)


def sam_reader(port: str, poll_interval: float = 0.02) -> SamIdCardReader:
    return SamIdCardReader(port, timeout=0.3, poll_interval=poll_interval)


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.005)  # polling a plain attribute against a deadline: no event to wait on


# ---- ID card reader ---------------------------------------------------------------------------
def test_idcard_unplugged_while_idle_goes_offline_and_reads_again_after_replug(
        idcard_emulator: SamReaderEmulator, manager_rig: StartManager) -> None:
    """Given a manager polling an empty SAM reader / when its cable is pulled / then the reader
    is offline with the transport's reason and its loop was not lost; when plugged back / then
    it is ok again and a card laid on it is read and published."""
    # idle = between two polls (0.3 s apart), where the next poll's first act is clearing the
    # input: the tcflush that raised termios.error on the dead pty
    manager, rec = manager_rig({"idcard": sam_reader(idcard_emulator.port, poll_interval=0.3)})
    rec.wait_for(health_is("idcard", HealthState.OK))
    polls = len(idcard_emulator.requests)
    wait_until(lambda: len(idcard_emulator.requests) > polls, "a find (20 01) poll")
    mark = rec.mark()
    idcard_emulator.unplug()
    event = rec.wait_for(health_is("idcard", HealthState.OFFLINE), after=mark)
    assert event.health.reason.startswith("ID card reader"), event.health.reason  # typed error
    assert idcard_emulator.port in event.health.reason
    assert manager.restarts == 0  # handled in the loop, not by the watchdog

    mark = rec.mark()
    idcard_emulator.replug()
    rec.wait_for(health_is("idcard", HealthState.OK), after=mark)
    idcard_emulator.present(RESIDENT)
    inserted = rec.wait_for(lambda e: isinstance(e, CardInserted), after=mark)
    assert inserted.card.id_number == RESIDENT.id_number
    assert manager.is_usable("idcard")


def test_idcard_unplugged_in_the_middle_of_a_read_is_read_after_replug(
        idcard_emulator: SamReaderEmulator, manager_rig: StartManager) -> None:
    """Given a reader that loses its cable half way through the read reply / then offline,
    naming the read, and no card published; when plugged back with the card still on it / then
    the card is read once."""
    manager, rec = manager_rig({"idcard": sam_reader(idcard_emulator.port)})
    rec.wait_for(health_is("idcard", HealthState.OK))
    idcard_emulator.unplug_mid_frame(Command.READ)
    mark = rec.mark()
    idcard_emulator.present(RESIDENT)
    event = rec.wait_for(health_is("idcard", HealthState.OFFLINE), after=mark)
    assert "disconnected during read (30 01)" in event.health.reason
    assert rec.count(lambda e: isinstance(e, CardInserted)) == 0

    idcard_emulator.replug()
    rec.wait_for(health_is("idcard", HealthState.OK), after=mark)
    inserted = rec.wait_for(lambda e: isinstance(e, CardInserted), after=mark)
    assert inserted.card.name == RESIDENT.name
    assert rec.count(lambda e: isinstance(e, CardInserted)) == 1


def test_idcard_replaced_by_another_reader_on_the_same_path(
        tmp_path: Path, manager_rig: StartManager) -> None:
    """Given a reader that is gone for good (its emulator stopped) / then offline; when another
    reader is plugged in under the same path / then ok and it reads the card on it."""
    port = tmp_path / "ttyIdCard"
    first = SamReaderEmulator(link=port).start()
    manager, rec = manager_rig({"idcard": sam_reader(str(port))})
    rec.wait_for(health_is("idcard", HealthState.OK))
    mark = rec.mark()
    first.stop()
    rec.wait_for(health_is("idcard", HealthState.OFFLINE), after=mark)
    with SamReaderEmulator(RESIDENT, link=port):
        rec.wait_for(health_is("idcard", HealthState.OK), after=mark)
        inserted = rec.wait_for(lambda e: isinstance(e, CardInserted), after=mark)
        assert inserted.card.id_number == RESIDENT.id_number


# ---- the other serial devices -----------------------------------------------------------------
def test_serial_scanner_unplugged_while_idle_comes_back_and_scans(
        scanner_emulator: ScannerEmulator, manager_rig: StartManager) -> None:
    """Given an idle serial scanner / when unplugged / then offline with the reason; when
    replugged / then ok and the next code is published."""
    scanner = SerialScanner(scanner_emulator.path, timeout=0.1, reconnect_interval=0.05)
    manager, rec = manager_rig({"scanner": scanner})
    rec.wait_for(health_is("scanner", HealthState.OK))
    mark = rec.mark()
    scanner_emulator.unplug()
    event = rec.wait_for(health_is("scanner", HealthState.OFFLINE), after=mark)
    assert scanner_emulator.path in event.health.reason
    scanner_emulator.replug()
    rec.wait_for(health_is("scanner", HealthState.OK), after=mark)
    scanner_emulator.scan("APPT-0042")
    code = rec.wait_for(lambda e: isinstance(e, CodeScanned), after=mark)
    assert code.code.text == "APPT-0042"


def test_locker_board_unplugged_while_idle_comes_back_and_opens_a_door(
        locker_emulator: LockerBoardEmulator, manager_rig: StartManager) -> None:
    """Given an idle lock board (8A and Kerong) / when unplugged / then offline naming the
    adapter; when replugged / then ok and a door opened as a job is published as open."""
    board = SerialLockerBoard(locker_emulator.port, protocol=locker_emulator.family, board=1,
                              timeout=0.15)
    manager, rec = manager_rig({"locker": board})
    rec.wait_for(health_is("locker", HealthState.OK))
    mark = rec.mark()
    locker_emulator.unplug()
    event = rec.wait_for(health_is("locker", HealthState.OFFLINE), after=mark)
    assert "USB–RS485" in event.health.reason
    locker_emulator.replug()
    rec.wait_for(health_is("locker", HealthState.OK), after=mark)
    manager.run_job("locker", lambda b: b.open_door(3)).result(timeout=WAIT_S)
    rec.wait_for(lambda e: isinstance(e, DoorChanged) and e.door == 3 and e.state.is_open,
                 after=mark)
    assert locker_emulator.is_open(3)


def test_serial_printer_unplugged_while_idle_comes_back_and_prints(
        printer_emulator: PtyPrinterEmulator, manager_rig: StartManager) -> None:
    """Given an idle serial receipt printer / when its cable is pulled / then the status poll
    reports it offline with the reason; when replugged / then ok and a ticket prints."""
    printer = EscposPrinter(Connection(ConnectionKind.SERIAL, printer_emulator.port, 19200),
                            PrinterProfile(), timeout=0.3)
    manager, rec = manager_rig({"printer": printer})
    rec.wait_for(health_is("printer", HealthState.OK))
    mark = rec.mark()
    printer_emulator.unplug()
    event = rec.wait_for(health_is("printer", HealthState.OFFLINE), after=mark)
    assert printer_emulator.port in event.health.reason
    printer_emulator.replug()
    rec.wait_for(health_is("printer", HealthState.OK), after=mark)
    data = manager.run_job("printer", lambda p: p.print_receipt(Receipt().text("A001"))) \
        .result(timeout=WAIT_S)
    assert b"A001" in data
    assert data in printer_emulator.core.wait_for(len(data))
