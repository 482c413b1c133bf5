"""A scanner without hardware: the demo's sim panel and the tests ``scan()`` codes into it.

Behaves like the serial scanner from the kiosk's side: ``read_code`` waits (on a condition
variable, never a busy loop) for the next code, and injected faults show the real failures (their
health and errors come from ``drivers.faults``): UNPLUGGED raises ``DeviceUnplugged``, TIMEOUT
makes the scanner silent (codes are held back, as they are while the scanner is closed),
GARBAGE turns the next code into unreadable bytes (``ProtocolError``). Must never sleep to fake
latency and never touch the UI.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from pathlib import Path

from drivers.base import (
    Fault,
    Health,
    HealthState,
    ProtocolError,
)
from drivers.faults import SimulatedFaults
from drivers.scanner.base import CodeScanner, ScannedCode


class SimulatedScanner(CodeScanner, SimulatedFaults):
    def __init__(self) -> None:
        SimulatedFaults.__init__(self)
        self._codes: deque[ScannedCode] = deque()
        self._changed = threading.Condition()
        self._open = False

    def open(self) -> None:
        self.raise_for_faults()
        self._open = True

    def close(self) -> None:
        with self._changed:
            self._open = False
            self._changed.notify_all()

    def health(self) -> Health:
        shown = self.fault_health()
        if shown is not None:
            return shown
        return Health.ok() if self._open else Health(HealthState.OFFLINE, "not opened")

    def scan(self, text: str, format: str = "QRCode") -> None:
        """A citizen holds a code under the scanner."""
        with self._changed:
            self._codes.append(ScannedCode(text, format, "scanner"))
            self._changed.notify_all()

    def scan_picture(self, path: str | Path, prefer: str = "") -> str | None:
        """A citizen holds a printout under the scanner: decode the codes in the image at
        ``path`` (a real decode, slow: call it off the UI thread) and scan one, the first
        starting with ``prefer`` if any. Returns the scanned text, None if no code was found."""
        from drivers.scanner.decode import decode_file  # OpenCV only when a picture is shown

        codes = decode_file(path)
        if not codes:
            return None
        best = next((c for c in codes if prefer and c.text.startswith(prefer)), codes[0])
        self.scan(best.text, best.format)
        return best.text

    def inject(self, fault: Fault) -> None:
        super().inject(fault)
        with self._changed:
            self._changed.notify_all()  # a waiting read_code must notice an unplug now

    def clear(self, fault: Fault | None = None) -> None:
        super().clear(fault)
        with self._changed:
            self._changed.notify_all()

    def read_code(self, timeout: float) -> ScannedCode | None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                self.raise_for_faults()
                if self._codes and self._open and not self.active(Fault.TIMEOUT):
                    code = self._codes.popleft()
                    if self.active(Fault.GARBAGE):
                        raise ProtocolError(
                            f"simulated garbage instead of {code.text!r}",
                            "扫码内容无法识别，请重新扫码")
                    return code
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)
