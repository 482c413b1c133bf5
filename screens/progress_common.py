"""What the progress lookup (办件查询) and rating (好差评) views share: the base class binding a
view to its flow, the bottom action bar, the "looking it up" spinner and the notice popup.

A view draws its flow's state and forwards taps; when the flow moves to a step another view
draws, the view showing goes there (``STEP_SCREENS``). Each notice the flow raises is shown once
by whichever of the journey's views is on screen. Nothing here decides anything, touches the
database or starts a thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.scrollview import ScrollView
from kivy.uix.widget import Widget

from screens.queue_common import NoticePopup, close_notices, show_notice
from screens.widgets import FlowView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

__all__ = ["JourneyView", "NoticePopup", "BusySpinner", "close_notices",
           "show_notice"]


class BusySpinner(Widget):
    """A turning arc shown while something slow runs; takes its room whether shown or not, so
    nothing moves when it appears."""

    active = BooleanProperty(False)
    angle = NumericProperty(0)

    def on_active(self, *_: object) -> None:
        Clock.unschedule(self._turn)
        if self.active:
            Clock.schedule_interval(self._turn, 1 / 30)

    def _turn(self, _dt: float) -> None:
        self.angle = (self.angle + 12) % 360


class JourneyView(FlowView):
    """Base of the progress and rating views: a ``FlowView`` whose flow's steps map to views
    (``step_screens``) and whose notices are remembered per flow, so the view a step moved to
    says a notice raised on the way, on entry (a frame later) as well as while shown."""

    step_screens: ClassVar[dict[str, str]] = {}
    _seen: ClassVar[dict[str, int]] = {}  # per flow: the last notice shown

    def on_pre_enter(self, *_: object) -> None:
        for widget in self.walk(restrict=True):
            if isinstance(widget, ScrollView):
                widget.scroll_y = 1  # every visit starts at the top
        self.enter()
        self._draw_state()
        # Next frame: a popup opened while the app is still switching to this screen would be
        # taken for a leftover of the screen before and dismissed at once.
        Clock.schedule_once(lambda _dt: self._show_new_notice() if self.shown else None, 0)

    def step_screen(self) -> str | None:
        return self.step_screens.get(str(self.state.step))

    def card_removed(self) -> bool:
        return True  # picking the ID card up after it was read is normal here

    def _show_new_notice(self) -> None:
        """``FlowView``'s, remembered per flow rather than per view."""
        notice = self.state.notice
        if (self.step_screen() or self.name) != self.name:
            return  # the flow moved on: the view of its step says it
        if notice is not None and notice.serial > self._seen.get(self.flow_name, 0):
            self._seen[self.flow_name] = notice.serial
            self.show(notice)

    def say(self, heading: str, message: str, **fmt: object) -> None:
        """A popup in the citizen's language."""
        app = self.app  # one language on screen: the citizen's
        show_notice(app.tr(heading, app.lang), app.tr(message, app.lang, **fmt))
