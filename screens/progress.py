"""办件查询, step 1: scan the receipt QR (scanner or camera) or tap the ID card.

Entering tells the flow to start (an ID card already tapped on home is looked up at once);
scans and cards reach this view through the app's per-screen hooks and go to the flow, which
checks the code, looks the case up off the UI thread and moves to the list or the case. While
it looks, a spinner says so. The flow's notices (not a receipt, not found, server unreachable
with nothing known, an unusable card) are said here. Decides nothing itself.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.flows.identity import CardProblem
from kiosk.flows.progress_state import ProgressNoticeKind
from kiosk.progress.views import STATUS_LABELS, CaseView
from screens import theme
from screens.progress_common import JourneyView

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard
    from drivers.scanner.base import ScannedCode

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

PROGRESS_SCREENS = {"start": "progress", "list": "progress_list", "case": "progress_case"}


class ProgressView(JourneyView):
    """Base of the 办件查询 views: scans and cards go to the flow on every step."""

    flow_name = "progress"
    step_screens = PROGRESS_SCREENS

    def code_scanned(self, code: ScannedCode) -> bool:
        self.flow.code_scanned(code.text)
        return True

    def card_inserted(self, card: IdCard) -> bool:
        self.flow.card_inserted(card)
        return True

    def show(self, notice: Any) -> None:
        kind = notice.kind
        if kind is ProgressNoticeKind.FAULT:
            self.app.show_error("暂时无法查询", "系统暂时无法查询办件，请到服务台咨询")
        elif kind is ProgressNoticeKind.NOT_A_RECEIPT:
            self.say("无法识别该二维码",
                     "这不是本大厅的办件回执二维码，请扫描回执上的二维码或刷身份证")
        elif kind is ProgressNoticeKind.NOT_FOUND and self.state.by_card:
            self.say("没有找到办件",
                     "没有查到您名下的办件。刚提交的办件请稍后再查，或到服务台咨询")
        elif kind is ProgressNoticeKind.NOT_FOUND:
            self.say("没有找到办件", "没有查到该回执对应的办件，请到服务台咨询")
        elif kind is ProgressNoticeKind.UNREACHABLE:
            self.say("暂时无法查询", "暂时无法连接办件系统，请稍后再试或到服务台咨询")
        elif notice.card is not None and notice.card.problem is CardProblem.BAD_CHECK_DIGIT:
            self.say("无法使用该身份证",
                     "证件号码校验失败，请扫描回执二维码或到服务台咨询")
        else:
            self.say("无法读取身份证", "身份证读取失败，请重新放置身份证")

    def finish(self) -> None:
        """完成: the session ends (what was shown is dropped) and the kiosk goes home."""
        self.flow.finish()
        self.app.go_home()


class ProgressScreen(ProgressView):
    title = StringProperty("办件查询")
    looking = BooleanProperty(False)
    standalone = BooleanProperty(False)

    def enter(self) -> None:
        self.flow.start()

    def draw(self) -> None:
        self.looking = self.state.looking
        self.standalone = self.state.standalone
        self.ids.spinner.active = self.looking


# ---- words for a case, shared by the list and the case page ----------------------------------
def status_text(app: Any, case: CaseView, standalone: bool, lang: str) -> str:
    if case.local_only:
        if standalone:
            return app.tr("已在本机提交", lang)
        return app.tr("已提交，等待上传", lang)
    return app.tr(STATUS_LABELS.get(case.status, case.status), lang)


def status_colour(case: CaseView) -> Any:
    if case.local_only or case.status in ("received", "under_review"):
        return theme.PRIMARY
    if case.status == "more_needed":
        return theme.WARNING
    if case.status == "rejected":
        return theme.DANGER
    return theme.OK


def number_text(app: Any, case: CaseView, lang: str) -> str:
    if case.case_number:
        return app.tr("办件编号 {number}", lang, number=case.case_number)
    return app.tr("本机受理号 {number}", lang, number=case.local_ref or "—")


def day_text(value: date | None) -> str:
    return value.isoformat() if value else "—"


def local_time_text(app: Any, value: datetime) -> str:
    return f"{value.astimezone(app.ctx.tz):%Y-%m-%d %H:%M}"


def age_text(app: Any, minutes: int | None, lang: str) -> str:
    """"无法连接办件系统，以下是 N 分钟前的信息" — empty when the hall answered now."""
    if minutes is None:
        return ""
    if minutes < 1:
        return app.tr("暂时无法连接办件系统，以下是刚才查询到的信息", lang)
    if minutes < 120:
        return app.tr("暂时无法连接办件系统，以下是 {n} 分钟前的信息", lang, n=minutes)
    if minutes < 48 * 60:
        return app.tr("暂时无法连接办件系统，以下是 {n} 小时前的信息", lang, n=minutes // 60)
    return app.tr("暂时无法连接办件系统，以下是 {n} 天前的信息", lang, n=minutes // (24 * 60))
