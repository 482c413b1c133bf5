"""好差评, step 3: 谢谢您的评价 — shown only after the rating is committed.

For a bad rating it says what happens next (contact if asked for, the hall follows it up).
修改评价 goes back to the faces with the choice kept (the same session replaces its rating);
完成, Back, Home or the idle timeout end the session, which sends the rating to the hall.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.flows.rating_state import LEVEL_LABELS, RatingStep
from screens.rating import RatingView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class RatingThanksScreen(RatingView):
    title = StringProperty("服务评价")
    heading = StringProperty("")
    detail = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._changing = False
        super().__init__(**kwargs)

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        self.heading = app.tr("您的评价已修改，谢谢！", lang) if state.replaced else \
            app.tr("谢谢您的评价", lang)
        level = app.tr(LEVEL_LABELS.get(state.level or 0, ""), lang) if state.level else ""
        if state.bad and state.contact_wanted:
            follow = app.tr("工作人员会尽快与您联系，了解情况并改进", lang)
        elif state.bad:
            follow = app.tr("我们会认真核查并改进服务", lang)
        else:
            follow = app.tr("欢迎您再次评价我们的服务", lang)
        self.detail = app.tr("您的评价：{level}", lang, level=level) + "\n" + follow

    def change(self) -> None:
        """修改评价: the faces again, this session's rating still changeable."""
        self._changing = True
        self.flow.change()  # the flow moves to the faces step; this view follows

    def finish(self) -> None:
        self.app.go_home()  # leaving ends the session (on_leave)

    def on_leave(self, *_: Any) -> None:
        if self._changing:
            self._changing = False
            return
        if self.state.step is RatingStep.THANKS:  # (an idle timeout has ended it already)
            self.flow.finish()  # the session ends: the rating goes to the hall
