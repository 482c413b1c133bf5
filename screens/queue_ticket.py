"""取号, step 5: the ticket, large on screen, while the flow prints it on the printer's worker.

The ticket is already committed when this view opens. The number, item, windows, people ahead,
wait, time, green channel, masked name and the follow-the-queue QR are drawn from the flow's
state first, so the ticket survives any printer fault: out of paper, offline or failing mid-job,
the citizen is told to photograph or note the number, and 重新打印 turns on as soon as the flow
finds the printer answering again (the alert is the flow's business). The countdown home (~20 s,
longer in elder mode, longer again after a fault) is a UI timer on the app's monotonic time,
driven by Kivy's Clock through ``tick``; 完成 or the countdown ends the session.
"""

from __future__ import annotations

import io
import math
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

from kiosk.flows.queue_state import PrintState
from kiosk.queue.tickets import IssuedTicket
from kiosk.receipts.ticket import windows_text
from screens.queue_common import QueueView, close_notices, priority_text

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

SHOW_SECONDS = 20.0  # then home, session ended (times the elder factor)
SHOW_SECONDS_AFTER_FAULT = 45.0  # time to photograph the screen


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


class QueueTicketScreen(QueueView):
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
    print_state = OptionProperty("idle", options=[s.value for s in PrintState])
    reprint_ready = BooleanProperty(False)
    reissued = BooleanProperty(False)  # a ticket taken earlier: 补打 prints a marked copy
    seconds_left = NumericProperty(0)
    spin = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._qr_for: str | None = None  # the ticket whose QR is drawn
        self._deadline = 0.0

    @property
    def ticket(self) -> IssuedTicket | None:
        return self.state.ticket

    # ---- lifecycle ------------------------------------------------------------------------
    def on_pre_enter(self, *_: object) -> None:
        super().on_pre_enter()
        self._restart_countdown()

    def on_leave(self, *_: object) -> None:
        Clock.unschedule(self._spin)
        # Leaving by Back or Home: the ticket is taken, the citizen's business here is done.
        self.flow.finish()

    def card_removed(self) -> bool:
        return True  # picking the card up while the ticket prints is normal

    # ---- drawing --------------------------------------------------------------------------
    def draw(self) -> None:
        app, lang, t, state = self.app, self.app.lang, self.ticket, self.state
        was = self.print_state
        self.print_state = state.print_state.value
        self.reprint_ready = state.reprint_ready
        self.reissued = state.reissued
        if self.print_state == PrintState.PRINTING:
            Clock.unschedule(self._spin)
            Clock.schedule_interval(self._spin, 1 / 30)
        else:
            Clock.unschedule(self._spin)
        if was != self.print_state and self.shown:
            self._restart_countdown()
        if t is None:
            self._qr_for = None
            self.qr = None
            for prop in ("number", "category_label", "item_label", "windows", "ahead", "issued",
                         "priority", "masked_name", "appointment"):
                setattr(self, prop, "")
            return
        if self._qr_for != t.uuid:
            self._qr_for = t.uuid
            self.qr = qr_texture(t.queue_url)
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

    def _spin(self, _dt: float) -> None:
        self.spin = (self.spin + 12) % 360

    # ---- taps -------------------------------------------------------------------------------
    def start_print(self) -> None:
        """重新打印 (enabled only when the flow offers it)."""
        self.flow.reprint()

    def print_copy(self) -> None:
        """补打号票: a copy of a ticket taken earlier."""
        self.flow.print_copy()

    # ---- leaving ----------------------------------------------------------------------------
    def _restart_countdown(self) -> None:
        seconds = SHOW_SECONDS_AFTER_FAULT if self.print_state == "failed" else SHOW_SECONDS
        seconds *= self.app.idle.factor
        self._deadline = self.app.now() + seconds
        self.seconds_left = math.ceil(seconds)

    def tick(self, now: float) -> None:
        if self.ticket is None:
            return
        self.flow.tick(now)  # the printer retry while a print has failed
        if self.print_state == "printing":
            self._restart_countdown()  # never leave before the paper is out
            return
        left = self._deadline - now
        self.seconds_left = max(0, math.ceil(left))
        if left <= 0:
            self.finish()

    def finish(self) -> None:
        """完成: the session ends (personal data dropped) and the kiosk goes home."""
        close_notices()
        self.flow.finish()
        self.app.go_home()
