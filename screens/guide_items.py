"""办事指南, step 2: the chosen category's items in a RecycleView, found by tapping letters.

A category may hold hundreds of items in a real hall (one district hall runs 513), so the list
is a RecycleView: only the rows in view exist as widgets. Rows differ in height (an English name
may take two lines), so each row's height is measured from its text at the list's width and
handed to the layout through the data (``row_size``). An A–Z strip shows only the pinyin
initials that start an item of the category; tapping one filters, tapping it again clears. No
decisions here: the flow says which items are shown.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from kivy.core.text import Label as CoreLabel
from kivy.lang import Builder
from kivy.properties import ListProperty, StringProperty

from screens import theme
from screens.guide_common import GuideView
from screens.queue_common import kind_text, name_of
from screens.widgets import KioskButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

ROW_PADDING_X = 64  # GuideItemRow's left + right padding
ROW_CHROME_Y = 36 + 6 + 16 + 12  # padding, spacing, the gap between rows, a margin


@lru_cache(maxsize=2048)
def text_height(text: str, font_size: float, width: float) -> int:
    """Height of ``text`` wrapped at ``width`` in the default font, as a Label would draw it."""
    label = CoreLabel(text=text, font_size=font_size, text_size=(max(width, 1), None))
    label.refresh()
    return int(label.texture.size[1]) if label.texture else int(font_size * 1.3)


class GuideItemsScreen(GuideView):
    title = StringProperty("办事指南")
    category_label = StringProperty("")
    letters = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        self._letter_buttons: dict[str, KioskButton] = {}  # before super(): kv rules run in it
        super().__init__(**kwargs)
        self.ids.rv.bind(width=lambda *_: self._redraw_if_shown())
        self.app.bind(font_scale=lambda *_: self._redraw_if_shown())

    def on_pre_enter(self, *_: object) -> None:
        super().on_pre_enter()
        self.ids.rv.scroll_y = 1

    def draw(self) -> None:
        app, lang, flow = self.app, self.app.lang, self.flow
        category = flow.category()
        self.category_label = name_of(category, lang) if category else ""
        self.letters = flow.letters()
        self._draw_letters()
        shown = flow.items()
        width = max(self.ids.rv.width - 2 * theme.PAD * 1.5 - ROW_PADDING_X, 100)
        heading = theme.FONT_HEADING * 0.85 * app.font_scale
        small = theme.FONT_SMALL * app.font_scale
        data = []
        for item in shown:
            label, mark = name_of(item, lang), self._mark(item, lang)
            height = (text_height(label, heading, width) + text_height(mark, small, width)
                      + ROW_CHROME_Y)
            height = max(height, theme.BUTTON_HEIGHT * 1.2 * min(app.font_scale, 1.2))
            data.append({"ident": f"guide_item_{item.id}", "item_id": item.id, "label": label,
                         "mark": mark, "row_size": [0, height]})
        self.ids.rv.data = data
        self.ids.rv.refresh_from_data()
        self.ids.count.text = app.tr("共 {n} 项", lang, n=len(shown))

    def _mark(self, item: Any, lang: str) -> str:
        mark = kind_text(self.app, item, lang)
        if item.is_bundle:
            mark += " · " + self.app.tr("一件事", lang)
        return str(mark)

    def _draw_letters(self) -> None:
        strip = self.ids.letters
        wanted = ["", *self.letters]
        if [getattr(b, "letter", None) for b in reversed(strip.children)] != wanted:
            strip.clear_widgets()
            for letter in wanted:
                if letter not in self._letter_buttons:
                    button = KioskButton(ident=f"guide_letter_{letter or 'all'}", text=letter)
                    button.letter = letter
                    button.bind(on_release=lambda _b, x=letter: self.tap_letter(x))
                    self._letter_buttons[letter] = button
                strip.add_widget(self._letter_buttons[letter])
        for letter in wanted:
            button = self._letter_buttons[letter]
            if not letter:
                button.text = self.app.tr("全部", self.app.lang)
            button.role = "selected" if letter == self.state.letter else "secondary"

    def tap_letter(self, letter: str) -> None:
        """A letter filters; the same letter again, or 全部, shows every item."""
        self.flow.tap_letter(letter or self.state.letter)
        self.ids.rv.scroll_y = 1

    def choose(self, item_id: str) -> None:
        if self.flow.choose_item(item_id):
            self.app.go("guide_item")
