"""The citizen in front of the kiosk, from first touch to the end of their business.

The session holds who the citizen is (the ID card, the declared green-channel group); what they
are doing lives in the flow controllers' typed state (``kiosk.flows``), which every flow wipes
when ``SessionEnded`` is published. Ending the session — on completion, idle timeout or card
removal — therefore drops everything personal in one call. Python cannot zero strings in memory;
what we guarantee is that no reference survives the session in our objects, screens or logs.

The ID card, for every journey: ``SessionKeeper`` follows the card on the reader
(``CardInserted`` / ``CardRemoved``). ``card_on_reader`` is the card lying there now, offered
to a step that needs a card so a card laid down earlier counts (it is kept exactly as long as it
lies on the reader, and a session ended by the idle timeout does not hand it to the next one:
that citizen may have walked away from it). When a session that read the card ends while the
card is still on the reader, ``TakeCardReminder`` is published: the app shows and says
请取回身份证. Journeys get both for free by storing the card in ``session.card``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from drivers.idcard.base import IdCard
from kiosk.events import CardInserted, CardRemoved, EventBus, SessionEnded

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


@dataclass(frozen=True)
class TakeCardReminder:
    """A journey that read the ID card ended with the card still on the reader."""

    reason: str  # why the session ended (completed, timeout, …)


# Ends after which the card left on the reader still belongs to whoever stands there.
CARRY_CARD_REASONS = frozenset({"completed"})


class SessionKeeper:
    """Owns the one current session; ``end`` wipes it and tells every subscriber why."""

    def __init__(self, bus: EventBus) -> None:
        self._bus = bus
        self._lock = threading.Lock()
        self._current = CitizenSession()
        self._wipers: list[Callable[[], None]] = []
        self.ended_count = 0
        self._on_reader: IdCard | None = None
        self._on_reader_for = ""  # the session the card on the reader may serve
        self._unsubscribe = [bus.subscribe(CardInserted, self._card_inserted),
                             bus.subscribe(CardRemoved, self._card_removed)]

    # ---- the card on the reader --------------------------------------------------------------
    def _card_inserted(self, event: CardInserted) -> None:
        self._on_reader, self._on_reader_for = event.card, self._current.id

    def _card_removed(self, _event: CardRemoved) -> None:
        self._on_reader, self._on_reader_for = None, ""

    @property
    def card_on_reader(self) -> IdCard | None:
        """The card lying on the reader, when this session may use it (else None)."""
        return self._on_reader if self._on_reader_for == self._current.id else None

    @property
    def card_present(self) -> bool:
        """Whether a card lies on the reader (whoever it belongs to)."""
        return self._on_reader is not None

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
            read_card = old.card is not None
            old.wipe()
            self.ended_count += 1
            remind = read_card and self._on_reader is not None and reason != "card_removed"
            if self._on_reader_for == old.id and reason in CARRY_CARD_REASONS:
                self._on_reader_for = self._current.id
        if remind:
            self._bus.publish(TakeCardReminder(reason))
        for wipe in list(self._wipers):
            try:
                wipe()
            except Exception:  # one broken flow must not keep the others' data alive
                log.exception("wiping %r failed", wipe)
        self._bus.publish(SessionEnded(reason))

    def close(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
