"""夜间投递, the choice: the case (scan the receipt QR of a self-service submission) or the service
item from the catalogue, and the envelope's size; 打开柜门 asks the flow for a free compartment.

Draws what is chosen and forwards taps and scans. Items offered are the catalogue's; the flow
keeps the choice and decides the door.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from screens.locker_common import SIZE_NAMES, LockerView
from screens.queue_common import name_of
from screens.widgets import KioskButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LockerDropoffScreen(LockerView):
    title = StringProperty("夜间投递")
    chosen = StringProperty("")
    chosen_size = StringProperty("M")
    busy = BooleanProperty(False)
    masked_name = StringProperty("")

    def on_kv_post(self, base_widget: object) -> None:
        self._items: dict[str, KioskButton] = {}
        for item in self.app.ctx.catalogue.items:
            button = KioskButton(role="secondary", ident=f"locker_item_{item.id}")
            button.item_id = item.id
            button.bind(on_release=lambda b: self.choose(b.item_id))
            self.ids.item_list.add_widget(button)
            self._items[item.id] = button
        for size in ("S", "M", "L"):
            button = KioskButton(role="secondary", ident=f"locker_size_{size}")
            button.size_code = size
            button.bind(on_release=lambda b: self.flow.choose_size(b.size_code))
            self.ids.sizes.add_widget(button)

    def enter(self) -> None:
        self.ids.scroll.scroll_y = 1

    def warm(self) -> None:
        """Behind home after a start: every button's text set and laid out now (drawing sets
        them; a first visit used to make them all while the citizen waited)."""
        self.draw()

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        for item in app.ctx.catalogue.items:
            button = self._items[item.id]
            button.text = name_of(item, lang)
            button.role = "selected" if state.service_item == item.id else "secondary"
        for button in self.ids.sizes.children:
            button.text = app.tr(SIZE_NAMES[button.size_code], lang)
            button.role = "selected" if state.size == button.size_code else "secondary"
        if state.service_item:
            self.chosen = name_of(app.ctx.catalogue.item(state.service_item), lang)
        elif state.case_id:
            self.chosen = app.tr("申报回执（已扫描）", lang)
        else:
            self.chosen = ""
        self.chosen_size = state.size
        self.busy = state.busy
        self.masked_name = state.masked_name

    def choose(self, item_id: str) -> None:
        item = self.app.ctx.catalogue.item(item_id)
        self.flow.choose_item(item_id, item.name)

    def open_door(self) -> None:
        self.flow.deposit()
