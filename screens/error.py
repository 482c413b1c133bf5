"""The full-screen error page: what went wrong and what to do next, in the citizen's language
only (one language per screen: a Chinese page carries no English second line).

Raised through ``KioskApp.show_error``; returns home by itself after
``timeouts.error_page_seconds`` (longer in elder mode) so a kiosk never stays stuck on an error
for the next citizen. Never put exception text or citizen data here: messages are msgids.
"""

from __future__ import annotations

import math
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import DictProperty, NumericProperty, StringProperty

from screens.widgets import KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ErrorScreen(KioskScreen):
    title = StringProperty("温馨提示")
    error_title = StringProperty("")  # msgid
    message = StringProperty("")  # msgid
    next_step = StringProperty("")  # msgid
    fmt = DictProperty({})
    seconds_left = NumericProperty(0)
    deadline: float = 0.0

    def show(self, title: str, message: str, next_step: str, fmt: dict[str, object],
             seconds: float, now: float) -> None:
        self.error_title, self.message, self.next_step = title, message, next_step
        self.fmt = dict(fmt)
        self.deadline = now + seconds
        self.seconds_left = math.ceil(seconds)

    def tick(self, now: float) -> None:
        left = self.deadline - now
        self.seconds_left = max(0, math.ceil(left))
        if left <= 0:
            self.app.go_home()

    def session_ended(self, reason: str) -> None:
        self.fmt = {}
