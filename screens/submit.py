"""自助申报, step 1: choose what to file — the items of a category, bundles (一件事) first.

A bundle files several items as one application (one card, each material once, one receipt);
its row says how many items it covers. Category buttons switch the list; nobody types. Rows
are made once per item and reused. Tapping a row asks the flow to start that application; the
flow's step takes the citizen on to the guide summary. Never files anything itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from screens.queue_common import ItemButton
from screens.submit_common import SubmitView, kind_text, name_of
from screens.widgets import KioskButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SubmitItemsScreen(SubmitView):
    title = StringProperty("自助申报")

    def __init__(self, **kwargs: Any) -> None:
        self._buttons: dict[str, ItemButton] = {}
        self._tabs: dict[str, KioskButton] = {}
        super().__init__(**kwargs)

    def enter(self) -> None:
        self.flow.start()

    def draw(self) -> None:
        self._show(self.state.category)

    def warm(self) -> None:
        """Behind home after a start: the first category's rows made and laid out, so the
        first citizen to tap 自助申报 does not wait for a dozen rows to be built."""
        categories = self.flow.categories()
        if categories:
            self._show(categories[0].code)

    def _show(self, selected: str | None) -> None:
        app, lang = self.app, self.app.lang
        tabs = self.ids.tabs
        if not self._tabs:
            for category in self.flow.categories():
                tab = KioskButton(ident=f"submit_category_{category.code}")
                tab.bind(on_release=lambda _b, c=category.code: self.flow.choose_category(c))
                self._tabs[category.code] = tab
                tabs.add_widget(tab)
        for category in self.flow.categories():
            tab = self._tabs[category.code]
            tab.text = name_of(category, lang)
            tab.role = "selected" if category.code == selected else "secondary"
        box = self.ids.item_list
        box.clear_widgets()
        for item in self.flow.items(selected):
            button = self._button(item.id)
            button.label = name_of(item, lang)
            button.mark = kind_text(app, item, lang)
            button.note = app.tr("{n} 项材料", lang, n=len(item.materials)) \
                if not item.is_bundle else app.tr("一次刷卡，材料只交一次", lang)
            box.add_widget(button)

    def _button(self, item_id: str) -> ItemButton:
        if item_id not in self._buttons:
            button = ItemButton(ident=f"submit_item_{item_id}", item_id=item_id)
            button.bind(on_release=lambda b: self.flow.choose_item(b.item_id))
            self._buttons[item_id] = button
        return self._buttons[item_id]
