"""SerialScanner over a real pseudo-terminal to the scanner emulator, and ``scanner listen``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drivers.base import DeviceUnplugged, HealthState, ProtocolError
from drivers.scanner.base import ScannedCode
from drivers.scanner.emulator import ScannerEmulator
from drivers.scanner.serial_scanner import SerialScanner
from kiosk.cli import main


@pytest.fixture
def emulator(tmp_path: Path) -> Iterator[ScannerEmulator]:
    with ScannerEmulator("cr", link=tmp_path / "ttyScanner") as em:
        yield em


def _scanner(em: ScannerEmulator, suffix: str = "cr") -> SerialScanner:
    scanner = SerialScanner(em.path, timeout=0.2, suffix=suffix,  # type: ignore[arg-type]
                            reconnect_interval=0.05)
    scanner.open()
    return scanner


@pytest.mark.parametrize("suffix", ["cr", "lf", "crlf", "none"])
def test_code_arrives_with_each_suffix(emulator, suffix):
    """Given a scanner configured with ``suffix``, when the emulator sends a Chinese code with
    that suffix, then read_code returns exactly the text and health is OK."""
    emulator.suffix = suffix
    scanner = _scanner(emulator, suffix)
    try:
        sent = emulator.scan("办事大厅 预约码 A-0042")
        assert sent.startswith("办事".encode())
        code = scanner.read_code(timeout=2.0)
        assert code == ScannedCode("办事大厅 预约码 A-0042", "unknown", "scanner")
        assert scanner.health().state is HealthState.OK
    finally:
        scanner.close()


def test_split_writes_and_two_codes_in_one_write(emulator):
    """Given a CR scanner, when one code arrives in two writes and then two codes in one write,
    then all three come out in order and nothing more."""
    scanner = _scanner(emulator)
    try:
        emulator.send_raw(b"A-00")
        emulator.send_raw(b"42\r")
        emulator.send_raw(b"B-0043\rC-0044\r")
        texts = [scanner.read_code(timeout=2.0) for _ in range(3)]
        assert [c.text for c in texts if c] == ["A-0042", "B-0043", "C-0044"]
        assert scanner.read_code(timeout=0.05) is None
    finally:
        scanner.close()


def test_gb18030_scanner(tmp_path):
    """Given an older scanner that sends GB18030, when it scans Chinese text, then it decodes."""
    with ScannerEmulator("cr", encoding="gb18030") as em:
        scanner = _scanner(em)
        try:
            assert em.scan("办事大厅") == b"\xb0\xec\xca\xc2\xb4\xf3\xcc\xfc\r"
            code = scanner.read_code(timeout=2.0)
            assert code is not None and code.text == "办事大厅"
        finally:
            scanner.close()


def test_garbage_raises_protocol_error_then_recovers(emulator):
    """Given a wrong-baud burst followed by a good code, when read, then the first read raises
    ProtocolError (health DEGRADED) and the next returns the good code (health OK)."""
    scanner = _scanner(emulator)
    try:
        emulator.send_raw(b"\xff\xfe\x80\r")
        emulator.scan("OK-1")
        with pytest.raises(ProtocolError, match="ff fe 80"):
            scanner.read_code(timeout=2.0)
        assert scanner.health().state is HealthState.DEGRADED
        assert scanner.read_code(timeout=2.0) == ScannedCode("OK-1", "unknown", "scanner")
        assert scanner.health().state is HealthState.OK
    finally:
        scanner.close()


def test_unplug_then_replug_on_the_same_path(emulator):
    """Given an open scanner, when the cable is pulled, then read_code raises DeviceUnplugged and
    health is OFFLINE with a reason; while still gone, read_code waits its timeout (no busy
    loop) and raises again; when plugged back, it reconnects and reads the next code."""
    scanner = _scanner(emulator)
    try:
        emulator.unplug()
        with pytest.raises(DeviceUnplugged, match="USB cable"):
            scanner.read_code(timeout=2.0)
        health = scanner.health()
        assert health.state is HealthState.OFFLINE and "port lost" in health.reason
        started = time.monotonic()
        with pytest.raises(DeviceUnplugged, match="still gone"):
            scanner.read_code(timeout=0.3)
        assert time.monotonic() - started >= 0.25

        emulator.replug()
        deadline = time.monotonic() + 5.0
        while scanner.health().state is not HealthState.OK:
            assert time.monotonic() < deadline, scanner.health()
            scanner.read_code(timeout=0.05)
        emulator.scan("AFTER-REPLUG")
        assert scanner.read_code(timeout=2.0) == ScannedCode("AFTER-REPLUG", "unknown", "scanner")
    finally:
        scanner.close()


def test_open_missing_port_is_unplugged_with_path(tmp_path):
    """Given a port path that does not exist, when opened, then DeviceUnplugged names the path
    and health is OFFLINE with the reason."""
    scanner = SerialScanner(str(tmp_path / "ttyNothing"))
    with pytest.raises(DeviceUnplugged, match="ttyNothing"):
        scanner.open()
    assert scanner.health().state is HealthState.OFFLINE
    assert "ttyNothing" in scanner.health().reason


def test_cli_listen_json(emulator, capsys):
    """Given a scanner sending a code every 50 ms, when ``scanner listen --count 2 --json`` runs,
    then it prints exactly two JSON lines with the code and exits 0."""
    stop = threading.Event()

    def keep_scanning() -> None:
        # pyserial flushes input on open, so keep scanning until the CLI has read enough
        while not stop.wait(0.05):
            emulator.scan("A-0042")

    feeder = threading.Thread(target=keep_scanning)
    feeder.start()
    try:
        code = main(["device", "scanner", "listen", "--port", emulator.path, "--count", "2",
                     "--json", "--wait", "5"])
    finally:
        stop.set()
        feeder.join()
    assert code == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line) for line in lines] == [
        {"text": "A-0042", "format": "unknown", "source": "scanner"}] * 2


def test_cli_listen_silent_port_fails_clearly(emulator, capsys):
    """Given a silent scanner, when ``listen --wait 0.3`` runs, then exit 1 with one line."""
    assert main(["device", "scanner", "listen", "--port", emulator.path, "--wait", "0.3"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no code from" in err[0]
