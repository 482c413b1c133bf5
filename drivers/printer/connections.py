"""The wires a receipt printer hangs on, as python-escpos connections that can also listen.

python-escpos owns opening and writing (``Usb``, ``Serial``, ``Network``, ``File``); this module
adds what status queries need and it lacks: serial ports opened with ``serial_for_url`` (so a
pseudo-terminal, ``loop://`` or ``spy://`` work), reads that return ``b""`` after the timeout
instead of blocking for 16 bytes or raising, and discarding stale input before a query.
It never decides what a status byte means (``status``) and never renders (``escpos_render``).
"""

from __future__ import annotations

import contextlib
import enum
import select
import socket
from dataclasses import dataclass

import serial
from escpos.escpos import Escpos
from escpos.printer import File, Network, Serial, Usb

from drivers.printer.base import PrinterError

try:  # a pulled USB-serial adapter fails tcflush/tcdrain with termios.error, not OSError
    from termios import error as _TermiosError

    WIRE_ERRORS: tuple[type[BaseException], ...] = (OSError, _TermiosError)
except ImportError:  # not POSIX
    WIRE_ERRORS = (OSError,)

NETWORK_PORT = 9100  # "raw"/JetDirect port every network receipt printer listens on


class ConnectionKind(enum.StrEnum):
    USB = "usb"
    SERIAL = "serial"
    NETWORK = "network"
    FILE = "file"


class ConnectionSpecError(PrinterError):
    message_zh = "打印机连接参数错误"


@dataclass(frozen=True)
class Connection:
    """Where the printer is: ``target`` is VID:PID (usb), a port or URL (serial),
    host[:port] (network) or a path (file)."""

    kind: ConnectionKind
    target: str
    baud: int = 9600

    def describe(self) -> str:
        if self.kind is ConnectionKind.SERIAL:
            return f"serial {self.target} @ {self.baud} baud"
        return f"{self.kind.value} {self.target}"

    @property
    def can_read(self) -> bool:
        """A file (``/dev/usb/lp0``, a spool file) is write-only: no status can come back."""
        return self.kind is not ConnectionKind.FILE

    def usb_ids(self) -> tuple[int, int]:
        vid, sep, pid = self.target.partition(":")
        try:
            if not sep:
                raise ValueError(self.target)
            return int(vid, 16), int(pid, 16)
        except ValueError as exc:
            raise ConnectionSpecError(
                f"USB printer {self.target!r}: expected VID:PID in hex, e.g. 0416:5011 "
                f"(see lsusb)") from exc

    def host_port(self) -> tuple[str, int]:
        host, sep, port = self.target.rpartition(":")
        if not sep:
            return self.target, NETWORK_PORT
        try:
            return host.strip("[]"), int(port)
        except ValueError as exc:
            raise ConnectionSpecError(
                f"network printer {self.target!r}: expected host or host:port") from exc

    def build(self, timeout: float) -> Escpos:
        """An unopened python-escpos printer for this wire."""
        if not self.target:
            raise ConnectionSpecError(f"{self.kind.value} printer: no port/address configured")
        if self.kind is ConnectionKind.SERIAL:
            return UrlSerial(devfile=self.target, baudrate=self.baud, timeout=timeout)
        if self.kind is ConnectionKind.NETWORK:
            host, port = self.host_port()
            return ListeningNetwork(host=host, port=port, timeout=timeout)
        if self.kind is ConnectionKind.USB:
            vid, pid = self.usb_ids()
            return ListeningUsb(idVendor=vid, idProduct=pid, timeout=int(timeout * 1000))
        return File(devfile=self.target)


class UrlSerial(Serial):
    """escpos ``Serial`` opened with ``serial_for_url`` and a write timeout (a printer holding
    flow control forever must not freeze the job thread)."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        self.device = serial.serial_for_url(self.devfile, baudrate=self.baudrate,
                                            timeout=self.timeout, write_timeout=self.timeout * 5,
                                            xonxoff=self.xonxoff)

    def _read(self) -> bytes:
        first = self.device.read(1)  # returns as soon as a byte is there, b"" after timeout
        return first + self.device.read(self.device.in_waiting) if first else b""

    def discard_input(self) -> None:
        self.device.reset_input_buffer()

    def close(self) -> None:
        # escpos flushes first; on a dead line tcdrain raises termios.error and escpos would
        # keep the port "open" and retry (and raise again) from __del__
        port, self._device = self._device, False
        if port:
            with contextlib.suppress(Exception):  # closing a pulled device must not raise
                port.close()


class ListeningNetwork(Network):
    def _read(self) -> bytes:
        try:
            return self.device.recv(16)
        except TimeoutError:
            return b""

    def discard_input(self) -> None:
        sock: socket.socket = self.device
        while select.select([sock], [], [], 0)[0]:
            if not sock.recv(256):
                raise ConnectionResetError("printer closed the connection")


class ListeningUsb(Usb):
    def _read(self) -> bytes:
        try:
            return bytes(self.device.read(self.in_ep, 16, self.timeout))
        except Exception as exc:  # pyusb raises USBTimeoutError (an USBError) on silence
            if type(exc).__name__ == "USBTimeoutError":
                return b""
            raise

    def discard_input(self) -> None:
        """USB printers answer only when asked; nothing stale to drop."""

    def close(self) -> None:
        # escpos's close demands pyusb even when nothing was opened (and runs from __del__)
        if self._device:
            super().close()
