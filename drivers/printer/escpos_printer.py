"""The real receipt printer: ESC/POS over USB, serial, network or a write-only file.

Checks the paper before a job (nothing is sent to a printer that is out of paper or offline),
sends the rendered bytes in chunks so a failure names how far the job got, asks again after the
job to catch a roll that ran out mid-ticket, and keeps the last known health. Every escpos,
pyserial, socket or USB exception leaves this module as a ``PrinterError`` subclass with a
message a technician can act on. It never renders (``escpos_render``) and never parses status
bytes itself (``status``).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from escpos.escpos import Escpos
from escpos.exceptions import DeviceNotFoundError

from config.schema import DeviceConfig
from drivers.base import Health, HealthState, ProtocolError
from drivers.printer import status
from drivers.printer.base import (
    PaperOut,
    PaperStatus,
    PrinterError,
    PrinterOffline,
    PrintInterrupted,
    ReceiptPrinter,
)
from drivers.printer.charset import Substitution
from drivers.printer.connections import (
    WIRE_ERRORS,
    Connection,
    ConnectionKind,
    ConnectionSpecError,
)
from drivers.printer.escpos_render import render
from drivers.printer.layout import Receipt
from drivers.printer.profile import PrinterProfile

log = logging.getLogger(__name__)

CHUNK = 1024  # bytes per write: small enough that a failure says how far the job got


@dataclass(frozen=True)
class StatusReport:
    status: PaperStatus
    known: bool  # False: the connection cannot read (file); ``status`` is then OK by convention
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status.value, "known": self.known, "detail": self.detail}


class EscposPrinter(ReceiptPrinter):
    def __init__(self, connection: Connection, profile: PrinterProfile | None = None, *,
                 timeout: float = 2.0, verify_after_print: bool = True) -> None:
        self.connection = connection
        self.profile = profile or PrinterProfile()
        self.timeout = timeout
        self.verify_after_print = verify_after_print
        self.last_substitutions: tuple[Substitution, ...] = ()
        self._escpos: Escpos | None = None
        self._health = Health(HealthState.OFFLINE, "not opened")
        self._lock = threading.RLock()  # a status poll must never interleave with a job

    @classmethod
    def from_config(cls, cfg: DeviceConfig) -> EscposPrinter:
        """``devices.printer`` with driver usb | serial | network | file."""
        try:
            kind = ConnectionKind(cfg.driver)
        except ValueError as exc:
            raise ConnectionSpecError(
                f"devices.printer.driver = {cfg.driver!r}: expected usb, serial, network or "
                f"file") from exc
        return cls(Connection(kind, cfg.port, cfg.baud),
                   PrinterProfile.from_settings(cfg.settings), timeout=cfg.timeout)

    # ---- lifecycle ----------------------------------------------------------------------
    def open(self) -> None:
        """Connect, then ask the paper status once so health is true from the start.
        Raises ``PrinterOffline`` if the connection cannot be made; paper out is not an error
        here (health says it), so the device manager's reopen loop doubles as a paper poll."""
        with self._lock:
            self._connect()
            if self.connection.can_read:
                self._query()
            else:
                self._health = Health(HealthState.OK, "paper status unknown (write-only file)")

    def close(self) -> None:
        with self._lock:
            printer, self._escpos = self._escpos, None
            if printer is not None:
                try:
                    printer.close()
                except Exception as exc:  # closing must never raise (Device contract)
                    log.debug("closing %s: %s", self.connection.describe(), exc)

    def health(self) -> Health:
        return self._health

    # ---- status -------------------------------------------------------------------------
    def paper_status(self) -> PaperStatus:
        return self.status_report().status

    def status_report(self) -> StatusReport:
        """Ask now. Never raises for a printer fault: an unreachable printer is OFFLINE."""
        with self._lock:
            if not self.connection.can_read:
                return StatusReport(PaperStatus.OK, False,
                                    f"{self.connection.describe()} is write-only: paper status "
                                    f"cannot be read, assumed OK")
            try:
                self._connect()
                return self._query()
            except PrinterError as exc:
                return StatusReport(PaperStatus.OFFLINE, True, str(exc))

    def _query(self) -> StatusReport:
        try:
            paper = self._ask(status.QUERY_PAPER)
            printer = self._ask(status.QUERY_PRINTER) if paper else None
            result = status.paper_status(paper, printer)
        except ProtocolError as exc:
            self._fail(HealthState.OFFLINE, str(exc))
            return StatusReport(PaperStatus.OFFLINE, True, str(exc))
        detail = {
            PaperStatus.OK: "",
            PaperStatus.NEAR_END: "paper near end: replace the roll soon",
            PaperStatus.OUT: "out of paper: load a new roll and close the cover",
            PaperStatus.OFFLINE: (
                f"no status reply within {self.timeout:g} s on {self.connection.describe()}: "
                f"printer off, wrong port or baud rate" if not paper else
                "printer offline: cover open, paper jam or error; check the front panel light"),
        }[result]
        state = {PaperStatus.OK: HealthState.OK, PaperStatus.NEAR_END: HealthState.DEGRADED}.get(
            result, HealthState.OFFLINE)
        self._health = Health(state, detail)
        return StatusReport(result, True, detail)

    def _ask(self, query: bytes) -> bytes:
        printer = self._require()
        try:
            printer.discard_input()
            printer._raw(query)
            return bytes(printer._read())
        except WIRE_ERRORS as exc:
            raise self._lost(exc, "asking the printer status") from exc

    # ---- printing -----------------------------------------------------------------------
    def print_receipt(self, receipt: Receipt) -> bytes:
        rendered = render(receipt, self.profile)  # layout errors surface before any I/O
        self.last_substitutions = rendered.substitutions
        for sub in rendered.substitutions:
            log.warning("printer (%s) cannot print %s", self.profile.encoding, sub.describe())
        data = rendered.data
        with self._lock:
            self._connect()
            if self.connection.can_read:
                before = self._query()
                if before.status is PaperStatus.OUT:
                    raise PaperOut(f"printer reports out of paper ({self.connection.describe()})"
                                   f": load a new roll and close the cover; nothing was printed")
                if before.status is PaperStatus.OFFLINE:
                    raise PrinterOffline(f"{before.detail}; nothing was printed",
                                         "打印机暂停工作，请联系工作人员")
            self._send(data)
            if self.connection.can_read and self.verify_after_print:
                self._verify_after(len(data))
        return data

    def _send(self, data: bytes) -> None:
        printer = self._require()
        sent = 0
        try:
            while sent < len(data):
                chunk = data[sent:sent + CHUNK]
                printer._raw(chunk)
                sent += len(chunk)
            if hasattr(printer, "flush"):
                printer.flush()
        except WIRE_ERRORS as exc:
            lost = self._lost(exc, f"printing, after {sent} of {len(data)} bytes")
            raise PrintInterrupted(f"{lost}; the ticket is incomplete: reprint it") from exc

    def _verify_after(self, size: int) -> None:
        # Status is answered in real time while the printer may still be printing the buffer,
        # so this catches a roll that ran out or a printer that died during the transfer, not
        # one that runs out after the last byte was accepted.
        try:
            after = self._query()
        except PrinterOffline as exc:
            raise PrintInterrupted(f"{exc}; sent {size} bytes, the ticket may be incomplete: "
                                   f"reprint it") from exc
        if after.status is PaperStatus.OUT:
            raise PrintInterrupted(f"paper ran out during the job ({size} bytes sent): load a "
                                   f"new roll and reprint", "打印机缺纸，凭条不完整，请重新打印")
        if after.status is PaperStatus.OFFLINE:
            raise PrintInterrupted(f"printer went offline during the job: {after.detail}; "
                                   f"reprint when it is back")

    # ---- connection ---------------------------------------------------------------------
    def _connect(self) -> None:
        if self._escpos is not None:
            return
        try:
            printer = self.connection.build(self.timeout)
            printer.open()
        except ConnectionSpecError as exc:
            self._fail(HealthState.OFFLINE, str(exc))
            raise
        except (DeviceNotFoundError, *WIRE_ERRORS, ValueError, RuntimeError) as exc:
            message = self._open_advice(exc)
            self._fail(HealthState.OFFLINE, message)
            raise PrinterOffline(message) from exc
        self._escpos = printer

    def _open_advice(self, exc: BaseException) -> str:
        what = self.connection.describe()
        text = str(getattr(exc, "msg", "") or exc).strip()  # escpos wraps the cause in .msg
        first = text.splitlines()[-1] if text else type(exc).__name__
        kind = self.connection.kind
        if kind is ConnectionKind.USB and isinstance(exc, RuntimeError):
            return f"cannot open {what}: USB printing needs pyusb (pip install pyusb)"
        hint = {
            ConnectionKind.USB: "check the USB cable, lsusb for the VID:PID, and udev "
                                "permissions",
            ConnectionKind.SERIAL: "check the cable, the port name (kiosk device ports) and "
                                   "that no other program holds the port",
            ConnectionKind.NETWORK: "check the printer is on, its IP address (self-test page) "
                                    "and the network cable",
            ConnectionKind.FILE: "check the path exists and is writable by the kiosk user",
        }[kind]
        return f"cannot open {what} ({first}): {hint}"

    def _require(self) -> Escpos:
        if self._escpos is None:
            raise PrinterOffline(f"{self.connection.describe()} is not open")
        return self._escpos

    def _lost(self, exc: BaseException, doing: str) -> PrinterOffline:
        message = (f"connection to {self.connection.describe()} failed while {doing} "
                   f"({type(exc).__name__}: {exc}): printer switched off or cable pulled?")
        self._fail(HealthState.OFFLINE, message)
        self.close()  # the next call reopens: a replugged printer comes back by itself
        return PrinterOffline(message)

    def _fail(self, state: HealthState, reason: str) -> None:
        self._health = Health(state, reason)
