"""取号, step 5: the ticket, large on screen, while the printer prints it on a worker thread.

The ticket is already committed when this screen opens (``issue_ticket`` returned). The number,
item, windows, people ahead, wait, time, green channel, masked name and the follow-the-queue QR
are drawn here first, so the ticket survives any printer fault: out of paper, offline or failing
mid-job, the citizen is told to photograph or note the number, a maintenance alert is recorded,
and 重新打印 turns on as soon as the printer answers again. The UI thread never waits on the
printer: the job's Future calls back and hops over with ``Clock.schedule_once``. 完成, or ~20 s
(longer in elder mode, longer again after a fault), ends the session and returns home.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Callable
from concurrent.futures import CancelledError, Future
from pathlib import Path
from typing import Any

import qrcode
from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.graphics.texture import Texture
from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)

from drivers.base import Device
from drivers.printer.base import PaperStatus, PrinterOffline, ReceiptPrinter
from drivers.printer.layout import Receipt
from kiosk.alerts import PRINTER_KINDS, printer_alert
from kiosk.events import DeviceHealthChanged
from kiosk.queue.tickets import IssuedTicket
from kiosk.receipts.ticket import ticket_receipt, windows_text
from screens.queue_common import close_notices, current_ticket, priority_text
from screens.widgets import KioskScreen

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

SHOW_SECONDS = 20.0  # then home, session ended (times the elder factor)
SHOW_SECONDS_AFTER_FAULT = 45.0  # time to photograph the screen
PRINTER_RETRY_S = 5.0  # while failed, ask the printer this often besides health events
USABLE_PAPER = (PaperStatus.OK, PaperStatus.NEAR_END)


def print_job(device: Device, receipt: Receipt) -> bytes:
    """The printer job. Every ``ReceiptPrinter`` reads its paper sensor before the first byte
    and refuses with ``PaperOut``/``PrinterOffline``, so no half ticket comes out of an empty
    roll and no second status round trip is needed here."""
    if not isinstance(device, ReceiptPrinter):
        raise PrinterOffline(f"{type(device).__name__} is not a receipt printer")
    return device.print_receipt(receipt)


def qr_texture(text: str) -> Texture:
    """The follow-the-queue QR as a crisp texture (nearest-neighbour, 4-module quiet zone)."""
    image = qrcode.make(text, box_size=10, border=4).get_image()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    buffer.seek(0)
    texture = CoreImage(buffer, ext="png").texture
    texture.mag_filter = "nearest"
    texture.min_filter = "nearest"
    return texture


class QueueTicketScreen(KioskScreen):
    title = StringProperty("您的号码")
    number = StringProperty("")
    category_label = StringProperty("")
    item_label = StringProperty("")
    windows = StringProperty("")
    ahead = StringProperty("")
    issued = StringProperty("")
    priority = StringProperty("")
    masked_name = StringProperty("")
    appointment = StringProperty("")
    qr = ObjectProperty(None, allownone=True)
    print_state = OptionProperty("idle", options=["idle", "printing", "printed", "failed"])
    reprint_ready = BooleanProperty(False)
    seconds_left = NumericProperty(0)
    spin = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._ticket: IssuedTicket | None = None
        self._attempt = 0
        self._deadline = 0.0
        self._next_retry = 0.0
        self._checking = False
        self._unsubscribe: list[Callable[[], None]] = []

    def on_kv_post(self, base_widget: object) -> None:
        self.app.bind(lang=lambda *_: self.render())

    # ---- lifecycle ------------------------------------------------------------------------
    def on_pre_enter(self, *_: object) -> None:
        ticket = current_ticket(self.app.ctx)
        if ticket is None:
            self._forget()
            return
        if self._ticket is None or ticket.uuid != self._ticket.uuid:
            self._ticket = ticket
            self._attempt = 0
            self.qr = qr_texture(ticket.queue_url)
            self.render()
            self.start_print()
        self._restart_countdown()

    def on_enter(self, *_: object) -> None:
        self._unsubscribe.append(self.app.ctx.bus.subscribe(DeviceHealthChanged, self._health))

    def on_leave(self, *_: object) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        shown = current_ticket(self.app.ctx)
        if shown is not None and self._ticket is not None and shown.uuid == self._ticket.uuid:
            # Leaving by Back or Home: the ticket is taken, the citizen's business here is done.
            self.app.ctx.sessions.end("completed")

    def card_removed(self) -> bool:
        return True  # picking the card up while the ticket prints is normal

    def session_ended(self, reason: str) -> None:
        self._forget()

    def _forget(self) -> None:
        self._ticket = None
        self._attempt += 1  # a job still running for the old ticket reports to nobody
        self.qr = None
        self.print_state = "idle"
        self.reprint_ready = False
        self.render()

    # ---- drawing --------------------------------------------------------------------------
    def render(self) -> None:
        app, lang, t = self.app, self.app.lang, self._ticket
        if t is None:
            for prop in ("number", "category_label", "item_label", "windows", "ahead", "issued",
                         "priority", "masked_name", "appointment"):
                setattr(self, prop, "")
            return
        self.number = t.number
        self.category_label = t.category_name if lang == "zh" else t.category_name_en
        self.item_label = t.item_name if lang == "zh" else (t.item_name_en or t.item_name)
        self.windows = app.tr("请到 {windows} 任一窗口办理", lang, windows=windows_text(t.windows))
        self.ahead = (app.tr("前面还有 {n} 人，预计等候约 {m} 分钟", lang, n=t.people_ahead,
                             m=t.estimated_wait_minutes)
                      if t.people_ahead else app.tr("前面没有人等候，请留意叫号", lang))
        self.issued = app.tr("取号时间 {time}", lang, time=f"{t.issued_at:%Y-%m-%d %H:%M}")
        self.priority = priority_text(app, t.priority_reason, lang)
        self.masked_name = app.tr("姓名 {name}", lang, name=t.masked_name) if t.masked_name else ""
        self.appointment = (app.tr("预约号 {code}", lang, code=t.appointment_code)
                            if t.appointment_code else "")

    # ---- printing -------------------------------------------------------------------------
    def start_print(self) -> None:
        """Print (or reprint) the shown ticket on a worker; the screen keeps running."""
        ticket = self._ticket
        if ticket is None:
            return
        ctx = self.app.ctx
        self._attempt += 1
        attempt = self._attempt
        self.print_state = "printing"
        self.reprint_ready = False
        Clock.unschedule(self._spin)
        Clock.schedule_interval(self._spin, 1 / 30)
        receipt = ticket_receipt(ticket, ctx.config.hall)
        if "printer" not in ctx.devices.kinds():
            self._job_done(None, attempt, PrinterOffline("no printer is configured"))
            return
        future = ctx.devices.run_job("printer", lambda device: print_job(device, receipt))
        future.add_done_callback(lambda f: self._job_done(f, attempt))

    def _job_done(self, future: Future[bytes] | None, attempt: int,
                  error: BaseException | None = None) -> None:
        """Runs on the printer's worker thread: record the alert there, then hop to the UI."""
        if future is not None:
            try:
                error = future.exception()
            except CancelledError:  # the app is shutting down
                return
        ctx = self.app.ctx
        try:
            if error is None:
                ctx.alerts.clear(PRINTER_KINDS)
            else:
                log.warning("ticket print failed: %s", error)
                ctx.alerts.raise_(printer_alert(error))
        except Exception:  # a full disk must not also lose the on-screen ticket
            log.exception("could not record the printer alert")
        Clock.schedule_once(lambda _dt: self._show_result(attempt, error), 0)

    def _show_result(self, attempt: int, error: BaseException | None) -> None:
        if attempt != self._attempt or self._ticket is None:
            return  # an older job, or the citizen has gone
        Clock.unschedule(self._spin)
        if error is None:
            self.print_state = "printed"
        else:
            self.print_state = "failed"
            self._ask_printer()  # a one-off hiccup may already be over
        self._restart_countdown()

    def _spin(self, _dt: float) -> None:
        self.spin = (self.spin + 12) % 360

    # ---- waiting for the printer to come back ------------------------------------------------
    def _health(self, event: DeviceHealthChanged) -> None:
        if event.kind == "printer" and self.print_state == "failed":
            self._ask_printer()

    def _ask_printer(self) -> None:
        ctx = self.app.ctx
        if self._checking or "printer" not in ctx.devices.kinds():
            return
        self._checking = True
        self._next_retry = self.app.now() + PRINTER_RETRY_S

        def ask(device: Device) -> PaperStatus:
            if not isinstance(device, ReceiptPrinter):
                return PaperStatus.OFFLINE
            return device.paper_status()

        def answered(future: Future[PaperStatus]) -> None:
            try:
                paper = future.result()
            except CancelledError:
                return
            except Exception as exc:  # still broken: keep waiting
                log.info("printer still unavailable: %s", exc)
                paper = PaperStatus.OFFLINE
            Clock.schedule_once(lambda _dt: self._printer_answered(paper), 0)

        ctx.devices.run_job("printer", ask).add_done_callback(answered)

    def _printer_answered(self, paper: PaperStatus) -> None:
        self._checking = False
        if self.print_state == "failed":
            self.reprint_ready = paper in USABLE_PAPER

    # ---- leaving --------------------------------------------------------------------------
    def _restart_countdown(self) -> None:
        seconds = SHOW_SECONDS_AFTER_FAULT if self.print_state == "failed" else SHOW_SECONDS
        seconds *= self.app.idle.factor
        self._deadline = self.app.now() + seconds
        self.seconds_left = math.ceil(seconds)

    def tick(self, now: float) -> None:
        if self._ticket is None:
            return
        if self.print_state == "printing":
            self._restart_countdown()  # never leave before the paper is out
            return
        if self.print_state == "failed" and not self.reprint_ready and now >= self._next_retry:
            self._ask_printer()
        left = self._deadline - now
        self.seconds_left = max(0, math.ceil(left))
        if left <= 0:
            self.finish()

    def finish(self) -> None:
        """完成: the session ends (personal data dropped) and the kiosk goes home."""
        close_notices()
        self.app.ctx.sessions.end("completed")
        self.app.go_home()
