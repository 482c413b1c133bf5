"""自助申报, the end: the receipt on screen while it prints — the kiosk's reference (the official
case number follows from the hall), applicant (masked), items, materials received with page
counts, everything still owed with its deadline in one list (一次性告知), the promised completion
date, the delivery choice, and the progress QR.

The case is already committed when this view opens (the flow commits before it moves here).
A failed print leaves the receipt on screen and offers 重新打印 once the printer answers. 完成,
Back, Home or the countdown ends the session (every page in memory is dropped; the committed
case's images are on disk and belong to the case).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)

from kiosk.flows.queue_state import PrintState
from screens.queue_common import close_notices
from screens.queue_ticket import qr_texture
from screens.submit_common import SubmitView, delivery_text

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

SHOW_SECONDS = 60.0  # a receipt is worth reading; then home (times the elder factor)


class SubmitReceiptScreen(SubmitView):
    title = StringProperty("申报已提交")
    reference = StringProperty("")
    applicant = StringProperty("")
    items = StringProperty("")
    received = StringProperty("")
    owed = StringProperty("")
    promise = StringProperty("")
    delivery = StringProperty("")
    repeat = StringProperty("")
    qr = ObjectProperty(None, allownone=True)
    print_state = OptionProperty("idle", options=[s.value for s in PrintState])
    reprint_ready = BooleanProperty(False)
    seconds_left = NumericProperty(0)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._qr_for: str | None = None
        self._deadline = 0.0

    def on_pre_enter(self, *_: object) -> None:
        super().on_pre_enter()
        self._restart_countdown()


    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        self.print_state = state.print_state.value
        self.reprint_ready = state.reprint_ready
        committed = state.committed
        if committed is None:
            self._qr_for = None
            self.qr = None
            for prop in ("reference", "applicant", "items", "received", "owed", "promise",
                         "delivery", "repeat"):
                setattr(self, prop, "")
            return
        r = committed.receipt
        if self._qr_for != r.case_id:
            self._qr_for = r.case_id
            self.qr = qr_texture(r.progress_url)
        self.reference = r.local_ref
        self.applicant = app.tr("申请人：{name}", lang, name=r.masked_name)
        names = [n.render(lang) for n in r.items]
        if r.bundle is not None:
            names.insert(0, app.tr("一件事：{bundle}", lang, bundle=r.bundle))
        self.items = "\n".join(names)
        self.received = "\n".join(app.tr("· {material}（{pages} 页）", lang, material=line.name,
                                         pages=line.pages) for line in r.received) \
            or app.tr("（无）", lang)
        self.owed = "\n".join(app.tr("· {material}，请于 {date} 前补交", lang,
                                     material=o.name, date=o.due.isoformat())
                              for o in r.owed) or app.tr("材料已齐全，无需补交", lang)
        self.promise = app.tr("承诺办结日期：{date}（工作日计算）", lang,
                              date=r.promised_date.isoformat())
        self.delivery = app.tr("取件方式：{delivery}", lang,
                               delivery=delivery_text(app, r.delivery, lang))
        self.repeat = app.tr("您已确认重复申报（前次：{number}）", lang, number=r.repeat_of) \
            if r.repeat_of else ""

    def reprint(self) -> None:
        self.flow.reprint()

    def _restart_countdown(self) -> None:
        seconds = SHOW_SECONDS * self.app.idle.factor
        self._deadline = self.app.now() + seconds
        self.seconds_left = math.ceil(seconds)

    def tick(self, now: float) -> None:
        if self.state.committed is None:
            return
        self.flow.tick(now)
        if self.print_state == "printing":
            self._restart_countdown()
            return
        left = self._deadline - now
        self.seconds_left = max(0, math.ceil(left))
        if left <= 0:
            self.finish()

    def finish(self) -> None:
        close_notices()
        self.flow.finish()
        self.app.go_home()
