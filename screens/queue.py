"""取号, step 1: choose a category (社会民生 / 经营管理 / 工程建设 …), or check in an appointment.

One large tile per category with how many people wait now and its windows, read from the queue
status each time the screen opens. Starting here forgets an earlier half-finished choice, but
keeps an ID card already tapped on the home screen. Never issues anything.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.receipts.ticket import windows_text
from screens.queue_common import CATEGORY, ITEM, TICKET, CategoryTile, name_of, session_data
from screens.widgets import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueScreen(KioskScreen):
    title = StringProperty("取号")

    def on_kv_post(self, base_widget: object) -> None:
        self.app.bind(lang=lambda *_: self.refresh())

    def on_pre_enter(self, *_: object) -> None:
        data = session_data(self.app.ctx)
        for key in (CATEGORY, ITEM, TICKET):
            data.pop(key, None)
        self.refresh()

    def refresh(self) -> None:
        ctx, lang = self.app.ctx, self.app.lang
        waiting = {c.code: c.waiting for c in ctx.queue.status().categories}
        grid = self.ids.categories
        grid.clear_widgets()
        for cat in ctx.catalogue.categories:
            detail = self.app.tr("窗口 {windows}", lang, windows=windows_text(cat.windows))
            tile = CategoryTile(ident=f"queue_category_{cat.code}", code=cat.code,
                                prefix=cat.prefix, label=name_of(cat, lang), detail=detail,
                                waiting=waiting.get(cat.code, 0))
            tile.bind(on_release=lambda t: self.choose(t.code))
            grid.add_widget(tile)
        appointment = CategoryTile(ident="queue_appointment_tile", prefix="约",
                                   label=self.app.tr("预约签到", lang),
                                   detail=self.app.tr("扫描预约二维码或刷身份证", lang),
                                   show_waiting=False)
        appointment.bind(on_release=lambda _t: self.app.go("queue_appointment"))
        grid.add_widget(appointment)

    def choose(self, code: str) -> None:
        session_data(self.app.ctx)[CATEGORY] = code
        self.app.go("queue_items")
