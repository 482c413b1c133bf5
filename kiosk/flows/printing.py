"""Printing a receipt for a flow: the job, the maintenance alert, and asking for paper.

Jobs run on the printer's own worker (``DeviceManager.run_job``); the alert is written there too
(one committed row, off the UI thread), then the outcome is handed back through ``dispatch``. A
successful print clears the printer alerts; a failed one raises one (one open per kind). The
flow decides what to show; this module only does the device work. Never imports Kivy.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import CancelledError, Future

from drivers.base import Device
from drivers.printer.base import PaperStatus, PrinterOffline, ReceiptPrinter
from drivers.printer.layout import Receipt
from kiosk.alerts import PRINTER_KINDS, Alerts, printer_alert
from kiosk.devices import DeviceManager
from kiosk.events import Dispatch, EventBus, ReceiptPrinted
from kiosk.maintenance.paper import receipt_length_mm

log = logging.getLogger(__name__)

USABLE_PAPER = (PaperStatus.OK, PaperStatus.NEAR_END)
PRINTER_RETRY_S = 5.0  # while a print has failed, ask the printer this often (monotonic s)


class PaperWatch:
    """After a failed print, asks the printer whether its paper is usable again: at once, when
    the flow sees the printer's health change (``ask``), and every ``PRINTER_RETRY_S`` from the
    view's timer (``tick``); one question at a time. An answer still relevant (same flow
    generation, the print still failed) goes to ``answered(usable)``. Every flow that prints
    (ticket, guide slip, case receipt) uses one; the flow keeps its own state."""

    def __init__(self, desk: PrintDesk, *, failed: Callable[[], bool],
                 ready: Callable[[], bool], answered: Callable[[bool], None],
                 generation: Callable[[], int]) -> None:
        self._desk = desk
        self._failed = failed  # the print has failed
        self._ready = ready  # the flow already offers the reprint
        self._answered = answered
        self._generation = generation
        self._asking = False  # a paper question is out
        self._next_ask: float | None = None  # monotonic time of the next paper question

    def ask(self) -> None:
        if self._asking:
            return
        generation = self._generation()

        def answered(paper: PaperStatus) -> None:
            self._asking = False
            if generation == self._generation() and self._failed():
                self._answered(paper in USABLE_PAPER)

        # Marked before asking: with a synchronous dispatch the answer can arrive on the
        # printer's thread before ask_paper returns, and must not be overwritten by this flag.
        self._asking = True
        if not self._desk.ask_paper(answered):
            self._asking = False

    def tick(self, monotonic_now: float) -> None:
        if not self._failed() or self._ready():
            self._next_ask = None
            return
        if self._next_ask is None:
            self._next_ask = monotonic_now + PRINTER_RETRY_S
        elif monotonic_now >= self._next_ask:
            self._next_ask = monotonic_now + PRINTER_RETRY_S
            self.ask()

    @property
    def asking(self) -> bool:
        """A paper question is out (tests wait for its answer)."""
        return self._asking

    def restart_timer(self) -> None:
        self._next_ask = None

    def reset(self) -> None:
        self._asking = False
        self._next_ask = None


def print_job(device: Device, receipt: Receipt) -> bytes:
    """The printer job. Every ``ReceiptPrinter`` reads its paper sensor before the first byte
    and refuses with ``PaperOut``/``PrinterOffline``, so no half ticket comes out of an empty
    roll and no second status round trip is needed here."""
    if not isinstance(device, ReceiptPrinter):
        raise PrinterOffline(f"{type(device).__name__} is not a receipt printer")
    return device.print_receipt(receipt)


def paper_of(device: Device) -> PaperStatus:
    if not isinstance(device, ReceiptPrinter):
        return PaperStatus.OFFLINE
    return device.paper_status()


class PrintDesk:
    """Prints receipts and asks for paper; every answer comes back through ``dispatch``."""

    def __init__(self, devices: DeviceManager, alerts: Alerts, dispatch: Dispatch,
                 bus: EventBus | None = None) -> None:
        self.devices = devices
        self.alerts = alerts
        self.dispatch = dispatch
        self.bus = bus  # told of every whole receipt (the maintenance counters)

    @property
    def fitted(self) -> bool:
        return "printer" in self.devices.kinds()

    def print_receipt(self, receipt: Receipt,
                      done: Callable[[BaseException | None], None]) -> None:
        """Print ``receipt``; ``done(None)`` when printed, ``done(error)`` when not."""
        if not self.fitted:
            self._record(PrinterOffline("no printer is configured"), done)
            return
        future = self.devices.run_job("printer", lambda device: print_job(device, receipt))
        future.add_done_callback(lambda f: self._job_done(f, done))
        if self.bus is not None:
            future.add_done_callback(lambda f: self._printed(f, receipt))

    def _printed(self, future: Future[bytes], receipt: Receipt) -> None:
        if self.bus is not None and not future.cancelled() and future.exception() is None:
            self.bus.publish(ReceiptPrinted(receipt_length_mm(receipt)))

    def _job_done(self, future: Future[bytes],
                  done: Callable[[BaseException | None], None]) -> None:
        try:
            error = future.exception()
        except CancelledError:  # the kiosk is shutting down
            return
        self._record(error, done)

    def _record(self, error: BaseException | None,
                done: Callable[[BaseException | None], None]) -> None:
        """On the printer's thread: the alert row first, then the answer to the flow."""
        try:
            if error is None:
                self.alerts.clear(PRINTER_KINDS)
            else:
                log.warning("receipt print failed: %s", error)
                self.alerts.raise_(printer_alert(error))
        except Exception:  # a full disk must not also lose the on-screen ticket
            log.exception("could not record the printer alert")
        self.dispatch(lambda: done(error))

    def ask_paper(self, done: Callable[[PaperStatus], None]) -> bool:
        """Ask the printer for its paper; False when no printer is fitted (nothing asked)."""
        if not self.fitted:
            return False

        def answered(future: Future[PaperStatus]) -> None:
            try:
                paper = future.result()
            except CancelledError:
                return
            except Exception as exc:  # still broken: the caller keeps waiting
                log.info("printer still unavailable: %s", exc)
                paper = PaperStatus.OFFLINE
            self.dispatch(lambda: done(paper))

        self.devices.run_job("printer", paper_of).add_done_callback(answered)
        return True
