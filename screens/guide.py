"""办事指南, step 1: choose a category (社会民生 / 经营管理 / 工程建设) to read its items' guides.

One large tile per category with how many items it has. Entering from home tells the flow to
start over (nothing chosen, nowhere to return to). Never decides anything: the guide's state is
``ctx.flows.guide``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from screens.guide_common import GuideView
from screens.queue_common import CategoryTile, name_of

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class GuideScreen(GuideView):
    title = StringProperty("办事指南")

    def __init__(self, **kwargs: Any) -> None:
        self._tiles: dict[str, CategoryTile] = {}  # before super(): the kv rules run inside it
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        # Tiles are built once; entering the screen only relabels them.
        for cat in self.app.ctx.catalogue.categories:
            tile = CategoryTile(ident=f"guide_category_{cat.code}", code=cat.code,
                                prefix=cat.prefix, show_waiting=False)
            tile.bind(on_release=lambda t: self.choose(t.code))
            self.ids.categories.add_widget(tile)
            self._tiles[cat.code] = tile

    def on_pre_enter(self, *_: object) -> None:
        super().on_pre_enter()
        self.ids.scroll.scroll_y = 1

    def enter(self) -> None:
        self.flow.start()

    def draw(self) -> None:
        app, lang = self.app, self.app.lang
        catalogue = app.ctx.catalogue
        for cat in catalogue.categories:
            tile = self._tiles[cat.code]
            tile.label = name_of(cat, lang)
            tile.detail = app.tr("共 {n} 项", lang, n=len(catalogue.items_in(cat.code)))

    def choose(self, code: str) -> None:
        if self.flow.choose_category(code):
            self.app.go("guide_items")
