"""The one adapter between the hall server and the kiosk's queue services (the counter page and
the ticket page call the queue only through here).

Today the counter operations are ``CounterDesk`` methods on ``kiosk.queue.QueueService``; at the
merge they become ``CounterService(engine, catalogue, config, clock, outbox=...)`` with the same
methods, and only ``_service`` below changes. Never issues tickets.
"""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import Engine

from kiosk.hall.settings import HallSettings
from kiosk.queue.service import QueueService
from kiosk.queue.tickets import CalledTicket, QueueStatus

ACTOR = "hall"


class QueueDesk:
    def __init__(self, engine: Engine, settings: HallSettings) -> None:
        self.engine, self.settings = engine, settings
        self._lock = threading.Lock()
        self._svc: QueueService | None = None

    def _service(self) -> QueueService:
        with self._lock:
            if self._svc is None:
                from kiosk.clock import SystemClock
                from kiosk.config import load_config

                config = load_config(self.settings.config_file)
                self._svc = QueueService(self.engine, self.settings.catalogue(), config,
                                         SystemClock(self.settings.tz), ACTOR,
                                         secret=self.settings.secret)
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
