"""取号, step 1: choose a category (社会民生 / 经营管理 / 工程建设 …), or check in an appointment.

One large tile per category with how many people wait now and its windows, read from the queue
status (on a thread) each time the screen opens. Starting here forgets an earlier half-finished
choice, but keeps an ID card already tapped on the home screen. Never issues anything.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.receipts.ticket import windows_text
from screens.background import fetch_in_background
from screens.queue_common import CATEGORY, ITEM, TICKET, CategoryTile, name_of, session_data
from screens.widgets import KioskScreen

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueScreen(KioskScreen):
    title = StringProperty("取号")

    def __init__(self, **kwargs: Any) -> None:
        # before super().__init__: the kv rules (on_kv_post) run inside it
        self._tiles: dict[str, CategoryTile] = {}
        self._appointment: CategoryTile | None = None
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        # Tiles are built once; entering the screen only relabels them and recounts the queue,
        # so the switch stays within the 100 ms budget.
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
        self.app.bind(lang=lambda *_: self.relabel())
        self.relabel()

    def on_pre_enter(self, *_: object) -> None:
        data = session_data(self.app.ctx)
        for key in (CATEGORY, ITEM, TICKET):
            data.pop(key, None)
        self.relabel()
        self.count_waiting()

    def relabel(self) -> None:
        app, lang = self.app, self.app.lang
        for cat in app.ctx.catalogue.categories:
            tile = self._tiles[cat.code]
            tile.label = name_of(cat, lang)
            tile.detail = app.tr("窗口 {windows}", lang, windows=windows_text(cat.windows))
        if self._appointment is not None:
            self._appointment.label = app.tr("预约签到", lang)
            self._appointment.detail = app.tr("扫描预约二维码或刷身份证", lang)

    def count_waiting(self) -> None:
        """People waiting per category, read on a thread like the home overview: a slow
        database must never hold the screen switch."""
        queue = self.app.ctx.counter
        fetch_in_background(lambda: {c.code: c.waiting for c in queue.status().categories},
                            self._show_waiting, "queue-category-status")

    def _show_waiting(self, waiting: dict[str, int] | None) -> None:
        for code, tile in self._tiles.items():
            tile.counted = waiting is not None
            tile.waiting = (waiting or {}).get(code, 0)

    def choose(self, code: str) -> None:
        session_data(self.app.ctx)[CATEGORY] = code
        self.app.go("queue_items")
