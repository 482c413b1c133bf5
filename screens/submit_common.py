"""What the self-service submission (自助申报) views share: the base class binding a view to
``SubmissionFlow``, the screen each step is drawn on, texts drawn from the flow's state, and the
QR texture.

The journey's state lives in ``ctx.flows.submission`` (typed, wiped when the session ends); a
view draws it and forwards taps. When the flow moves to a step drawn by another screen (a card
accepted, a page taken, the camera failed, the case committed), the shown view goes there.
Nothing here decides anything, touches the database or starts a thread.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder

from kiosk.cases.model import DELIVERY_LABELS
from kiosk.cases.plan import MaterialRequest
from kiosk.catalogue import ServiceItem
from kiosk.flows.submission import SubmissionFlow
from kiosk.flows.submission_state import Notice, NoticeKind, SubmitState, SubmitStep
from kiosk.i18n import N_
from screens.navigation import HOME
from screens.queue_common import show_notice
from screens.widgets import BottomBar, FlowView


class SubmitBar(BottomBar):
    """A step's bottom bar: the house ``BottomBar`` (pinned under the scroll view, holding the
    step's primary action), named for the journey's .kv files."""


Builder.load_file(str(Path(__file__).with_suffix(".kv")))

STEP_SCREENS: dict[SubmitStep, str] = {
    SubmitStep.ITEM: "submit",
    SubmitStep.GUIDE: "submit_guide",
    SubmitStep.IDENTIFY: "submit_identify",
    SubmitStep.REPEAT: "submit_repeat",
    SubmitStep.CAPTURE: "submit_capture",
    SubmitStep.CONFIRM_PAGE: "submit_capture",
    SubmitStep.COMMITMENT: "submit_commitment",
    SubmitStep.DELIVERY: "submit_delivery",
    SubmitStep.REVIEW: "submit_review",
    SubmitStep.RECEIPT: "submit_receipt",
    SubmitStep.CAMERA_FAILED: "submit_camera",
}

DELIVERY_NOTES: dict[str, str] = {  # msgids
    "window": N_("办结后到窗口领取结果"),
    "locker": N_("办结后凭取件码在24小时文件柜自助领取"),
    "post": N_("办结后邮寄到您登记的地址"),
}


def name_of(thing: Any, lang: str) -> str:
    return str(thing.name if lang == "zh" or not thing.name_en else thing.name_en)


def kind_text(app: Any, item: ServiceItem, lang: str) -> str:
    if item.is_bundle:
        return app.tr("一件事 · {n} 个事项一次办", lang, n=len(item.bundle))
    if item.instant:
        return app.tr("即办件", lang)
    return app.tr("承诺件 · {days}个工作日", lang, days=item.promised_days)


def material_text(app: Any, m: MaterialRequest, lang: str) -> str:
    """"居民身份证 · 必交 · 1 页 · 复印件" in the citizen's language."""
    need = app.tr("必交", lang) if m.required else app.tr("可容缺后补", lang)
    kind = app.tr("原件", lang) if m.original else app.tr("复印件", lang)
    return app.tr("{name} · {need} · {pages} 页 · {kind}", lang, name=name_of(m, lang),
                  need=need, pages=m.pages, kind=kind)


def delivery_text(app: Any, delivery: str, lang: str) -> str:
    return str(app.tr(DELIVERY_LABELS.get(delivery, delivery), lang))


class SubmitView(FlowView):
    """Base of the 自助申报 views: redraws from ``SubmissionFlow.state`` on every
    ``FlowChanged`` while shown, follows the flow to the screen of its step, and shows each new
    notice once."""

    flow_name = SubmissionFlow.name

    @property
    def flow(self) -> SubmissionFlow:
        return self.app.ctx.flows.submission  # type: ignore[no-any-return]

    @property
    def state(self) -> SubmitState:
        return self.flow.state

    def card_removed(self) -> bool:
        """Lifting the card after it was read is normal: identity is read once, and the
        session (with the pages taken) ends with the journey, not with the card."""
        return True

    def on_pre_leave(self, *_: object) -> None:
        # Leaving the journey for home (首页, 返回 from the list, the idle timeout) ends the
        # citizen's session: the pages in memory and the card read go with it, so whoever
        # comes next starts clean and is never filed under the last person's card.
        if self.manager is not None and self.manager.current == HOME:
            self.flow.finish()

    def on_pre_enter(self, *_: object) -> None:
        super().on_pre_enter()
        scroll = self.ids.get("scroll")
        if scroll is not None:
            scroll.scroll_y = 1  # every visit starts at the top

    def step_screen(self) -> str | None:
        return STEP_SCREENS.get(self.state.step)

    def show(self, notice: Notice) -> None:
        app = self.app
        if notice.kind is NoticeKind.FAULT:
            app.show_error(notice.heading, notice.message,
                           next_msgid="请到服务台请工作人员帮助")
            return
        other = "en" if app.lang == "zh" else "zh"
        show_notice(app.tr(notice.heading, app.lang),
                    app.tr(notice.message, app.lang, **notice.params),
                    app.tr(notice.message, other, **notice.params))
