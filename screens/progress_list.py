"""办件查询, step 2: the cases of the person whose ID card was tapped, newest first.

One card per case: its number (or this kiosk's own reference for a case not yet at the hall),
the items, the status, the day it was submitted and how many materials are still owed. When the
hall could not be reached the list is the last known state and a banner says how old it is.
Tapping a case asks the flow to open it. Nothing personal beyond the masked name.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import ColorProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows.progress_state import ProgressStep
from kiosk.progress.views import CaseView
from screens import theme
from screens.progress import (
    ProgressView,
    age_text,
    day_text,
    number_text,
    status_colour,
    status_text,
)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class CaseCard(ButtonBehavior, BoxLayout):
    ident = StringProperty("")
    case_id = StringProperty("")
    number = StringProperty("")
    items = StringProperty("")
    status = StringProperty("")
    status_rgba = ColorProperty(theme.PRIMARY)
    detail = StringProperty("")


class ProgressListScreen(ProgressView):
    title = StringProperty("我的办件")
    heading = StringProperty("")
    banner = StringProperty("")

    def enter(self) -> None:
        if self.state.step is ProgressStep.CASE:  # Back from a case page
            self.flow.back_to_list()  # the list again (or the start, for a single case)

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        self.banner = age_text(app, self.flow.age_minutes(), lang)
        self.heading = app.tr("{name} 名下的办件，共 {n} 件", lang, name=state.masked_name,
                              n=len(state.cases)) if state.masked_name else \
            app.tr("共 {n} 件办件", lang, n=len(state.cases))
        box = self.ids.cases
        box.clear_widgets()
        for case in state.cases:
            box.add_widget(self._card(case))

    def _card(self, case: CaseView) -> CaseCard:
        app, lang = self.app, self.app.lang
        detail = [app.tr("提交于 {day}", lang, day=day_text(
            case.submitted_at.astimezone(app.ctx.tz).date()))]
        if case.owed_count:
            detail.append(app.tr("还需补交 {n} 项材料", lang, n=case.owed_count))
        card = CaseCard(ident=f"progress_case_{case.case_id}", case_id=case.case_id,
                        number=number_text(app, case, lang),
                        items="、".join(self.flow.item_names(case, lang)) if lang == "zh"
                        else "; ".join(self.flow.item_names(case, lang)),
                        status=status_text(app, case, self.state.standalone, lang),
                        status_rgba=status_colour(case), detail=" · ".join(detail))
        card.bind(on_release=lambda c: self.open(c.case_id))
        return card

    def open(self, case_id: str) -> None:
        self.flow.open_case(case_id)  # the flow moves to the case step; the view follows

    def on_leave(self, *_: Any) -> None:
        self.ids.cases.clear_widgets()  # nothing of this citizen stays in the widget tree
