"""The day's counters a technician reads at the kiosk, counted where things happen: on the bus.

Card reads and unreadable cards (``CardInserted`` / ``CardUnreadable``), bad frames from the
scanner or camera (``DeviceHealthChanged`` to degraded), devices going offline
(``DeviceHealthChanged`` to offline), receipts printed and the paper they took
(``ReceiptPrinted``) go into ``maintenance_counters`` per hall day; tickets issued are read from
``tickets`` itself (the record is the count). Paper used since the last roll lives in
``maintenance_paper`` and is reset by "new roll"; below ``low_paper_m`` left, the counters say so.
Writes run off the UI thread through ``submit``. Only numbers: never a card's or ticket's data.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, select, update

from config.schema import MaintenanceConfig
from drivers.base import HealthState
from kiosk.clock import Clock, service_date
from kiosk.events import (
    CardInserted,
    CardUnreadable,
    DeviceHealthChanged,
    EventBus,
    ReceiptPrinted,
)
from kiosk.maintenance.audit import record
from kiosk.storage.models import MaintenanceCounter, MaintenancePaper, Ticket

log = logging.getLogger(__name__)

CARD_READS = "card_reads"
CARD_FAILURES = "card_failures"
DECODE_FAILURES = "decode_failures"
DEVICE_ERRORS = "device_errors"
RECEIPTS_PRINTED = "receipts_printed"
COUNTED = (CARD_READS, CARD_FAILURES, DECODE_FAILURES, DEVICE_ERRORS, RECEIPTS_PRINTED)
DECODING_KINDS = ("scanner", "camera")

Submit = Callable[[Callable[[], None]], None]


def run_now(job: Callable[[], None]) -> None:
    job()


@dataclass(frozen=True)
class Counters:
    day: date
    tickets_issued: int
    receipts_printed: int
    card_reads: int
    card_failures: int
    decode_failures: int
    device_errors: int
    paper_used_m: float
    paper_left_m: float
    paper_low: bool
    roll_since: datetime | None

    def to_json(self) -> dict[str, object]:
        return {"day": self.day.isoformat(), "tickets_issued": self.tickets_issued,
                "receipts_printed": self.receipts_printed, "card_reads": self.card_reads,
                "card_failures": self.card_failures, "decode_failures": self.decode_failures,
                "device_errors": self.device_errors, "paper_used_m": self.paper_used_m,
                "paper_left_m": self.paper_left_m, "paper_low": self.paper_low,
                "roll_since": self.roll_since.isoformat() if self.roll_since else None}


class CounterBook:
    def __init__(self, engine: Engine, *, kiosk_id: str, hall: str, clock: Clock, tz: ZoneInfo,
                 settings: MaintenanceConfig, submit: Submit = run_now) -> None:
        self.engine = engine
        self.kiosk_id, self.hall = kiosk_id, hall
        self.clock, self.tz = clock, tz
        self.settings = settings
        self._submit = submit
        self._unsubscribe: list[Callable[[], None]] = []

    # ---- counting from the bus ----------------------------------------------------------
    def attach(self, bus: EventBus) -> None:
        self._unsubscribe += [
            bus.subscribe(CardInserted, lambda _e: self._count(CARD_READS)),
            bus.subscribe(CardUnreadable, lambda _e: self._count(CARD_FAILURES)),
            bus.subscribe(DeviceHealthChanged, self._on_health),
            bus.subscribe(ReceiptPrinted, self._on_printed),
        ]

    def detach(self) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def _on_health(self, event: DeviceHealthChanged) -> None:
        if event.health.state is HealthState.OFFLINE:
            self._count(DEVICE_ERRORS)
        elif event.health.state is HealthState.DEGRADED and event.kind in DECODING_KINDS:
            self._count(DECODE_FAILURES)

    def _on_printed(self, event: ReceiptPrinted) -> None:
        self._count(RECEIPTS_PRINTED)
        self._submit(lambda: self.add_paper(event.length_mm))

    def _count(self, name: str) -> None:
        day = service_date(self.clock, self.tz)
        self._submit(lambda: self.increment(name, day))

    # ---- storage ------------------------------------------------------------------------
    def increment(self, name: str, day: date, by: int = 1) -> None:
        try:
            with self.engine.begin() as conn:
                key = (MaintenanceCounter.kiosk_id == self.kiosk_id,
                       MaintenanceCounter.day == day, MaintenanceCounter.name == name)
                done = conn.execute(update(MaintenanceCounter).where(*key).values(
                    value=MaintenanceCounter.value + by)).rowcount
                if not done:
                    conn.execute(insert(MaintenanceCounter).values(
                        kiosk_id=self.kiosk_id, day=day, name=name, value=by))
        except Exception:  # a counter must never break the journey that caused it
            log.exception("maintenance counter %s could not be written", name)

    def add_paper(self, length_mm: float) -> None:
        try:
            with self.engine.begin() as conn:
                done = conn.execute(update(MaintenancePaper).where(
                    MaintenancePaper.kiosk_id == self.kiosk_id).values(
                    used_mm=MaintenancePaper.used_mm + length_mm)).rowcount
                if not done:
                    conn.execute(insert(MaintenancePaper).values(
                        kiosk_id=self.kiosk_id, used_mm=length_mm, roll_since=None))
        except Exception:
            log.exception("paper used could not be written")

    def new_roll(self) -> None:
        """The technician fitted a new roll: paper used starts again from zero (audited)."""
        now = self.clock.now().astimezone(UTC)
        with self.engine.begin() as conn:
            done = conn.execute(update(MaintenancePaper).where(
                MaintenancePaper.kiosk_id == self.kiosk_id).values(used_mm=0.0,
                                                                    roll_since=now)).rowcount
            if not done:
                conn.execute(insert(MaintenancePaper).values(kiosk_id=self.kiosk_id,
                                                             used_mm=0.0, roll_since=now))
            record(conn, hall=self.hall, kiosk_id=self.kiosk_id, action="maintenance.new_roll",
                   at=now)

    def today(self) -> Counters:
        day = service_date(self.clock, self.tz)
        with self.engine.connect() as conn:
            values = {str(name): int(value) for name, value in conn.execute(
                select(MaintenanceCounter.name, MaintenanceCounter.value).where(
                    MaintenanceCounter.kiosk_id == self.kiosk_id,
                    MaintenanceCounter.day == day))}
            tickets = conn.execute(select(func.count()).select_from(Ticket).where(
                Ticket.kiosk_id == self.kiosk_id, Ticket.service_date == day)).scalar_one()
            paper = conn.execute(select(MaintenancePaper.used_mm, MaintenancePaper.roll_since)
                                 .where(MaintenancePaper.kiosk_id == self.kiosk_id)).first()
        used_m = round((paper[0] if paper else 0.0) / 1000, 2)
        left_m = round(max(0.0, self.settings.roll_length_m - used_m), 2)
        return Counters(day=day, tickets_issued=int(tickets),
                        receipts_printed=values.get(RECEIPTS_PRINTED, 0),
                        card_reads=values.get(CARD_READS, 0),
                        card_failures=values.get(CARD_FAILURES, 0),
                        decode_failures=values.get(DECODE_FAILURES, 0),
                        device_errors=values.get(DEVICE_ERRORS, 0), paper_used_m=used_m,
                        paper_left_m=left_m, paper_low=left_m <= self.settings.low_paper_m,
                        roll_since=paper[1] if paper else None)
