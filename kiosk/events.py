"""Events between the core, the devices and the screens.

Device threads and services publish; screens subscribe. The bus is given a ``dispatch`` function
at construction: the Kivy app passes one that hands each delivery to ``Clock.schedule_once``, so
handlers always run on the UI thread and no device thread ever touches a widget. Tests pass none
and get synchronous delivery. This module must never import Kivy.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from drivers.base import Health
from drivers.idcard.base import IdCard
from drivers.locker.base import DoorState
from drivers.scanner.base import ScannedCode

log = logging.getLogger(__name__)

E = TypeVar("E")
Dispatch = Callable[[Callable[[], None]], None]


@dataclass(frozen=True)
class CardInserted:
    card: IdCard


@dataclass(frozen=True)
class CardRemoved:
    pass


@dataclass(frozen=True)
class CardUnreadable:
    """A card is on the reader but could not be read (dirty, bent, fake, reader fault)."""

    message: str
    message_zh: str


@dataclass(frozen=True)
class CodeScanned:
    code: ScannedCode


@dataclass(frozen=True)
class DeviceHealthChanged:
    kind: str
    health: Health


@dataclass(frozen=True)
class DoorChanged:
    door: int
    state: DoorState


@dataclass(frozen=True)
class ReceiptPrinted:
    """A receipt came out of the printer whole (maintenance counts receipts and paper used)."""

    length_mm: float


@dataclass(frozen=True)
class SessionEnded:
    reason: str  # completed | timeout | card_removed | language | …


def call_now(fn: Callable[[], None]) -> None:
    fn()


class EventBus:
    """Publish/subscribe by event type. Safe to publish from any thread."""

    def __init__(self, dispatch: Dispatch = call_now) -> None:
        self._dispatch = dispatch
        self._handlers: dict[type, list[Callable[[Any], None]]] = defaultdict(list)
        self._lock = threading.Lock()

    def subscribe(self, event_type: type[E], handler: Callable[[E], None]) -> Callable[[], None]:
        """Register ``handler``; returns a function that unsubscribes it."""
        with self._lock:
            self._handlers[event_type].append(handler)

        def unsubscribe() -> None:
            with self._lock:
                if handler in self._handlers[event_type]:
                    self._handlers[event_type].remove(handler)

        return unsubscribe

    def publish(self, event: object) -> None:
        with self._lock:
            handlers = list(self._handlers.get(type(event), ()))
        for handler in handlers:
            self._dispatch(lambda h=handler: self._deliver(h, event))

    @staticmethod
    def _deliver(handler: Callable[[Any], None], event: object) -> None:
        # One broken screen handler must not stop the others nor kill a device thread.
        try:
            handler(event)
        except Exception:
            log.exception("event handler %r failed on %r", handler, event)


@dataclass(frozen=True)
class ServiceHealthChanged:
    """Published by ``kiosk.health_watch`` when the kiosk goes out of service for a database or
    disk fault, or comes back (here so the screens need not import the watcher's database code)."""

    ok: bool
    reason: str  # a msgid of kiosk.health_watch (REASON_*); "" when ok
    detail: str  # for the technician's log: what failed and what to do
