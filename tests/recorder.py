"""Collects events from the bus so a test can wait for one on a condition, never by sleeping."""

from __future__ import annotations

import threading
from collections.abc import Callable

from kiosk.events import EventBus

WAIT_S = 5.0


class Recorder:
    """Subscribes to ``types`` on ``bus``; ``wait_for`` blocks until a matching event arrived."""

    def __init__(self, bus: EventBus, *types: type) -> None:
        self.events: list[object] = []
        self._cond = threading.Condition()
        for t in types:
            bus.subscribe(t, self._on)

    def _on(self, event: object) -> None:
        with self._cond:
            self.events.append(event)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[object], bool], timeout: float = WAIT_S,
                 *, after: int = 0) -> object:
        """The first matching event among those from index ``after`` on (see ``mark``)."""
        with self._cond:
            found: list[object] = []

            def match() -> bool:
                found[:] = [e for e in self.events[after:] if predicate(e)]
                return bool(found)

            assert self._cond.wait_for(match, timeout), \
                f"no matching event in {self.events[after:]}"
            return found[0]

    def mark(self) -> int:
        """Where the record stands now: pass it as ``after`` to wait only for later events."""
        with self._cond:
            return len(self.events)

    def count(self, predicate: Callable[[object], bool]) -> int:
        with self._cond:
            return sum(1 for e in self.events if predicate(e))
