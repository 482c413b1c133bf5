"""办件查询, step 3: one case — its status, the timeline, everything still owed with its
deadline (一次性告知), and where and how to collect the result.

A result waiting in the document locker says which compartment and until when, that the pickup
code was sent by SMS, and offers the locker's pickup screen. When the hall could not be reached
the page is the last known state and a banner says how old it is. 评价本次服务 offers a rating of
this case (the rating journey); 完成 ends the session. Nothing personal beyond the masked name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ColorProperty, StringProperty

from kiosk.flows.progress_state import Collection, CollectionKind
from kiosk.i18n import N_
from kiosk.progress.views import STATUS_LABELS, CaseView
from screens import theme
from screens.progress import (
    ProgressView,
    age_text,
    day_text,
    local_time_text,
    number_text,
    status_colour,
    status_text,
)
from screens.registry import SCREENS

PENDING = ("received", "under_review", "more_needed")  # the promised date still matters

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class ProgressCaseScreen(ProgressView):
    title = StringProperty("办件详情")
    banner = StringProperty("")
    status = StringProperty("")
    status_rgba = ColorProperty(theme.PRIMARY)
    number = StringProperty("")
    items = StringProperty("")
    facts = StringProperty("")
    collect = StringProperty("")
    owed_heading = StringProperty("")
    owed = StringProperty("")
    timeline = StringProperty("")
    looking = BooleanProperty(False)
    locker_offered = BooleanProperty(False)
    can_rate = BooleanProperty(False)

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        case: CaseView | None = state.chosen
        self.looking = state.looking
        self.ids.spinner.active = state.looking
        if case is None:
            for prop in ("banner", "status", "number", "items", "facts", "collect",
                         "owed_heading", "owed", "timeline"):
                setattr(self, prop, "")
            self.locker_offered = self.can_rate = False
            return
        self.banner = age_text(app, self.flow.age_minutes(case), lang)
        self.status = status_text(app, case, state.standalone, lang)
        self.status_rgba = status_colour(case)
        self.number = number_text(app, case, lang)
        self.items = "\n".join(self.flow.item_names(case, lang))
        facts = [app.tr("申请人 {name}", lang, name=case.masked_name or "—"),
                 app.tr("提交时间 {time}", lang, time=local_time_text(app, case.submitted_at))]
        if case.promised_date is not None and case.status in PENDING:
            facts.append(app.tr("承诺办结日期 {day}", lang, day=day_text(case.promised_date)))
        self.facts = "\n".join(facts)
        self.collect = self._collect_text(state.collection, lang)
        self.locker_offered = (state.collection is not None
                               and state.collection.kind is CollectionKind.LOCKER
                               and "locker" in SCREENS)
        self._draw_owed(case, lang)
        self.timeline = "\n".join(
            f"{local_time_text(app, s.at)}  {app.tr(STATUS_LABELS.get(s.status, s.status), lang)}"
            for s in reversed(case.timeline)) if case.timeline else (
            app.tr("正在读取办理进度…", lang) if state.looking
            else app.tr("暂无进度记录", lang))
        self.can_rate = not case.local_only

    def _draw_owed(self, case: CaseView, lang: str) -> None:
        app = self.app
        if case.owed:
            self.owed_heading = app.tr("还需补交的材料（一次性告知）", lang)
            names = [self.flow.material_name(case, o, lang) for o in case.owed]
            self.owed = "\n".join(
                app.tr("{name}：请于 {day} 前补交", lang, name=n, day=day_text(o.due_date))
                if o.due_date else app.tr("{name}：请尽快补交", lang, name=n)
                for n, o in zip(names, case.owed, strict=True))
        elif case.owed_count:
            self.owed_heading = app.tr("还需补交的材料（一次性告知）", lang)
            self.owed = app.tr("还需补交 {n} 项材料，详情正在读取", lang, n=case.owed_count)
        else:
            self.owed_heading = app.tr("材料", lang)
            self.owed = app.tr("材料已齐全，无需补交", lang)

    def _collect_text(self, collection: Collection | None, lang: str) -> str:
        app = self.app
        if collection is None:
            return ""
        windows = ("、" if lang == "zh" else ", ").join(collection.windows) or "—"
        kind = collection.kind
        if kind is CollectionKind.LOCKER:
            msgid = N_("结果已放入 {n} 号文件柜，取件码已短信发送给您，请于 {day} 前到文件柜取件")
            return app.tr(msgid, lang, n=collection.compartment,
                          day=day_text(collection.expires_on))
        if kind is CollectionKind.WINDOW:
            return app.tr("结果已可领取，请带身份证到 {windows} 窗口领取", lang, windows=windows)
        if kind is CollectionKind.POST:
            return app.tr("结果将邮寄给您，请留意快递通知", lang)
        if kind is CollectionKind.COLLECTED:
            return app.tr("结果已领取", lang)
        if kind is CollectionKind.NONE:
            return app.tr("如有疑问，请到服务台咨询", lang)
        return app.tr("结果尚未办好，办好后会短信通知您，届时请到 {windows} 窗口领取", lang,
                      windows=windows)

    # ---- taps -------------------------------------------------------------------------------
    def go_locker(self) -> None:
        self.app.go("locker")

    def rate(self) -> None:
        """评价本次服务: the rating journey for this case (its faces)."""
        case = self.state.chosen
        if case is None or case.local_only:
            return
        self.app.ctx.flows.rating.start("case", case.case_id)
        self.app.go("rating_faces")

    def on_leave(self, *_: Any) -> None:
        self.ids.spinner.active = False
