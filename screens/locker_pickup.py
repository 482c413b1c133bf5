"""取件, step 1: the 6-digit pickup code on a large keypad, or the notification's QR scanned.

Draws the digits typed so far and forwards key presses, 确认取件 and scans to the flow; the
flow checks the code off the UI thread and moves on (to the ID card step or the open door) or
leaves a notice (wrong, expired, used, resting: cooling-off said in minutes).
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from screens.locker_common import LockerView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LockerPickupScreen(LockerView):
    title = StringProperty("取件")
    digits = StringProperty("")
    busy = BooleanProperty(False)

    def on_kv_post(self, base_widget: object) -> None:
        self.ids.keypad.on_key = self.key

    def enter(self) -> None:
        self.ids.scroll.scroll_y = 1

    def draw(self) -> None:
        self.digits = self.state.digits
        self.busy = self.state.busy

    def key(self, key: str) -> None:
        if key == "clear":
            self.flow.clear()
        elif key == "back":
            self.flow.backspace()
        else:
            self.flow.press(key)

    def submit(self) -> None:
        self.flow.submit_code()
