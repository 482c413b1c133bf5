"""The one serial line every serial driver talks through: open by URL, read, write, flush, reset.

Opens with ``serial.serial_for_url``, so a device path, a pseudo-terminal, ``loop://`` or
``spy://`` (a hex dump of every byte, for the field) work without a code change. Its job is to be
the ONE place where the platform's ways of saying "the device is gone" become our typed errors:

- ``serial.SerialException`` (pyserial's own, including "device reports readiness to read but
  returned no data", its way of reporting a hung-up line);
- ``OSError`` with EIO / ENXIO / EBADF when a USB adapter or a pseudo-terminal disappears;
- ``termios.error`` from ``tcflush``/``tcdrain`` on a hung-up terminal: it is *not* an OSError,
  and letting it through is what used to kill the ID card reader's polling thread;
- ``TypeError`` / ``AttributeError`` that pyserial raises when its fd was closed under it
  (``select`` on ``None``, ``self.fd`` gone).

All of them become ``DeviceUnplugged`` (and the port is dropped, so the next call reopens it: a
replugged cable comes back by itself); a write that does not drain within ``write_timeout``
becomes ``DeviceTimeout``. Drivers never catch a pyserial exception themselves.

It knows no protocol (framing is the drivers' parsers) and must never sleep, retry, log card
data or swallow an error: a failed call always raises.
"""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import serial

from drivers.base import DeviceTimeout, DeviceUnplugged

try:  # POSIX: tcflush/tcdrain on a hung-up terminal raise termios.error, which is no OSError
    import termios

    _TERMIOS_ERRORS: tuple[type[BaseException], ...] = (termios.error,)
except ImportError:  # pragma: no cover - not a POSIX machine
    _TERMIOS_ERRORS = ()

# What a pyserial call may raise when the device went away under it (see the docstring).
PORT_LOST_ERRORS: tuple[type[BaseException], ...] = (
    serial.SerialException, OSError, *_TERMIOS_ERRORS, TypeError, AttributeError)
# What opening may raise: a bad path/URL, a missing device, a busy port, wrong settings.
_OPEN_ERRORS: tuple[type[BaseException], ...] = (
    serial.SerialException, OSError, ValueError, *_TERMIOS_ERRORS)


class SerialTransport:
    """One serial port, opened lazily and reopened after a loss.

    ``device`` names the device in messages ("ID card reader"); ``open_hint`` and ``lost_hint``
    tell the technician what to check; ``message_zh`` is shown at the kiosk (None: the error
    class's own). ``settings`` go to
    ``serial_for_url`` (``baudrate``, ``timeout``, ``write_timeout``, ``xonxoff``, …).
    Thread-safe: one call at a time (drivers already serialise transactions; this lock only keeps
    ``close`` from another thread from racing a read).
    """

    def __init__(self, url: str, *, device: str, open_hint: str, lost_hint: str,
                 message_zh: str | None = None, **settings: Any) -> None:
        self.url = url
        self.device = device
        self.open_hint, self.lost_hint = open_hint, lost_hint
        self.message_zh = message_zh
        self.settings = settings
        self._port: serial.SerialBase | None = None
        self._timeout: float | None = settings.get("timeout")
        self._lock = threading.RLock()

    # ---- lifecycle ------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        """Open the port if it is not open; raises ``DeviceUnplugged`` naming the URL."""
        with self._lock:
            self._ensure()

    def close(self) -> None:
        """Release the port. Never raises: closing a device that is gone is best effort."""
        with self._lock:
            port, self._port = self._port, None
            if port is not None:
                with contextlib.suppress(*PORT_LOST_ERRORS):
                    port.close()

    def _ensure(self) -> serial.SerialBase:
        if self._port is not None:
            return self._port
        try:
            self._port = serial.serial_for_url(self.url, **self.settings)
        except _OPEN_ERRORS as exc:
            raise DeviceUnplugged(f"{self.device} port {self.url} cannot be opened ({exc}); "
                                  f"{self.open_hint}", self.message_zh) from exc
        self._timeout = self._port.timeout
        return self._port

    def _lost(self, exc: BaseException, doing: str) -> DeviceUnplugged:
        self.close()
        return DeviceUnplugged(f"{self.device} on {self.url} disconnected during {doing} "
                               f"({type(exc).__name__}: {exc}); {self.lost_hint}; the port is "
                               f"reopened on the next call", self.message_zh)

    # ---- I/O ------------------------------------------------------------------------------
    def read(self, size: int, timeout: float | None = None, *, doing: str = "a read") -> bytes:
        """Up to ``size`` bytes; fewer (maybe none) once ``timeout`` (or the port's) passed."""
        with self._lock:
            port = self._ensure()
            try:
                self._set_timeout(port, timeout)
                return bytes(port.read(size))
            except PORT_LOST_ERRORS as exc:
                raise self._lost(exc, doing) from exc

    def read_available(self, timeout: float | None = None, *,
                       doing: str = "a read") -> bytes:
        """Wait up to ``timeout`` for the first byte, then take everything already buffered
        (``b""`` if nothing came): one call per burst instead of one per byte."""
        with self._lock:
            port = self._ensure()
            try:
                self._set_timeout(port, timeout)
                waiting = port.in_waiting
                if waiting:
                    return bytes(port.read(waiting))
                first = bytes(port.read(1))
                return first + bytes(port.read(port.in_waiting)) if first else b""
            except PORT_LOST_ERRORS as exc:
                raise self._lost(exc, doing) from exc

    def in_waiting(self, *, doing: str = "a read") -> int:
        """Bytes received and not read yet."""
        with self._lock:
            port = self._ensure()
            try:
                return int(port.in_waiting)
            except PORT_LOST_ERRORS as exc:
                raise self._lost(exc, doing) from exc

    def write(self, data: bytes, *, doing: str = "a write") -> None:
        with self._lock:
            port = self._ensure()
            try:
                port.write(data)
            except serial.SerialTimeoutException as exc:
                # flow control held (printer busy, cable half in): the device is there but stuck
                self.close()
                raise DeviceTimeout(
                    f"{self.device} on {self.url} did not take {len(data)} bytes within "
                    f"{self.settings.get('write_timeout')} s during {doing}; {self.lost_hint}",
                    self.message_zh) from exc
            except PORT_LOST_ERRORS as exc:
                raise self._lost(exc, doing) from exc

    def flush(self, *, doing: str = "a flush") -> None:
        """Wait until everything written has left (``tcdrain``)."""
        with self._lock:
            port = self._ensure()
            try:
                port.flush()
            except PORT_LOST_ERRORS as exc:
                raise self._lost(exc, doing) from exc

    def reset_input(self, *, doing: str = "clearing stale input") -> None:
        """Drop bytes nobody asked for (a late half reply after a timeout, line noise)."""
        with self._lock:
            port = self._ensure()
            try:
                port.reset_input_buffer()
            except PORT_LOST_ERRORS as exc:
                raise self._lost(exc, doing) from exc

    def _set_timeout(self, port: serial.SerialBase, timeout: float | None) -> None:
        # setting pyserial's timeout reconfigures the port (a syscall): only when it changes
        if timeout is not None and timeout != self._timeout:
            port.timeout = timeout
            self._timeout = timeout
