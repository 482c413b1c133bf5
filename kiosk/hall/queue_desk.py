"""The one adapter between the hall server and the kiosk's queue services (the counter page and
the ticket page call the queue only through here).

The counter operations are the kiosk core's ``CounterService`` on the hall's shared database: the
same calling rules (green channel first), audit rows and outbox events as ``kiosk queue call``.
Never issues tickets.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import Engine

from kiosk.hall.settings import HallSettings
from kiosk.queue.counter import CounterService
from kiosk.queue.tickets import CalledTicket, QueueStatus


class QueueDesk:
    def __init__(self, engine: Engine, settings: HallSettings) -> None:
        self.engine, self.settings = engine, settings
        self._lock = threading.Lock()
        self._svc: CounterService | None = None

    def _service(self) -> CounterService:
        with self._lock:
            if self._svc is None:
                from kiosk.clock import SystemClock
                from kiosk.config import load_config

                config = load_config(self.settings.config_file)
                self._svc = CounterService(self.engine, self.settings.catalogue(), config,
                                           SystemClock(self.settings.tz))
            return self._svc

    def call_next(self, window_id: str) -> CalledTicket:
        return self._service().call_next(window_id)

    def recall(self, window_id: str) -> CalledTicket:
        return self._service().recall(window_id)

    def skip(self, window_id: str) -> CalledTicket:
        return self._service().skip(window_id)

    def done(self, window_id: str) -> CalledTicket:
        return self._service().done(window_id)

    def status(self, day: date | None = None) -> QueueStatus:
        return self._service().status(day)
