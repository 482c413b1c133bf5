"""EscposPrinter over real wires: a pty and a TCP socket to the byte-level printer emulator."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from config.schema import DeviceConfig
from drivers.base import HealthState, ProtocolError
from drivers.printer import status
from drivers.printer.base import (
    PaperOut,
    PaperStatus,
    PrinterError,
    PrinterOffline,
    PrintInterrupted,
)
from drivers.printer.connections import Connection, ConnectionKind
from drivers.printer.emulator import (
    EXPECTED,
    REPLIES,
    Answer,
    EmulatorCore,
    PtyPrinterEmulator,
    TcpPrinterEmulator,
)
from drivers.printer.escpos_printer import EscposPrinter
from drivers.printer.escpos_render import render_escpos
from drivers.printer.layout import Receipt
from drivers.printer.profile import PrinterProfile

TIMEOUT = 0.3
PAPER_Q, PRINTER_Q = b"\x10\x04\x04", b"\x10\x04\x01"
STATUS_QUERIES = PAPER_Q + PRINTER_Q


def ticket() -> Receipt:
    return Receipt().text("A023 社会民生", size=2).separator().qr("https://q.example/A023")


@pytest.fixture
def pty_printer() -> Iterator[tuple[PtyPrinterEmulator, EscposPrinter]]:
    emulator = PtyPrinterEmulator()
    printer = EscposPrinter(Connection(ConnectionKind.SERIAL, emulator.port, 19200),
                            PrinterProfile(), timeout=TIMEOUT)
    yield emulator, printer
    printer.close()
    emulator.stop()


# ---- the pure parser ------------------------------------------------------------------------
@pytest.mark.parametrize(("paper", "printer", "expected"), [
    (b"\x12", b"\x12", PaperStatus.OK),
    (b"\x1e", b"\x12", PaperStatus.NEAR_END),
    (b"\x16", b"\x12", PaperStatus.NEAR_END),  # one near-end sensor bit only
    (b"\x72", b"\x1a", PaperStatus.OUT),  # out beats the offline bit the same fault raises
    (b"\x32", None, PaperStatus.OUT),
    (b"\x12", b"\x1a", PaperStatus.OFFLINE),
    (b"", None, PaperStatus.OFFLINE),
    (b"\x12", b"", PaperStatus.OFFLINE),
    (b"\x1e\x12", b"\x12", PaperStatus.OK),  # a late reply before ours: the last byte counts
])
def test_status_bytes(paper, printer, expected):
    """Given DLE EOT 4 / DLE EOT 1 replies when parsed then the paper status is as Epson says."""
    assert status.paper_status(paper, printer) is expected


@pytest.mark.parametrize("garbage", [b"\xff", b"\x00", b"\x13", b"\x92"])
def test_status_garbage_is_a_protocol_error(garbage):
    """Given a byte without the fixed status bits when parsed then ProtocolError, not 'OK'."""
    with pytest.raises(ProtocolError):
        status.paper_status(garbage, None)


@settings(max_examples=300, deadline=None)
@given(paper=st.binary(max_size=4), printer=st.none() | st.binary(max_size=4))
def test_status_parser_total(paper, printer):
    """Given any bytes when parsed then a PaperStatus or a ProtocolError, nothing else."""
    with contextlib.suppress(ProtocolError):
        assert status.paper_status(paper, printer) in set(PaperStatus)


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=60), cuts=st.lists(st.integers(0, 80), max_size=5))
def test_emulator_stream_parser_ignores_chunking(data, cuts):
    """Given a byte stream with status queries when fed whole or split anywhere then the
    emulator answers the same and records the same bytes."""
    stream = data + PAPER_Q + data + PRINTER_Q
    whole = EmulatorCore(Answer.NEAR_END)
    expected = whole.feed(stream)
    split = EmulatorCore(Answer.NEAR_END)
    bounds = sorted({0, len(stream), *[c for c in cuts if c < len(stream)]})
    got = b"".join(split.feed(stream[a:b]) for a, b in zip(bounds, bounds[1:], strict=False))
    assert got == expected and split.received == stream


# ---- status over a real pty -----------------------------------------------------------------
@pytest.mark.parametrize("answer", [a for a in Answer if a is not Answer.GARBAGE])
def test_paper_status_over_pty(pty_printer, answer):
    """Given the emulated printer answering as {answer} when the kiosk asks over the pty
    then the status is the expected one and health follows."""
    emulator, printer = pty_printer
    emulator.core.answer = answer
    started = time.monotonic()
    assert printer.paper_status() is EXPECTED[answer]
    assert time.monotonic() - started < TIMEOUT * 2 + 1.0
    health = {PaperStatus.OK: HealthState.OK, PaperStatus.NEAR_END: HealthState.DEGRADED}
    assert printer.health().state is health.get(EXPECTED[answer], HealthState.OFFLINE)
    assert emulator.core.received.startswith(PAPER_Q)


def test_silent_printer_waits_only_the_timeout(pty_printer):
    """Given a printer that never answers when asked then OFFLINE after about the timeout, with
    a reason naming the port."""
    emulator, printer = pty_printer
    emulator.core.answer = Answer.SILENT
    started = time.monotonic()
    assert printer.paper_status() is PaperStatus.OFFLINE
    assert TIMEOUT * 0.9 <= time.monotonic() - started < TIMEOUT + 1.0
    assert emulator.port in printer.health().reason


def test_garbage_reply_is_offline_with_a_baud_rate_hint(pty_printer):
    """Given a printer at the wrong baud rate (answers 0xFF) then OFFLINE with a hint."""
    emulator, printer = pty_printer
    emulator.core.answer = Answer.GARBAGE
    assert printer.paper_status() is PaperStatus.OFFLINE
    assert "baud" in printer.health().reason


# ---- printing over a real pty ---------------------------------------------------------------
def test_print_sends_exact_bytes_between_status_checks(pty_printer):
    """Given a printer with paper when a ticket is printed then it receives the status queries,
    exactly the rendered bytes, and the queries again after the job."""
    emulator, printer = pty_printer
    sent = printer.print_receipt(ticket())
    assert sent == render_escpos(ticket(), PrinterProfile())
    expected = STATUS_QUERIES + sent + STATUS_QUERIES
    assert emulator.core.wait_for(len(expected)) == expected
    assert printer.health().state is HealthState.OK


@pytest.mark.parametrize(("answer", "error"), [
    (Answer.OUT, PaperOut), (Answer.OFFLINE, PrinterOffline), (Answer.SILENT, PrinterOffline),
])
def test_print_refused_before_any_byte(pty_printer, answer, error):
    """Given a printer out of paper, offline or silent when a ticket is printed
    then the typed error is raised and the printer received nothing but status queries."""
    emulator, printer = pty_printer
    emulator.core.answer = answer
    with pytest.raises(error) as caught:
        printer.print_receipt(ticket())
    assert "nothing was printed" in str(caught.value) and caught.value.message_zh
    assert emulator.core.received in (PAPER_Q, STATUS_QUERIES)


def test_paper_running_out_mid_job_is_an_interrupted_print(pty_printer):
    """Given a roll that runs out 50 bytes into the job when the ticket is printed
    then PrintInterrupted (a PrinterError) says to reprint, and health is offline."""
    emulator, printer = pty_printer
    emulator.core.paper_out_after = len(STATUS_QUERIES) + 50
    with pytest.raises(PrintInterrupted, match="reprint") as caught:
        printer.print_receipt(ticket())
    assert caught.value.message_zh == "打印机缺纸，凭条不完整，请重新打印"
    assert printer.health().state is HealthState.OFFLINE


def test_cable_pulled_mid_job_is_an_interrupted_print(pty_printer):
    """Given a printer whose line goes dead after 30 bytes of the job when printing
    then PrintInterrupted, health offline naming the port, and the connection is dropped."""
    emulator, printer = pty_printer
    emulator.core.hang_up_after = len(STATUS_QUERIES) + 30
    with pytest.raises(PrintInterrupted):
        printer.print_receipt(ticket())
    assert printer.health().state is HealthState.OFFLINE
    assert emulator.port in printer.health().reason


def test_missing_port_is_offline_not_a_crash(tmp_path):
    """Given a serial port that does not exist when opened then PrinterOffline with advice;
    paper_status answers OFFLINE instead of raising."""
    printer = EscposPrinter(Connection(ConnectionKind.SERIAL, str(tmp_path / "ttyUSB9")),
                            timeout=TIMEOUT)
    with pytest.raises(PrinterOffline, match="kiosk device ports"):
        printer.open()
    assert printer.paper_status() is PaperStatus.OFFLINE


def test_from_config_opens_the_configured_port():
    """Given devices.printer = serial on the emulator's pty with GBK settings when built from
    config and opened then the profile applies and health is read at open."""
    with PtyPrinterEmulator(Answer.NEAR_END) as emulator:
        cfg = DeviceConfig(driver="serial", port=emulator.port, baud=19200, timeout=TIMEOUT,
                           settings={"encoding": "gbk", "chinese_mode": False})
        printer = EscposPrinter.from_config(cfg)
        try:
            printer.open()
            assert printer.profile.encoding == "gbk"
            assert printer.health().state is HealthState.DEGRADED
            data = printer.print_receipt(Receipt().text("¥"))
            assert b"\xa3\xa4\n" in data and b"\x1c\x26" not in data
        finally:
            printer.close()


# ---- network and file -----------------------------------------------------------------------
def test_network_printer_on_local_socket():
    """Given a TCP printer on 127.0.0.1 near paper end when status is asked and a ticket printed
    then NEAR_END, and the emulator receives exactly the queries and the job."""
    with TcpPrinterEmulator(Answer.NEAR_END) as emulator:
        printer = EscposPrinter(Connection(ConnectionKind.NETWORK, emulator.address),
                                timeout=TIMEOUT)
        try:
            assert printer.paper_status() is PaperStatus.NEAR_END
            sent = printer.print_receipt(ticket())
        finally:
            printer.close()
        expected = STATUS_QUERIES * 2 + sent + STATUS_QUERIES
        assert emulator.core.wait_for(len(expected)) == expected


def test_network_printer_refusing_connection():
    """Given nothing listening on the port when printing then PrinterOffline before sending."""
    with TcpPrinterEmulator() as emulator:
        port = emulator.port
    printer = EscposPrinter(Connection(ConnectionKind.NETWORK, f"127.0.0.1:{port}"),
                            timeout=TIMEOUT)
    with pytest.raises(PrinterOffline, match="IP address"):
        printer.print_receipt(ticket())


def test_file_printer_writes_bytes_and_cannot_know_the_paper(tmp_path):
    """Given a write-only file connection when a ticket is printed then the file holds the
    exact bytes; the status is OK but reported as unknown, never as a reading."""
    path = tmp_path / "lp0"
    printer = EscposPrinter(Connection(ConnectionKind.FILE, str(path)))
    sent = printer.print_receipt(ticket())
    printer.close()
    assert path.read_bytes() == sent
    report = printer.status_report()
    assert (report.status, report.known) == (PaperStatus.OK, False)


def test_replies_table_matches_parser():
    """Given each emulator answer when its replies are parsed then they mean what they say."""
    for answer, expected in EXPECTED.items():
        printer_reply, paper_reply = REPLIES[answer]
        assert status.paper_status(paper_reply, printer_reply) is expected


@pytest.mark.parametrize(("kind", "target", "parsed"), [
    (ConnectionKind.USB, "0416:5011", (0x0416, 0x5011)),
    (ConnectionKind.USB, "0x04b8:0x0202", (0x04B8, 0x0202)),
    (ConnectionKind.NETWORK, "192.168.1.50", ("192.168.1.50", 9100)),
    (ConnectionKind.NETWORK, "printer.hall:9101", ("printer.hall", 9101)),
])
def test_connection_targets(kind, target, parsed):
    """Given a USB VID:PID or a network host[:port] when parsed then ids/host/port as meant."""
    connection = Connection(kind, target)
    got = connection.usb_ids() if kind is ConnectionKind.USB else connection.host_port()
    assert got == parsed


def test_usb_without_a_usb_stack_or_device_is_offline_with_advice():
    """Given a USB printer that is absent (or pyusb missing) when opened then PrinterOffline
    whose message says what to do, never a raw exception."""
    printer = EscposPrinter(Connection(ConnectionKind.USB, "0416:5011"), timeout=TIMEOUT)
    with pytest.raises(PrinterOffline, match="pyusb|lsusb"):
        printer.open()
    with pytest.raises(PrinterError, match="VID:PID"):
        EscposPrinter(Connection(ConnectionKind.USB, "lp0")).open()
