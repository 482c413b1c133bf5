"""自助申报, step 3: the ID card tap (read once, never typed), and the question asked when this
person already has an open case for the same item.

Draws the flow's verdict on the card (expired with its date, a failed check digit, unreadable)
and, while the flow looks for an open case, says so. The repeat screen names the open case and
asks whether to file again (the new case is then flagged for supervisors) or stop. The card
rule and the repeat check are the flow's; these views forward the card and the taps.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.events import CardUnreadable
from kiosk.i18n import N_
from screens.queue_common import card_problem_text
from screens.submit_common import SubmitView, name_of

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

EXPIRED = N_("身份证已过期（有效期至 {date}），请使用有效身份证，或到人工窗口办理")
BAD_NUMBER = N_("证件号码校验失败，请重新放置身份证，或到人工窗口办理")


class SubmitIdentifyScreen(SubmitView):
    title = StringProperty("读取身份证")
    card_text = StringProperty("")
    card_problem = BooleanProperty(False)
    item_label = StringProperty("")

    def __init__(self, **kwargs: Any) -> None:
        self._unsubscribe: list[Callable[[], None]] = []
        super().__init__(**kwargs)

    def enter(self) -> None:
        self.flow.enter_identify()

    def on_enter(self, *_: object) -> None:
        self._unsubscribe.append(self.app.ctx.bus.subscribe(CardUnreadable, self._unreadable))

    def on_leave(self, *_: object) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    def card_inserted(self, card: IdCard) -> bool:
        self.flow.card_inserted(card)
        return True


    def _unreadable(self, _event: CardUnreadable) -> None:
        self.flow.card_unreadable()

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        self.item_label = name_of(state.plan.item, lang) if state.plan else ""
        if state.card_problem is not None:
            self.card_problem = True
            self.card_text = card_problem_text(app, state.card_problem, lang, expired=EXPIRED,
                                               bad_number=BAD_NUMBER)
        elif state.checking:
            self.card_problem = False
            self.card_text = app.tr("已读取身份证：{name}，正在核对…", lang, name=state.masked_name)
        else:
            self.card_problem = False
            self.card_text = app.tr("尚未读取身份证", lang)


class SubmitRepeatScreen(SubmitView):
    title = StringProperty("重复申报提示")
    message = StringProperty("")

    def draw(self) -> None:
        app, lang, case = self.app, self.app.lang, self.state.open_case
        if case is None:
            self.message = ""
            return
        submitted = case.submitted_at.astimezone(self.flow.tz)
        self.message = app.tr(
            "您于 {time} 已申报过该事项（编号 {number}），目前仍在办理中，一般无需重复申报。", lang,
            time=f"{submitted:%Y-%m-%d %H:%M}", number=case.number)

    def confirm(self) -> None:
        self.flow.confirm_repeat()

    def stop(self) -> None:
        self.flow.finish()
        self.app.go_home()
