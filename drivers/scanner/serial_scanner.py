"""A QR/barcode scanner on a serial line (USB virtual COM port or RS-232/TTL).

Thin transport around ``SuffixFramer``: reads whatever bytes are there, lets the framer cut codes,
decodes them as UTF-8 (GB18030 fallback). Reads happen on the caller's thread inside
``read_code``, through the shared ``drivers.serial_transport.SerialTransport`` (which maps every
platform quirk of a pulled cable); a pulled cable becomes ``DeviceUnplugged`` once, and later
calls keep trying to reopen the port (same path: use a stable udev name such as
/dev/serial/by-id/…) until it is back.
Must never parse codes itself (that is ``framing``) and never touch the UI.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from drivers.base import DeviceError, DeviceUnplugged, Health, HealthState
from drivers.scanner.base import CodeScanner, ScannedCode
from drivers.scanner.framing import Suffix, SuffixFramer, decode_code
from drivers.serial_transport import SerialTransport


class SerialScanner(CodeScanner):
    """``port`` is a device path, a pseudo-terminal or a pyserial URL (``spy://…``, ``loop://``).

    ``timeout`` bounds a single port read (how often a waiting ``read_code`` checks its
    deadline); ``gap`` is the silence that ends a code when ``suffix="none"``.
    """

    def __init__(self, port: str, baud: int = 115200, timeout: float = 0.5,
                 suffix: Suffix = "cr", *, gap: float = 0.05, reconnect_interval: float = 1.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.port = port
        self.baud = baud
        self.timeout = timeout
        self.reconnect_interval = reconnect_interval
        self._framer = SuffixFramer(suffix, gap=gap)
        self._clock = clock
        self._line = SerialTransport(
            port, device="scanner", message_zh="扫码器已断开，请联系工作人员",
            open_hint="is it plugged in, is the path right, is the user in the dialout group?",
            lost_hint="check the USB cable", baudrate=baud, timeout=timeout)
        # decoded codes, or the error an undecodable one raised, in arrival order
        self._ready: deque[ScannedCode | DeviceError] = deque()
        self._health = Health(HealthState.OFFLINE, "not opened")
        self._closing = threading.Event()
        self._last_attempt = float("-inf")

    # -- lifecycle -------------------------------------------------------------------------
    def open(self) -> None:
        self._closing.clear()
        self._connect()

    def close(self) -> None:
        self._closing.set()
        self._drop_port()
        self._health = Health(HealthState.OFFLINE, "closed")

    def health(self) -> Health:
        return self._health

    # -- reading ---------------------------------------------------------------------------
    def read_code(self, timeout: float) -> ScannedCode | None:
        deadline = self._clock() + timeout
        while True:
            if self._ready:
                return self._take()
            if self._closing.is_set():
                return None
            remaining = deadline - self._clock()
            if not self._line.is_open:
                if not self._reconnect_before(deadline):
                    raise DeviceUnplugged(f"scanner port {self.port} is still gone: "
                                          f"{self._health.reason}", "扫码器未连接")
                continue
            if remaining <= 0:
                return None
            self._read_once(remaining)

    def _read_once(self, remaining: float) -> None:
        wait = min(remaining, self.timeout)
        if self._framer.suffix == "none":
            wait = min(wait, self._framer.gap / 2)  # notice the end-of-code silence in time
        try:
            data = self._line.read_available(wait, doing="waiting for a scan")
        except DeviceUnplugged as exc:
            self._lost(exc)
            raise
        now = self._clock()
        raws = self._framer.feed(data, now) if data else self._framer.poll(now)
        for raw in raws:
            try:
                self._ready.append(ScannedCode(decode_code(raw), "unknown", "scanner"))
            except DeviceError as exc:
                self._ready.append(exc)

    def _take(self) -> ScannedCode:
        item = self._ready.popleft()
        if isinstance(item, DeviceError):
            self._health = Health(HealthState.DEGRADED, f"last scan unreadable: {item}")
            raise item
        self._health = Health.ok()
        return item

    # -- connection ------------------------------------------------------------------------
    def _connect(self) -> None:
        self._last_attempt = self._clock()
        try:
            self._line.open()
        except DeviceUnplugged as exc:
            self._health = Health(HealthState.OFFLINE, f"cannot open {self.port}: {exc}")
            raise DeviceUnplugged(str(exc), "扫码器未连接") from exc
        self._framer.reset()
        self._health = Health.ok()

    def _reconnect_before(self, deadline: float) -> bool:
        """Try to reopen the port every ``reconnect_interval`` until ``deadline``; no busy loop."""
        while not self._closing.is_set():
            if self._clock() >= self._last_attempt + self.reconnect_interval:
                try:
                    self._connect()
                    return True
                except DeviceUnplugged:
                    pass
            now = self._clock()
            if now >= deadline:
                return False
            wake = min(self._last_attempt + self.reconnect_interval, deadline)
            self._closing.wait(max(0.0, wake - now))
        return False

    def _lost(self, exc: BaseException) -> None:
        self._drop_port()
        self._health = Health(HealthState.OFFLINE, f"port lost: {exc}")

    def _drop_port(self) -> None:
        self._line.close()
        self._framer.reset()
