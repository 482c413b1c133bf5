"""好差评, step 1 (from the home tile): scan the queue ticket or the case receipt to rate.

Scans reach this view through the app's per-screen hook and go to the rating flow, which checks
the code with the hall secret and moves to the faces; a code naming nothing of this hall, or a
ticket or case rated already in another session, is said here. Other journeys skip this step
(``RatingFlow.start(kind, id)`` then ``app.go("rating_faces")``). Decides nothing itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.flows.rating_state import RatingNoticeKind, RatingStep
from screens.progress_common import JourneyView

if TYPE_CHECKING:
    from drivers.scanner.base import ScannedCode

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

RATING_SCREENS = {"scan": "rating", "faces": "rating_faces", "thanks": "rating_thanks"}


class RatingView(JourneyView):
    flow_name = "rating"
    step_screens = RATING_SCREENS

    def code_scanned(self, code: ScannedCode) -> bool:
        self.flow.code_scanned(code.text)
        return True

    def show(self, notice: Any) -> None:
        if notice.kind is RatingNoticeKind.FAULT:
            self.app.show_error("暂时无法评价", "系统暂时无法保存您的评价，请到服务台咨询")
        elif notice.kind is RatingNoticeKind.ALREADY_RATED:
            self.say("已经评价过了", "这张号票或这个办件已经评价过，感谢您的参与")
        else:
            self.say("无法识别该二维码", "请扫描本大厅的排队号票或办件回执上的二维码")


class RatingScreen(RatingView):
    title = StringProperty("服务评价")

    def enter(self) -> None:
        if self.state.step is not RatingStep.SCAN:
            self.flow.start_scan()  # (arriving with the step already here keeps its notice)

    def draw(self) -> None:
        pass  # a fixed prompt: the flow moves on to the faces when a code is scanned
