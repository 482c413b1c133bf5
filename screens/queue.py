"""取号, step 1: choose a category (社会民生 / 经营管理 / 工程建设 …), or check in an appointment.

One large tile per category with how many people wait now and its windows. Entering tells the
flow to start over (it forgets a half-finished choice, keeps an ID card tapped on home, and
counts the waiting off the UI thread); the counts arrive with the flow's next state. Never
issues anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.receipts.ticket import windows_text
from screens.queue_common import CategoryTile, QueueView, name_of

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueScreen(QueueView):
    title = StringProperty("取号")

    def __init__(self, **kwargs: Any) -> None:
        # before super().__init__: the kv rules (on_kv_post) run inside it
        self._tiles: dict[str, CategoryTile] = {}
        self._appointment: CategoryTile | None = None
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        # Tiles are built once; entering the screen only relabels them.
        grid = self.ids.categories
        for cat in self.app.ctx.catalogue.categories:
            tile = CategoryTile(ident=f"queue_category_{cat.code}", code=cat.code,
                                prefix=cat.prefix)
            tile.bind(on_release=lambda t: self.choose(t.code))
            grid.add_widget(tile)
            self._tiles[cat.code] = tile
        self._appointment = CategoryTile(ident="queue_appointment_tile", prefix="约",
                                         show_waiting=False)
        self._appointment.bind(on_release=lambda _t: self.app.go("queue_appointment"))
        grid.add_widget(self._appointment)

    def enter(self) -> None:
        self.flow.start()

    def draw(self) -> None:
        app, lang = self.app, self.app.lang
        waiting = self.state.waiting
        for cat in app.ctx.catalogue.categories:
            tile = self._tiles[cat.code]
            tile.label = name_of(cat, lang)
            tile.detail = app.tr("窗口 {windows}", lang, windows=windows_text(cat.windows))
            tile.counted = waiting is not None
            tile.waiting = (waiting or {}).get(cat.code, 0)
        if self._appointment is not None:
            self._appointment.label = app.tr("预约签到", lang)
            self._appointment.detail = app.tr("扫描预约二维码或刷身份证", lang)

    def choose(self, code: str) -> None:
        self.flow.choose_category(code)
        self.app.go("queue_items")
