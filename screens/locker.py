"""文件柜, the entry: 取件 (pickup), 夜间投递 (night drop-off) and 工作人员 (staff).

Entering starts the locker journey afresh (and lets the flow settle whatever a power cut left
half done); each tile forwards the choice to the flow, which moves to its step's screen. Never
decides anything itself.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from screens.locker_common import LockerView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class LockerScreen(LockerView):
    title = StringProperty("文件柜")

    def enter(self) -> None:
        self.ids.scroll.scroll_y = 1
        self.flow.start()

    def draw(self) -> None:
        pass  # the tiles are static text in the citizen's language (the .kv binds app.lang)

    def pickup(self) -> None:
        self.flow.choose_pickup()

    def dropoff(self) -> None:
        self.flow.choose_dropoff()

    def staff(self) -> None:
        self.app.go("locker_staff")
