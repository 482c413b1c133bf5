"""自助申报, step 2: the item's summary before filing — conditions, the materials to photograph
(required or may follow later under commitment, pages, original or copy), the promised time,
how the result is delivered and, for a bundle (一件事), every item it files.

This is the submission's own short view of the item (the full service guide is another
journey's). Draws the flow's plan; 开始申报 asks for the ID card. Decides nothing.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty

from kiosk.flows.submission_state import SubmitStep
from screens.submit_common import SubmitView, delivery_text, kind_text, material_text, name_of

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class SubmitGuideScreen(SubmitView):
    title = StringProperty("申报须知")
    item_label = StringProperty("")
    kind_label = StringProperty("")
    bundle_text = StringProperty("")
    conditions = StringProperty("")
    materials = StringProperty("")
    promise = StringProperty("")
    deliveries = StringProperty("")

    def enter(self) -> None:
        self.flow.back_to(SubmitStep.GUIDE)

    def draw(self) -> None:
        app, lang, plan = self.app, self.app.lang, self.state.plan
        if plan is None:
            for prop in ("item_label", "kind_label", "bundle_text", "conditions", "materials",
                         "promise", "deliveries"):
                setattr(self, prop, "")
            return
        item = plan.item
        self.item_label = name_of(item, lang)
        self.kind_label = kind_text(app, item, lang)
        self.bundle_text = "\n".join(
            app.tr("· {item}", lang, item=name_of(i, lang)) for i in plan.items) \
            if item.is_bundle else ""
        conditions = [c for i in (item, *plan.items) for c in i.conditions]
        # the catalogue states conditions in Chinese only: English readers are pointed on
        self.conditions = "\n".join(app.tr("· {text}", lang, text=c)
                                    for c in dict.fromkeys(conditions)) if lang == "zh" \
            else app.tr("申请条件详见办事指南或咨询窗口", lang)
        self.materials = "\n".join(app.tr("· {text}", lang, text=material_text(app, m, lang))
                                   for m in plan.materials)
        self.promise = app.tr("承诺 {days} 个工作日内办结（预计 {date}）", lang,
                              days=plan.promised_days, date=self.flow.promised_date())
        self.deliveries = "、".join(delivery_text(app, d, lang) for d in self.flow.deliveries()) \
            if lang == "zh" else ", ".join(delivery_text(app, d, lang)
                                           for d in self.flow.deliveries())

    def start(self) -> None:
        self.flow.enter_identify()
