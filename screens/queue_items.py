"""取号, step 2: the chosen category's service items as large buttons, found by tapping letters.

Nobody types Chinese here: an A–Z strip shows only the pinyin initials that start an item of the
category (tap a letter to filter, tap it again or 全部 to clear). An item closed right now is
greyed with its next opening time, and tapping it explains when to come back. Never issues.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from kiosk.catalogue import ServiceItem
from kiosk.queue.errors import ServiceClosed
from screens.queue_common import (
    ITEM,
    ItemButton,
    chosen_category,
    hall_now,
    kind_text,
    name_of,
    opening_text,
    session_data,
    show_refusal,
)
from screens.widgets import KioskButton, KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueItemsScreen(KioskScreen):
    title = StringProperty("选择办理事项")
    letter = StringProperty("")  # "" = no filter
    letters = ListProperty([])
    category_label = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        # before super().__init__: the kv rules (on_kv_post) run inside it
        self._buttons: dict[str, ItemButton] = {}
        self._letter_buttons: dict[str, KioskButton] = {}
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        self.app.bind(lang=lambda *_: self.refresh())

    def on_pre_enter(self, *_: object) -> None:
        self.letter = ""
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def items(self) -> tuple[ServiceItem, ...]:
        category = chosen_category(self.app.ctx)
        return self.app.ctx.catalogue.items_in(category.code) if category else ()

    def refresh(self) -> None:
        ctx, lang = self.app.ctx, self.app.lang
        category = chosen_category(ctx)
        self.category_label = name_of(category, lang) if category else ""
        items = self.items()
        self.letters = ctx.catalogue.initials(category.code) if category else []
        self._draw_letters()
        shown = (ctx.catalogue.items_by_initial(self.letter, category.code)
                 if self.letter and category else list(items))
        now = hall_now(ctx)
        box = self.ids.item_list
        box.clear_widgets()
        for item in shown:
            button = self._button(item.id)
            is_open = item.schedule.is_open(now)
            button.label = name_of(item, lang)
            button.mark = kind_text(self.app, item, lang)
            button.closed = not is_open
            button.note = "" if is_open else opening_text(
                self.app, item.schedule.next_opening(now), now, lang)
            box.add_widget(button)
        self.ids.count.text = self.app.tr("共 {n} 项", lang, n=len(shown))

    def _button(self, item_id: str) -> ItemButton:
        # Buttons are made once per item and reused: building widgets is what makes a screen
        # switch slow, setting their texts is not.
        if item_id not in self._buttons:
            button = ItemButton(ident=f"queue_item_{item_id}", item_id=item_id)
            button.bind(on_release=lambda b: self.choose(b.item_id))
            self._buttons[item_id] = button
        return self._buttons[item_id]

    def _draw_letters(self) -> None:
        strip = self.ids.letters
        strip.clear_widgets()
        for letter in ["", *self.letters]:
            if letter not in self._letter_buttons:
                button = KioskButton(ident=f"queue_letter_{letter or 'all'}", text=letter)
                button.bind(on_release=lambda _b, x=letter: self.tap_letter(x))
                self._letter_buttons[letter] = button
            button = self._letter_buttons[letter]
            if not letter:
                button.text = self.app.tr("全部", self.app.lang)
            button.role = "primary" if letter == self.letter else "secondary"
            strip.add_widget(button)

    def tap_letter(self, letter: str) -> None:
        """The same letter again clears the filter: one finger, no keyboard."""
        self.letter = "" if letter == self.letter else letter
        self.refresh()
        self.ids.scroll.scroll_y = 1

    def choose(self, item_id: str) -> None:
        ctx = self.app.ctx
        item = ctx.catalogue.item(item_id)
        now = hall_now(ctx)
        if not item.schedule.is_open(now):
            name = item.name if self.app.lang == "zh" else item.name_en
            refusal = ServiceClosed(name, item.schedule.next_opening(now), now)
            other = ServiceClosed(item.name_en if self.app.lang == "zh" else item.name,
                                  item.schedule.next_opening(now), now)
            popup = show_refusal(refusal, "该事项现在不在办理时间")
            popup.other = other.message("en" if self.app.lang == "zh" else "zh")
            return
        session_data(ctx)[ITEM] = item_id
        self.app.go("queue_identify")
