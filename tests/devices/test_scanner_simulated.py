"""SimulatedScanner: queued codes, waiting without a busy loop, and its injected faults."""

from __future__ import annotations

import threading
import time

import pytest

from drivers.base import DeviceUnplugged, Fault, HealthState, ProtocolError
from drivers.scanner.base import ScannedCode
from drivers.scanner.simulated import SimulatedScanner


@pytest.fixture
def scanner():
    sim = SimulatedScanner()
    sim.open()
    yield sim
    sim.close()


def test_scanned_code_is_read_in_order(scanner):
    """Given two codes scanned, when read, then they come back in order, then None."""
    scanner.scan("A-0042")
    scanner.scan("6901234567892", "EAN13")
    assert scanner.read_code(timeout=1.0) == ScannedCode("A-0042", "QRCode", "scanner")
    assert scanner.read_code(timeout=1.0) == ScannedCode("6901234567892", "EAN13", "scanner")
    assert scanner.read_code(timeout=0.01) is None
    assert scanner.health().state is HealthState.OK


def test_waiting_reader_wakes_on_scan(scanner):
    """Given a reader waiting up to 10 s, when another thread scans, then the reader returns the
    code at once (woken, not polling until its timeout)."""
    got: list[ScannedCode | None] = []
    reader = threading.Thread(target=lambda: got.append(scanner.read_code(timeout=10.0)))
    started = time.monotonic()
    reader.start()
    scanner.scan("A-0042")
    reader.join(timeout=5.0)
    assert got == [ScannedCode("A-0042", "QRCode", "scanner")]
    assert time.monotonic() - started < 2.0


def test_unplugged_fault_wakes_reader_and_raises(scanner):
    """Given a reader waiting, when UNPLUGGED is injected, then the reader gets DeviceUnplugged
    promptly and health is OFFLINE; clearing it makes the scanner usable again."""
    errors: list[BaseException] = []

    def read() -> None:
        try:
            scanner.read_code(timeout=10.0)
        except DeviceUnplugged as exc:
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    deadline = time.monotonic() + 5.0
    while not errors and reader.is_alive() and time.monotonic() < deadline:
        scanner.inject(Fault.UNPLUGGED)  # idempotent; repeated in case the reader was late
        reader.join(timeout=0.05)
    assert len(errors) == 1
    assert scanner.health().state is HealthState.OFFLINE
    scanner.clear(Fault.UNPLUGGED)
    scanner.scan("BACK")
    assert scanner.read_code(timeout=1.0) == ScannedCode("BACK", "QRCode", "scanner")


def test_timeout_fault_holds_codes_back(scanner):
    """Given TIMEOUT injected, when a code is scanned, then read_code returns None after its
    timeout and health is DEGRADED; once cleared, the held code is delivered."""
    scanner.inject(Fault.TIMEOUT)
    scanner.scan("HELD")
    started = time.monotonic()
    assert scanner.read_code(timeout=0.1) is None
    assert time.monotonic() - started >= 0.09
    assert scanner.health().state is HealthState.DEGRADED
    scanner.clear(Fault.TIMEOUT)
    assert scanner.read_code(timeout=1.0) == ScannedCode("HELD", "QRCode", "scanner")


def test_garbage_fault_raises_protocol_error(scanner):
    """Given GARBAGE injected, when a code is scanned and read, then ProtocolError with the
    citizen message; after clearing, codes read normally."""
    scanner.inject(Fault.GARBAGE)
    scanner.scan("LOST")
    with pytest.raises(ProtocolError) as info:
        scanner.read_code(timeout=1.0)
    assert info.value.message_zh == "扫码内容无法识别，请重新扫码"
    scanner.clear()
    scanner.scan("OK")
    assert scanner.read_code(timeout=1.0).text == "OK"


def test_open_while_unplugged_raises():
    """Given UNPLUGGED before open, when opened, then DeviceUnplugged."""
    sim = SimulatedScanner()
    sim.inject(Fault.UNPLUGGED)
    with pytest.raises(DeviceUnplugged):
        sim.open()


def test_a_printout_held_under_the_scanner_is_decoded_and_scanned(scanner, tmp_path):
    """Given a picture with two QR codes / when it is held under the scanner preferring one
    prefix / then that code is scanned and read; given a blank picture / then None and nothing
    is queued."""
    import cv2
    import numpy as np
    import qrcode

    left, right = (np.array(qrcode.make(t).convert("L")) for t in ("RATE:42", "https://q/A001"))
    page = np.full((max(left.shape[0], right.shape[0]), left.shape[1] + right.shape[1] + 40),
                   255, np.uint8)
    page[:left.shape[0], :left.shape[1]] = left
    page[:right.shape[0], left.shape[1] + 40:] = right
    cv2.imwrite(str(tmp_path / "ticket.png"), page)
    assert scanner.scan_picture(tmp_path / "ticket.png", prefer="https://q/") == "https://q/A001"
    assert scanner.read_code(timeout=1.0).text == "https://q/A001"

    cv2.imwrite(str(tmp_path / "blank.png"), np.full((200, 300), 230, np.uint8))
    assert scanner.scan_picture(tmp_path / "blank.png") is None
    assert scanner.read_code(timeout=0.01) is None
