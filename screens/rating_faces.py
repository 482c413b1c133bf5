"""好差评, step 2: five faces (非常满意 … 非常不满意), optional reasons, and submit.

A good rating is two taps: a face, then 提交. For a bad one (the bottom two) the question "do you
want staff to contact you?" is answered by one of its two submit buttons, so it is two taps as
well. Reasons (the on-site dimensions: overall, efficiency, service, attitude) are optional
chips whose words follow the face. The reason area and the bar keep their size whatever is
chosen, so nothing moves under a finger. The flow commits; this view only draws and forwards.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import (
    BooleanProperty,
    ColorProperty,
    ListProperty,
    NumericProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.flows.rating_state import LEVELS, reasons_for
from screens import theme
from screens.rating import RatingView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

FACE_COLOURS = {5: theme.OK, 4: theme.rgba("#3F8F3A"), 3: theme.PRIMARY,
                2: theme.WARNING, 1: theme.DANGER}
CURVE = {5: 0.55, 4: 0.3, 3: 0.0, 2: -0.3, 1: -0.55}  # mouth: smile > 0 > frown


class FaceButton(ButtonBehavior, BoxLayout):
    """One level: a face drawn with lines (the font has no emoji) and its name below; the
    name and the face's shape say the level, never the colour alone."""

    ident = StringProperty("")
    level = NumericProperty(3)
    label = StringProperty("")
    selected = BooleanProperty(False)
    tint = ColorProperty(theme.PRIMARY)
    mouth = ListProperty([])

    def on_kv_post(self, _base: Any) -> None:
        # the drawn face is the inner widget: its box is known only after the row's layout
        self.ids.face.bind(pos=self._shape, size=self._shape)
        self.bind(level=self._shape)
        self._shape()

    def _shape(self, *_: object) -> None:
        face = self.ids.get("face")
        cx, cy, r = (face.center_x, face.center_y, min(face.width, face.height) / 2) \
            if face is not None else (0, 0, 0)
        if r <= 1:
            return
        curve = CURVE.get(int(self.level), 0.0)
        points: list[float] = []
        for i in range(11):
            dx = (i / 10 - 0.5) * 1.0 * r
            points += [cx + dx, cy - 0.35 * r + curve * r * ((dx / (0.5 * r)) ** 2 - 1) * 0.5]
        self.mouth = points


class ReasonChip(ButtonBehavior, Label):
    ident = StringProperty("")
    reason = StringProperty("")  # the msgid the flow knows it by
    selected = BooleanProperty(False)


class RatingFacesScreen(RatingView):
    title = StringProperty("服务评价")
    target = StringProperty("")
    level = NumericProperty(0)
    bad = BooleanProperty(False)
    busy = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        self._faces: dict[int, FaceButton] = {}
        self._chips: list[ReasonChip] = []
        self._bar_buttons: dict[str, list[Any]] = {}
        self._bar_kind = ""
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        row = self.ids.faces
        for level, _label in LEVELS:
            face = FaceButton(ident=f"rating_face_{level}", level=level,
                              tint=FACE_COLOURS[level])
            face.bind(on_release=lambda f: self.flow.choose_level(int(f.level)))
            row.add_widget(face)
            self._faces[level] = face
        bar = self.ids.bar
        ids = self.ids  # weak proxies: keep the buttons themselves while out of the bar
        self._bar_buttons = {"good": [ids.submit.__self__],
                             "bad": [ids.no_contact.__self__, ids.contact.__self__]}
        bar.clear_widgets()
        self._bar_kind = ""
        self._fill_bar("good")
        grid = self.ids.reasons
        for i in range(4):
            chip = ReasonChip(ident=f"rating_reason_{i}")
            chip.bind(on_release=lambda c: self.flow.toggle_reason(c.reason))
            grid.add_widget(chip)
            self._chips.append(chip)

    def warm(self) -> None:
        """Behind home after a start: every button's text set and laid out now (drawing sets
        them; a first visit used to make them all while the citizen waited)."""
        self.draw()

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        self.target = app.tr("评价对象：排队号票", lang) if state.target_kind == "ticket" else \
            app.tr("评价对象：办件", lang) if state.target_kind == "case" else ""
        self.level = state.level or 0
        self.bad = state.bad
        self.busy = state.saving or state.checking
        self._fill_bar("bad" if state.bad else "good")
        for level, label in LEVELS:
            face = self._faces[level]
            face.label = app.tr(label, lang)
            face.selected = state.level == level
        reasons = reasons_for(state.level)
        for chip, reason in zip(self._chips, reasons or (None,) * 4, strict=True):
            chip.reason = reason.label if reason else ""
            chip.text = app.tr(reason.label, lang) if reason else ""
            chip.selected = bool(reason) and reason.label in state.reasons
            chip.disabled = reason is None

    def _fill_bar(self, kind: str) -> None:
        """Only the buttons that apply are in the bar: nothing hidden can be pressed."""
        if kind == self._bar_kind:
            return
        self._bar_kind = kind
        bar = self.ids.bar
        bar.clear_widgets()
        for button in self._bar_buttons[kind]:
            bar.add_widget(button)

    def submit(self, contact_wanted: bool = False) -> None:
        self.flow.submit(contact_wanted)
