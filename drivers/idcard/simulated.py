"""A pure-Python ID card reader for the demo and the simulation panel: no port, starts instantly.

``present(card)`` lays a card on the reader, ``remove()`` lifts it; ``read_card`` hands each laid
card over once (waiting on an event, never spinning). Faults from the switchboard break it the way
a real reader breaks, as ``drivers.faults`` maps them (UNPLUGGED → ``DeviceUnplugged``, TIMEOUT →
``DeviceTimeout``); GARBAGE makes each read a ``CardReadError`` (garbled text block).
It must never touch a port or sleep to pass time.
"""

from __future__ import annotations

import threading

from drivers.base import Fault, Health
from drivers.faults import SimulatedFaults
from drivers.idcard.base import IdCard, IdCardReader
from drivers.idcard.errors import TextDecodeError


class SimulatedIdCardReader(IdCardReader, SimulatedFaults):
    def __init__(self) -> None:
        SimulatedFaults.__init__(self)
        self._card: IdCard | None = None
        self._seen = False
        self._arrived = threading.Event()  # set while an unread card lies on the reader
        self._state = threading.Lock()
        self._open = False

    # ---- Device ---------------------------------------------------------------------------
    def open(self) -> None:
        self._check_faults()
        self._open = True

    def close(self) -> None:
        self._open = False

    def health(self) -> Health:
        return self.fault_health() or Health.ok()

    # ---- the card (simulation panel side) -------------------------------------------------
    def present(self, card: IdCard) -> None:
        """Lay ``card`` on the reader (replacing any card there): it will be read once."""
        with self._state:
            self._card, self._seen = card, False
            self._arrived.set()

    def remove(self) -> None:
        with self._state:
            self._card, self._seen = None, False
            self._arrived.clear()

    # ---- IdCardReader ---------------------------------------------------------------------
    def card_present(self) -> bool:
        self._check_faults()
        with self._state:
            return self._card is not None

    def read_card(self, timeout: float) -> IdCard | None:
        self._check_faults()
        if not self._arrived.wait(timeout):
            return None
        self._check_faults()
        with self._state:
            card = self._card
            if card is None or self._seen:
                return None
            self._seen = True
            self._arrived.clear()
        if self.active(Fault.GARBAGE):
            raise TextDecodeError("simulated: the card's text block arrived garbled")
        return card

    def _check_faults(self) -> None:
        self.raise_for_faults()
