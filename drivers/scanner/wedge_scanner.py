"""A keyboard-wedge scanner as a ``CodeScanner``, so the kiosk treats it like any other scanner.

The touchscreen app forwards every Window key event to ``feed_key`` (UI thread); completed scans
queue up for ``read_code`` (the device manager's worker thread). Keys that turn out to be a
person typing are handed back through ``typed`` so the focused field still gets them.
"""

from __future__ import annotations

import queue
import threading

from drivers.base import Health
from drivers.scanner.base import CodeScanner, ScannedCode
from drivers.scanner.wedge import Typed, WedgeDetector


class WedgeScanner(CodeScanner):
    def __init__(self, *, max_gap: float = 0.030, min_length: int = 4) -> None:
        self._detector = WedgeDetector(max_gap=max_gap, min_length=min_length)
        self._codes: queue.Queue[ScannedCode] = queue.Queue()
        self._lock = threading.Lock()
        self.typed: list[Typed] = []  # released keystrokes the caller may replay

    def open(self) -> None:  # the keyboard is always there: nothing to open
        pass

    def close(self) -> None:
        pass

    def health(self) -> Health:
        return Health.ok()

    def feed_key(self, key: str, t: float) -> list[Typed]:
        """Feed one key event; returns keystrokes released as a person's typing."""
        with self._lock:
            events = self._detector.feed(key, t)
        return self._route(events)

    def flush(self, now: float) -> list[Typed]:
        with self._lock:
            events = self._detector.flush(now)
        return self._route(events)

    def _route(self, events: list[ScannedCode | Typed]) -> list[Typed]:
        typed: list[Typed] = []
        for event in events:
            if isinstance(event, ScannedCode):
                self._codes.put(event)
            else:
                typed.append(event)
        return typed

    def read_code(self, timeout: float) -> ScannedCode | None:
        try:
            return self._codes.get(timeout=timeout)
        except queue.Empty:
            return None
