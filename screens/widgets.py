"""Widgets every screen shares: rounded buttons, the Back/Home bar, the bottom action bar, the
step layout, the screen base class, the toast, the idle countdown overlay and the corner gesture.

The layout rules every screen follows (checked over every registered screen, in Chinese,
English, elder mode and landscape, by ``tests/ui/test_layout_rules.py``):

- **The way forward never scrolls away.** A screen's primary action is a ``KioskButton`` with
  ``role: "primary"``, and it lives in the screen's ``BottomBar``: the last child of the screen's
  vertical layout, below its ``ScrollView``, pinned to the bottom edge. ``StepLayout`` builds
  that shape (NavBar, scrolling content, BottomBar) from whatever is declared inside it. A choice
  that is *selected* (a toggle, a filter letter) uses ``role: "selected"``, not "primary".
- **Nothing moves when content appears**: new content goes in the scrolling part, above the
  BottomBar, whose buttons therefore stay where the finger expects them.
- **Every scroll view starts at the top** on every entry (``KioskApp.go`` resets them).
- **No text is cut**: labels wrap (``BreakingLabel``, which every ``Label`` in a .kv file is: it
  breaks Chinese between words, ``kiosk.textbreak``); never ``shorten``.
- **Touch targets** ≥ ``theme.touch_min(font_scale)`` on both sides; text contrast ≥ 4.5:1
  (3:1 for large text) against what is drawn behind it.

Widgets here draw and report; what a press *means* is decided by ``screens.app``. Widgets never
talk to devices and never keep citizen data beyond what they are showing right now.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.app import App
from kivy.clock import Clock
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import NumericProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen, ScreenManager
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from kiosk import textbreak
from kiosk.flows.base import FlowChanged

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard
    from drivers.scanner.base import ScannedCode



class BreakingLabel(Label):
    """A label that breaks Chinese lines between words, never before closing punctuation
    (``kiosk.textbreak``), whenever it wraps (``text_size`` width set, no markup). ``text`` stays
    what was given; only the drawn lines get their breaks. Registered as ``Label`` for the .kv
    files, so every label in every screen (the ones still to come included) breaks this way."""

    _break_key: tuple[object, ...] | None = None
    _break_text = ""

    def texture_update(self, *largs: object) -> None:
        core = self._label
        # a label that shortens ("…") or is held to a few lines is laid out by Kivy as it is
        if self.text and not self.markup and self.text_size[0] is not None \
                and not self.shorten and not self.max_lines:
            core.text = self._broken(core)
        super().texture_update(*largs)

    def _broken(self, core: Any) -> str:
        pad = core.options.get("padding", (0, 0, 0, 0))
        width = self.text_size[0] - (pad[0] + pad[2] if len(pad) == 4 else 2 * pad[0])
        key = (self.text, width, self.font_size, self.font_name, self.bold, self.italic,
               textbreak.version)
        if key != self._break_key:
            self._break_key = key
            self._break_text = "\n".join(
                textbreak.wrap(self.text, width, lambda s: core.get_extents(s)[0]))
        return self._break_text


Factory.unregister("Label")
Factory.register("Label", cls=BreakingLabel)
Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class KioskButton(ButtonBehavior, BreakingLabel):
    """A large rounded button. ``ident`` names it for tests and logs (never shown).
    ``role``: "primary" is the screen's way forward (only in its ``BottomBar``), "selected" a
    chosen toggle, "secondary" any other choice, "danger", "quiet"."""

    ident = StringProperty("")
    role = OptionProperty("primary", options=["primary", "selected", "secondary", "danger",
                                               "quiet"])


class BottomBar(BoxLayout):
    """The bottom bar holding a screen's way forward: never inside a ScrollView, always on
    screen, same place in every language and mode. Put it last in the screen's vertical layout
    (``StepLayout`` does)."""


class StepLayout(BoxLayout):
    """A step screen's shape: NavBar (返回 / title / 首页), the scrolling content, the BottomBar.

    Declare the content and one ``BottomBar`` inside it in the .kv file; the content goes into
    the scroll view (``content``, reset to the top on entry), the BottomBar below it::

        StepLayout:
            title: root.title
            TitleLabel:
                text: ...
            BottomBar:
                KioskButton:
                    text: app.tr("下一步", app.lang)
    """

    title = StringProperty("")  # msgid
    content_spacing = NumericProperty(32)
    content_padding = NumericProperty(48)

    def __init__(self, **kwargs: Any) -> None:
        self._ready = False
        super().__init__(orientation="vertical", **kwargs)
        self.nav = NavBar()
        self.bind(title=self.nav.setter("title"))
        self.scroll = ScrollView(do_scroll_x=False, bar_width=12)
        self.content = BoxLayout(orientation="vertical", size_hint_y=None,
                                 spacing=self.content_spacing, padding=self.content_padding)
        self.content.bind(minimum_height=self.content.setter("height"))
        self.bind(content_spacing=self.content.setter("spacing"),
                  content_padding=self.content.setter("padding"))
        self.scroll.add_widget(self.content)
        self.bar_slot = BoxLayout(size_hint_y=None, height=0)
        super().add_widget(self.nav)
        super().add_widget(self.scroll)
        super().add_widget(self.bar_slot)
        self._ready = True

    def add_widget(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        if not self._ready:
            super().add_widget(widget, *args, **kwargs)
        elif isinstance(widget, BottomBar):
            self.bar_slot.add_widget(widget)
            widget.bind(height=self.bar_slot.setter("height"))
            self.bar_slot.height = widget.height
        else:
            self.content.add_widget(widget, *args, **kwargs)


class BodyLabel(BreakingLabel):
    """Wrapped body text that grows to fit, so nothing is ever cut off."""


class HeadingLabel(BodyLabel):
    """A section heading inside a page (the CJK font has no bold face: colour and size instead)."""


class TitleLabel(BreakingLabel):
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

    def context_ready(self) -> None:
        """The database and the journeys are built (only screens made before that, i.e. home,
        see this: ``kiosk.startup``)."""

    def warm(self) -> None:
        """Called once, behind home, after the app's start-up has built this screen: make now
        whatever the first visit would otherwise build while a citizen waits (rows of a list).
        Must not change what the screen shows on entry: ``draw`` still decides that."""


class FlowView(KioskScreen):
    """Base of a journey's views: draws from its flow's state, redraws on every ``FlowChanged``
    of that flow (and on a language switch) while shown, follows the flow to the screen its step
    belongs on, and shows each new notice once.

    A journey's view sets ``flow_name`` (the flow's ``name``, also its field on ``ctx.flows``)
    and implements ``draw``; it may implement ``enter`` (tell the flow this step is shown),
    ``step_screen`` (the screen the flow's current step belongs on) and ``show(notice)``. A
    notice is any object with a rising ``serial``; a flow without notices has none.
    """

    flow_name: str = ""

    def __init__(self, **kwargs: Any) -> None:
        self._notice_seen = 0
        self._drawn: object = None  # the flow state last drawn (states are frozen, replaced)
        super().__init__(**kwargs)
        self.app.ctx.bus.subscribe(FlowChanged, self._flow_changed)
        self.app.bind(lang=lambda *_: self._redraw_if_shown())

    @property
    def flow(self) -> Any:
        return getattr(self.app.ctx.flows, self.flow_name)

    @property
    def state(self) -> Any:
        return self.flow.state

    @property
    def shown(self) -> bool:
        return self.manager is not None and self.manager.current == self.name

    def on_pre_enter(self, *_: object) -> None:
        notice = getattr(self.state, "notice", None)
        self._notice_seen = notice.serial if notice else 0  # an old notice is not this one's
        self.enter()
        self._draw_state()

    def _draw_state(self) -> None:
        self._drawn = self.state
        self.draw()

    def enter(self) -> None:
        """Tell the flow this step is shown (before the first draw)."""

    def draw(self) -> None:
        raise NotImplementedError

    def step_screen(self) -> str | None:
        """The screen the flow's current step is shown on (None: wherever the citizen is)."""
        return None

    def show(self, notice: Any) -> None:
        """Show a new notice of the flow (once)."""

    def _redraw_if_shown(self) -> None:
        if self.shown:
            self._draw_state()

    def _flow_changed(self, event: FlowChanged) -> None:
        if event.flow != self.flow_name or not self.shown:
            return
        target = self.step_screen()
        if target is not None and target != self.name:
            self.app.go(target)
            return
        # A flow's state is frozen and replaced on every change, so the state drawn last being
        # the state now means the screen already shows it: the FlowChanged of enter()'s own
        # change (flow.start) arrives a frame after on_pre_enter drew it, and drawing again
        # re-laid out 自助申报's whole list on the frame of a citizen's first visit.
        if self.state is not self._drawn:
            self._draw_state()
        self._show_new_notice()

    def _show_new_notice(self) -> None:
        """Show the flow's notice if this view has not shown it yet."""
        notice = getattr(self.state, "notice", None)
        if notice is not None and notice.serial > self._notice_seen:
            self._notice_seen = notice.serial
            self.show(notice)


class Toast(BreakingLabel):
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


class KioskScreens(ScreenManager):
    """The app's one screen manager, without the full-window stencil Kivy's own rule gives every
    ScreenManager (widgets.kv clears it with ``<-KioskScreens>``).

    That stencil clips sliding transitions to the manager's area. The kiosk switches screens
    without a transition and its manager fills the window, so it clipped nothing, yet it
    painted two full-window rectangles into the stencil buffer and tested every pixel of every
    frame against it: on the software renderer kiosks often run, 5–11 ms of a 15–28 ms frame
    (home, submit and a guide item, measured with and without it).
    """


class KioskRoot(FloatLayout):
    """The window's one child: screens, toast, overlays. Every touch counts as activity."""

    def __init__(self, on_activity: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._on_activity = on_activity

    def on_touch_down(self, touch: Any) -> bool:
        self._on_activity()
        return bool(super().on_touch_down(touch))


def reset_scroll(root: Widget) -> None:
    """Every scroll view under ``root`` back to its top (a screen is entered fresh)."""
    for widget in root.walk(restrict=True):
        if isinstance(widget, ScrollView):
            widget.scroll_y = 1
            widget.scroll_x = 0


def find(root: Widget, ident: str) -> Widget | None:
    """The widget with ``ident`` under ``root`` (tests, and the app's own wiring)."""
    for widget in root.walk(restrict=True):
        if getattr(widget, "ident", None) == ident:
            return widget
    return None
