"""The wires a receipt printer hangs on, as python-escpos connections that can also listen.

python-escpos owns the commands and the USB, network and file wires (``Usb``, ``Network``,
``File``); this module adds what status queries need and it lacks: reads that return ``b""``
after the timeout instead of blocking for 16 bytes or raising, and discarding stale input before
a query. A serial printer goes through the shared ``drivers.serial_transport.SerialTransport``
(opened with ``serial_for_url``, so a pseudo-terminal, ``loop://`` or ``spy://`` work, and every
pulled-cable quirk arrives as ``DeviceUnplugged``).
It never decides what a status byte means (``status``) and never renders (``escpos_render``).
"""

from __future__ import annotations

import enum
import select
import socket
from dataclasses import dataclass

from escpos.escpos import Escpos
from escpos.printer import File, Network, Serial, Usb

from drivers.base import DeviceTimeout, DeviceUnplugged
from drivers.printer.base import PrinterError
from drivers.serial_transport import SerialTransport

# What a wire may raise when the printer goes away: sockets raise OSError, the serial transport
# its typed errors (it already mapped termios.error and pyserial's quirks).
WIRE_ERRORS: tuple[type[BaseException], ...] = (OSError, DeviceUnplugged, DeviceTimeout)

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
    """escpos ``Serial`` whose wire is the shared ``SerialTransport``, with a write timeout (a
    printer holding flow control forever must not freeze the job thread)."""

    def open(self, raise_not_found: bool = True) -> None:
        if self._device:
            self.close()
        line = SerialTransport(
            self.devfile, device="printer", message_zh="打印机未连接",
            open_hint="check the cable, the port name (kiosk device ports) and that no other "
                      "program holds the port",
            lost_hint="printer switched off or cable pulled?",
            baudrate=self.baudrate, timeout=self.timeout, write_timeout=self.timeout * 5,
            xonxoff=self.xonxoff)
        line.open()
        self.device = line

    def _raw(self, msg: bytes) -> None:
        self._line().write(msg, doing="sending to the printer")

    def _read(self) -> bytes:
        # returns as soon as a byte is there, b"" after the timeout
        return self._line().read_available(doing="reading the printer status")

    def discard_input(self) -> None:
        self._line().reset_input(doing="clearing stale status bytes")

    def close(self) -> None:
        # escpos would flush first; on a dead line that raises and escpos would keep the port
        # "open" and retry (and raise again) from __del__
        line, self._device = self._device, False
        if isinstance(line, SerialTransport):
            line.close()

    def _line(self) -> SerialTransport:
        line = self.device
        if not isinstance(line, SerialTransport):
            raise DeviceUnplugged(f"serial printer {self.devfile} is not open")
        return line


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
