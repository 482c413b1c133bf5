"""The citizen in front of the kiosk, from first touch to the end of their business.

The session holds who the citizen is (the ID card, the declared green-channel group); what they
are doing lives in the flow controllers' typed state (``kiosk.flows``), which every flow wipes
when ``SessionEnded`` is published. Ending the session — on completion, idle timeout or card
removal — therefore drops everything personal in one call. Python cannot zero strings in memory;
what we guarantee is that no reference survives the session in our objects, screens or logs.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from drivers.idcard.base import IdCard
from kiosk.events import EventBus, SessionEnded

log = logging.getLogger(__name__)


@dataclass
class CitizenSession:
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    started_at: datetime | None = None
    card: IdCard | None = None
    declared_group: str | None = None  # green channel group the citizen declared
    # The language the citizen reads: their screens and their paper (a receipt in the language
    # they chose). Not personal data; the app keeps it equal to what is on screen.
    language: str = "zh"

    @property
    def identified(self) -> bool:
        return self.card is not None

    def wipe(self) -> None:
        self.card = None
        self.declared_group = None


class SessionKeeper:
    """Owns the one current session; ``end`` wipes it and tells every subscriber why."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._lock = threading.Lock()
        self._current = CitizenSession()
        self._wipers: list[Callable[[], None]] = []
        self.ended_count = 0

    def on_end(self, wipe: Callable[[], None]) -> Callable[[], None]:
        """Call ``wipe`` synchronously inside every ``end`` (before ``SessionEnded`` is
        published, which the app delivers a frame later): a flow's personal state is gone the
        moment the session is. Returns a function that removes it."""
        self._wipers.append(wipe)
        return lambda: self._wipers.remove(wipe) if wipe in self._wipers else None

    @property
    def current(self) -> CitizenSession:
        return self._current

    def end(self, reason: str) -> None:
        with self._lock:
            # the screen does not change language when a session ends, so neither does paper
            old, self._current = self._current, CitizenSession(language=self._current.language)
            old.wipe()
            self.ended_count += 1
        for wipe in list(self._wipers):
            try:
                wipe()
            except Exception:  # one broken flow must not keep the others' data alive
                log.exception("wiping %r failed", wipe)
        self._bus.publish(SessionEnded(reason))
