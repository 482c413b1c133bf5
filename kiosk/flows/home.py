"""The home screen's controller: the hall's queue at a glance and the tiles the mode allows.

The queue overview (waiting and now serving per category) and, when a hall server is configured,
the outbox's depth (records not yet delivered and the age of the oldest) are read off the UI
thread, at most every ``QUEUE_STATUS_REFRESH_S`` seconds while home is shown; the tiles are the
kiosk mode's verdicts (``kiosk.mode``). Holds nothing about a citizen. Never imports Kivy. A
standalone kiosk says nothing about sync here: that is for the technician (``kiosk sync status``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.events import EventBus
from kiosk.flows.base import Flow, Outcome, Worker
from kiosk.queue.counter import CounterService
from kiosk.queue.tickets import QueueStatus
from kiosk.staff_call import StaffCall
from kiosk.sync.worker import SyncStatus, SyncWorker

log = logging.getLogger(__name__)

QUEUE_STATUS_REFRESH_S = 15.0


@dataclass(frozen=True)
class HomeState:
    step: str = "home"
    queue_status: QueueStatus | None = None  # None until read (or when it cannot be)
    sync_status: SyncStatus | None = None  # None: standalone kiosk, or not read yet
    reading: bool = False
    calling_staff: bool = False  # 呼叫工作人员 is being recorded
    staff_calls: int = 0  # answered calls (the screen confirms each one)
    staff_call_failed: bool = False  # the last call could not be recorded: ask at the desk


class HomeFlow(Flow[HomeState]):
    name = "home"

    def __init__(self, *, bus: EventBus, worker: Worker, counter: CounterService | None,
                 sync: SyncWorker | None = None,
                 staff_call: Callable[[], StaffCall] | None = None) -> None:
        super().__init__(bus, worker, HomeState())  # nothing personal: no session wipe
        self.counter = counter
        self.sync = sync
        self._staff_call = staff_call
        self._read_at: float | None = None
        self._again = False  # asked again while a read ran: its answer may predate the ask

    def refresh_queue_status(self, monotonic_now: float) -> None:
        """Read the overview now (on entry); while a read runs, one more follows it."""
        if self.counter is None:
            return
        self._read_at = monotonic_now
        if self.state.reading:
            self._again = True
            return
        self._change(reading=True)
        self._run(self.counter.status, self._read)
        if self.sync is not None and self.sync.configured:
            self._run(self.sync.status, self._read_sync)

    def tick(self, monotonic_now: float) -> None:
        if self._read_at is None or monotonic_now - self._read_at >= QUEUE_STATUS_REFRESH_S:
            self.refresh_queue_status(monotonic_now)

    def _read(self, outcome: Outcome[QueueStatus]) -> None:
        if outcome.error is not None:
            log.warning("queue overview unavailable: %s", type(outcome.error).__name__)
            self._change(reading=False)
        else:
            self._change(reading=False, queue_status=outcome.value)
        if self._again and self._read_at is not None:
            self._again = False
            self.refresh_queue_status(self._read_at)

    # ---- 呼叫工作人员 -----------------------------------------------------------------------
    def call_staff(self) -> bool:
        """Raise the call-staff alert off the UI thread; False when one is being recorded (or
        this kiosk has no way to call)."""
        if self._staff_call is None or self.state.calling_staff:
            return False
        self._change(calling_staff=True)
        self._run(self._staff_call, self._staff_called)
        return True

    def _staff_called(self, outcome: Outcome[StaffCall]) -> None:
        if outcome.error is not None:
            log.error("calling staff failed: %s", type(outcome.error).__name__)
            self._change(calling_staff=False, staff_call_failed=True)
            return
        log.info("staff called from the kiosk (alert %s)", outcome.value and outcome.value.alert_id)
        self._change(calling_staff=False, staff_call_failed=False,
                     staff_calls=self.state.staff_calls + 1)

    def _read_sync(self, outcome: Outcome[SyncStatus]) -> None:
        if outcome.error is not None:
            log.warning("outbox depth unavailable: %s", type(outcome.error).__name__)
        elif outcome.value != self.state.sync_status:
            self._change(sync_status=outcome.value)
