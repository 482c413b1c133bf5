"""取号, step 2: the chosen category's service items as large buttons, found by tapping letters.

Nobody types Chinese here: an A–Z strip shows only the pinyin initials that start an item of the
category (tap a letter to filter, tap it again or 全部 to clear). An item closed right now is
greyed with its next opening time (the flow says which), and tapping it shows the flow's notice
saying when to come back. Item buttons are made once per item and reused (building widgets is
what makes a switch slow; setting texts is not). Never issues.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from kiosk.catalogue import ServiceItem
from screens.queue_common import (
    STEP_SCREENS,
    ItemButton,
    QueueView,
    kind_text,
    name_of,
    opening_text,
)
from screens.widgets import KioskButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueItemsScreen(QueueView):
    title = StringProperty("选择办理事项")
    letter = StringProperty("")  # "" = no filter
    letters = ListProperty([])
    category_label = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        # before super().__init__: the kv rules (on_kv_post) run inside it
        self._letter_buttons: dict[str, KioskButton] = {}
        self._buttons: dict[str, ItemButton] = {}
        super().__init__(**kwargs)

    def on_pre_enter(self, *_: object) -> None:
        self.letter = ""
        super().on_pre_enter()
        self.ids.scroll.scroll_y = 1

    def items(self) -> tuple[ServiceItem, ...]:
        category = self.flow.category()
        return self.app.ctx.catalogue.items_in(category.code) if category else ()

    def shown_items(self) -> list[ServiceItem]:
        category = self.flow.category()
        if category is None:
            return []
        if self.letter:
            return list(self.app.ctx.catalogue.items_by_initial(self.letter, category.code))
        return list(self.items())

    def draw(self) -> None:
        app, lang = self.app, self.app.lang
        category = self.flow.category()
        self.category_label = name_of(category, lang) if category else ""
        self.letters = app.ctx.catalogue.initials(category.code) if category else []
        self._draw_letters()
        shown = self.shown_items()
        box = self.ids.item_list
        box.clear_widgets()
        for item in shown:
            hours = self.flow.item_hours(item)
            button = self._button(item.id)
            button.label = name_of(item, lang)
            button.mark = kind_text(app, item, lang)
            button.closed = not hours.open
            button.note = "" if hours.open else opening_text(app, hours.opens_at, hours.now,
                                                              lang)
            box.add_widget(button)
        self.ids.count.text = app.tr("共 {n} 项", lang, n=len(shown))

    def _button(self, item_id: str) -> ItemButton:
        if item_id not in self._buttons:
            button = ItemButton(ident=f"queue_item_{item_id}", item_id=item_id)
            button.bind(on_release=lambda b: self.choose(b.item_id))
            self._buttons[item_id] = button
        return self._buttons[item_id]

    def _draw_letters(self) -> None:
        strip = self.ids.letters
        wanted = ["", *self.letters]
        if [getattr(b, "letter", None) for b in reversed(strip.children)] != wanted:
            strip.clear_widgets()
            for letter in wanted:
                if letter not in self._letter_buttons:
                    button = KioskButton(ident=f"queue_letter_{letter or 'all'}", text=letter)
                    button.letter = letter
                    button.bind(on_release=lambda _b, x=letter: self.tap_letter(x))
                    self._letter_buttons[letter] = button
                strip.add_widget(self._letter_buttons[letter])
        for letter in wanted:
            button = self._letter_buttons[letter]
            if not letter:
                button.text = self.app.tr("全部", self.app.lang)
            button.role = "selected" if letter == self.letter else "secondary"

    def tap_letter(self, letter: str) -> None:
        """The same letter again clears the filter: one finger, no keyboard."""
        self.letter = "" if letter == self.letter else letter
        self.draw()
        self.ids.scroll.scroll_y = 1

    def choose(self, item_id: str) -> None:
        if self.flow.choose_item(item_id):
            # the flow says which step is next: the card step, or confirm when a card is read
            self.app.go(STEP_SCREENS[self.flow.state.step])
