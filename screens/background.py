"""Read something slow (the hall database) off the UI thread and hand the answer back to it.

On a hall's shared PostgreSQL a query is a network round trip; a screen must keep drawing while
it runs. A failure is logged and delivered as ``None``, so the caller shows what it can without
the answer instead of crashing. Never touches widgets from the worker thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TypeVar

from kivy.clock import Clock

log = logging.getLogger(__name__)
T = TypeVar("T")


def fetch_in_background(work: Callable[[], T], on_result: Callable[[T | None], None],
                        what: str) -> None:
    """Run ``work`` on a daemon thread; call ``on_result`` with its value (or ``None`` if it
    raised) on the UI thread. ``what`` names the query in the thread and the log."""

    def run() -> None:
        try:
            result: T | None = work()
        except Exception:
            log.exception("%s failed", what)
            result = None
        Clock.schedule_once(lambda _dt: on_result(result), 0)

    threading.Thread(target=run, name=what, daemon=True).start()
