"""Widgets every screen shares: rounded buttons, the Back/Home bar, the screen base class, the
toast, the idle countdown overlay and the corner gesture.

Widgets here draw and report; what a press *means* is decided by ``screens.app``. Widgets never
talk to devices and never keep citizen data beyond what they are showing right now.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard
    from drivers.scanner.base import ScannedCode

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class KioskButton(ButtonBehavior, Label):
    """A large rounded button. ``ident`` names it for tests and logs (never shown)."""

    ident = StringProperty("")
    role = OptionProperty("primary", options=["primary", "secondary", "danger", "quiet"])


class BodyLabel(Label):
    """Wrapped body text that grows to fit, so nothing is ever cut off."""


class HeadingLabel(BodyLabel):
    """A section heading inside a page (the CJK font has no bold face: colour and size instead)."""


class TitleLabel(Label):
    pass


class NavBar(BoxLayout):
    """返回 / 首页 and the screen's title: on every screen except home."""

    title = StringProperty("")  # msgid


class KioskScreen(Screen):
    """Base of every screen. Hooks return True when the screen used the event itself, so the app
    does not also apply its default (a toast on home)."""

    title = StringProperty("")  # msgid

    @property
    def app(self) -> Any:
        return App.get_running_app()

    def card_inserted(self, card: IdCard) -> bool:
        return False

    def card_removed(self) -> bool:
        return False

    def code_scanned(self, code: ScannedCode) -> bool:
        return False

    def session_ended(self, reason: str) -> None:
        """Drop anything about the citizen this screen shows or holds."""


class Toast(Label):
    """A short message at the bottom of the screen that goes away by itself."""

    def show(self, text: str, seconds: float = 5.0) -> None:
        self.text = text
        self.opacity = 1
        Clock.unschedule(self._hide)
        Clock.schedule_once(self._hide, seconds)

    def _hide(self, *_: object) -> None:
        self.opacity = 0
        self.text = ""


class IdleOverlay(FloatLayout):
    """Dims the screen and counts down; any touch (or 继续使用) keeps the citizen's session."""

    seconds_left = NumericProperty(0)

    def on_touch_down(self, touch: Any) -> bool:
        super().on_touch_down(touch)
        return True  # nothing under the overlay reacts while it is up


class CornerGesture(Widget):
    """Invisible corner that fires ``action`` on a 2 s long press or three quick taps.

    Touches pass through (always returns False) so whatever is drawn in the corner still works.
    """

    LONG_PRESS_S = 2.0
    TAPS = 3
    TAP_WINDOW_S = 1.5

    def __init__(self, action: Callable[[], None], now: Callable[[], float],
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._action, self._now = action, now
        self._taps: list[float] = []
        self._press: Any = None

    def on_touch_down(self, touch: Any) -> bool:
        if not self.collide_point(*touch.pos):
            return False
        t = self._now()
        self._taps = [x for x in self._taps if t - x <= self.TAP_WINDOW_S] + [t]
        if len(self._taps) >= self.TAPS:
            self._taps.clear()
            self._action()
            return False
        self._press = Clock.schedule_once(self._long_press, self.LONG_PRESS_S)
        return False

    def on_touch_up(self, touch: Any) -> bool:
        if self._press is not None:
            self._press.cancel()
            self._press = None
        return False

    def _long_press(self, *_: object) -> None:
        self._press = None
        self._taps.clear()
        self._action()


class KioskRoot(FloatLayout):
    """The window's one child: screens, toast, overlays. Every touch counts as activity."""

    def __init__(self, on_activity: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_activity = on_activity

    def on_touch_down(self, touch: Any) -> bool:
        self._on_activity()
        return bool(super().on_touch_down(touch))


def find(root: Widget, ident: str) -> Widget | None:
    """The widget with ``ident`` under ``root`` (tests, and the app's own wiring)."""
    for widget in root.walk(restrict=True):
        if getattr(widget, "ident", None) == ident:
            return widget
    return None
