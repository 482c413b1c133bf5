"""What the locker views share: the base binding a view to ``LockerFlow`` (redraw on every
change while shown, go to the screen of the flow's step, show each new notice once), the
numeric keypad, the bottom action bar and the drawing of the cabinet with the open door lit.

Views draw and forward taps. Nothing here decides anything, touches the database or the board,
or starts a thread; every text is a msgid shown in the citizen's language only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.graphics import Color, InstructionGroup, Line, Rectangle
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label

from kiosk.flows.locker import LockerFlow
from kiosk.flows.locker_state import LockerNotice, LockerState, LockerStep
from kiosk.i18n import N_
from kiosk.lockers.cabinet import Cabinet
from screens import theme
from screens.queue_common import show_notice
from screens.widgets import FlowView, KioskButton

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

SCREEN_OF_STEP: dict[LockerStep, str] = {
    LockerStep.MENU: "locker",
    LockerStep.CODE: "locker_pickup",
    LockerStep.IDENTIFY: "locker_card",
    LockerStep.CHOOSE: "locker_dropoff",
    LockerStep.OPENING: "locker_door",
    LockerStep.DOOR_OPEN: "locker_door",
    LockerStep.RESULT: "locker_door",
}
SIZE_NAMES = {"S": N_("小格"), "M": N_("中格"), "L": N_("大格")}  # msgids


def notice_text(app: Any, notice: Any) -> tuple[str, str]:
    """Heading and message of a locker or staff notice, in the citizen's language only."""
    lang = app.lang
    message = app.tr(notice.message, lang, n=max(notice.tries_left, 0), minutes=notice.minutes)
    return app.tr(notice.heading, lang), message


class Keypad(GridLayout):
    """0-9, 清除 and ⌫ as big keys (≥ 60 dp in elder mode); ``on_key`` gets "0"-"9", "clear",
    "back"."""

    prefix = StringProperty("locker_key")

    def __init__(self, **kwargs: Any) -> None:
        self.on_key: Callable[[str], None] = lambda _k: None
        super().__init__(**kwargs)
        self._keys: list[KeypadKey] = []
        for key in ("1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "back"):
            button = KeypadKey(key=key)
            button.bind(on_release=lambda b: self.on_key(b.key))
            self._keys.append(button)
            self.add_widget(button)
        self.bind(prefix=self._name_keys)
        self._name_keys()

    def _name_keys(self, *_: object) -> None:
        for button in self._keys:
            button.ident = f"{self.prefix}_{button.key}"


class KeypadKey(KioskButton):
    key = StringProperty("")


class CodeBoxes(BoxLayout):
    """The digits typed so far, one box each, so the citizen sees how many are left (a PIN is
    shown as dots)."""

    digits = StringProperty("")
    count = NumericProperty(6)
    masked = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._boxes: list[Label] = []
        self.bind(digits=self._show, count=self._build, masked=self._show)
        self._build()

    def _build(self, *_: object) -> None:
        self.clear_widgets()
        self._boxes = []
        for i in range(int(self.count)):
            box = Label(font_size=theme.FONT_TITLE * 1.2, bold=True, color=theme.TEXT)
            box.ident = f"code_box_{i}"
            with box.canvas.before:
                Color(*theme.SURFACE)
                box._bg = Rectangle()
                Color(*theme.PRIMARY)
                box._frame = Line(width=2.5)
            box.bind(pos=self._frame, size=self._frame)
            self._boxes.append(box)
            self.add_widget(box)
        self._show()

    @staticmethod
    def _frame(box: Any, *_: object) -> None:
        box._bg.pos, box._bg.size = box.pos, box.size
        box._frame.rectangle = (box.x + 1, box.y + 1, box.width - 2, box.height - 2)

    def _show(self, *_: object) -> None:
        for i, box in enumerate(self._boxes):
            ch = self.digits[i] if i < len(self.digits) else ""
            box.text = ("•" if self.masked and ch else ch)


class CabinetView(FloatLayout):
    """The cabinet drawn from the configuration: every compartment with its number, the open
    door lit (colour and a thick frame, not colour alone) and doors out of service greyed."""

    lit = NumericProperty(0)  # the compartment to show, 0 for none

    def __init__(self, **kwargs: Any) -> None:
        self._cabinet: Cabinet | None = None
        self._labels: dict[int, Label] = {}
        self.out_of_service: set[int] = set()
        super().__init__(**kwargs)
        self._art = InstructionGroup()  # ours alone: a layout's own canvas is left alone
        self.canvas.before.add(self._art)
        self.bind(pos=self._redraw, size=self._redraw, lit=self._redraw)

    def set_cabinet(self, cabinet: Cabinet) -> None:
        self._cabinet = cabinet
        for number in cabinet.numbers():
            label = Label(font_size=theme.FONT_SMALL, bold=True, halign="center",
                          valign="middle")
            label.ident = f"locker_cell_{number}"
            self._labels[number] = label
            self.add_widget(label)
        self._redraw()

    def _redraw(self, *_: object) -> None:
        cabinet = self._cabinet
        if cabinet is None or self.width <= 1:
            return
        gap = 8.0
        gaps = (cabinet.columns - 1) * gap + (len(cabinet.cabinet_starts) - 1) * gap * 3
        col_w = (self.width - gaps) / cabinet.columns
        art = self._art
        art.clear()
        for c in cabinet.compartments:
            extra = sum(1 for s in cabinet.cabinet_starts[1:] if s <= c.column) * gap * 3
            x = self.x + c.column * (col_w + gap) + extra
            h = c.height * self.height
            y = self.top - c.top * self.height - h
            lit = c.number == self.lit
            broken = c.number in self.out_of_service
            art.add(Color(*(theme.PRIMARY if lit else theme.DISABLED_BG if broken
                            else theme.SURFACE)))
            art.add(Rectangle(pos=(x + 2, y + 2), size=(col_w - 4, h - 4)))
            art.add(Color(*(theme.TEXT if lit else theme.BORDER)))
            art.add(Line(rectangle=(x + 2, y + 2, col_w - 4, h - 4), width=5 if lit else 1.5))
            label = self._labels[c.number]
            label.size_hint = (None, None)
            label.pos, label.size = (x, y), (col_w, h)
            label.text_size = (col_w, h)
            label.text = c.label
            label.color = (theme.TEXT_ON_PRIMARY if lit else theme.DISABLED_TEXT if broken
                           else theme.TEXT_MUTED)


class LockerView(FlowView):
    """Base of the citizen's locker views (``FlowView`` on ``LockerFlow``)."""

    flow_name = LockerFlow.name

    @property
    def flow(self) -> LockerFlow:
        return self.app.ctx.flows.locker  # type: ignore[no-any-return]

    @property
    def state(self) -> LockerState:
        return self.flow.state

    def step_screen(self) -> str | None:
        return SCREEN_OF_STEP.get(self.state.step, "locker")

    def show(self, notice: LockerNotice) -> None:
        show_notice(*notice_text(self.app, notice))

    def code_scanned(self, code: Any) -> bool:
        return self.flow.code_scanned(str(getattr(code, "text", code)))
