"""自助申报, steps 5–7: the 容缺 commitment, the delivery choice and the review before 提交.

Commitment: the materials left out, each with its deadline, and the promise to hand them in
(or 去拍摄 to photograph one after all). Delivery: the ways every filed item allows (window,
24-hour locker, post). Review: everything once more — items, applicant (masked), materials with
page counts, what is still owed and by when, promised date, delivery — and 提交申报, which shows
progress while the flow commits off the UI thread. Decides nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.flows.submission_state import SubmitStep
from screens.submit_common import DELIVERY_NOTES, SubmitView, delivery_text, name_of

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


def owed_lines(app: Any, view: SubmitView, lang: str) -> str:
    due = view.flow.owed_due()
    return "\n".join(app.tr("· {material}，请于 {date} 前补交", lang,
                            material=name_of(m.request, lang), date=due)
                     for m in view.state.owed)


class DeliveryChoice(ButtonBehavior, BoxLayout):
    """One way to receive the result: its name, what it means, and whether it is chosen."""

    ident = StringProperty("")
    delivery = StringProperty("")
    label = StringProperty("")
    note = StringProperty("")
    chosen = BooleanProperty(False)


class SubmitCommitmentScreen(SubmitView):
    title = StringProperty("容缺承诺")
    owed = StringProperty("")

    def enter(self) -> None:
        self.flow.back_to(SubmitStep.COMMITMENT)

    def draw(self) -> None:
        self.owed = owed_lines(self.app, self, self.app.lang)

    def promise(self) -> None:
        self.flow.give_commitment()

    def photograph(self) -> None:
        self.flow.back_to_owed()


class SubmitDeliveryScreen(SubmitView):
    title = StringProperty("选择取件方式")

    def __init__(self, **kwargs: Any) -> None:
        self._buttons: dict[str, DeliveryChoice] = {}
        super().__init__(**kwargs)

    def enter(self) -> None:
        self.flow.enter_delivery()

    def draw(self) -> None:
        app, lang = self.app, self.app.lang
        box = self.ids.choices
        box.clear_widgets()
        for delivery in self.flow.deliveries():
            button = self._buttons.get(delivery)
            if button is None:
                button = DeliveryChoice(ident=f"submit_delivery_{delivery}", delivery=delivery)
                button.bind(on_release=lambda b: self.flow.choose_delivery(b.delivery))
                self._buttons[delivery] = button
            button.label = delivery_text(app, delivery, lang)
            button.note = app.tr(DELIVERY_NOTES[delivery], lang)
            button.chosen = delivery == self.state.delivery
            box.add_widget(button)


class SubmitReviewScreen(SubmitView):
    title = StringProperty("核对申报信息")
    items = StringProperty("")
    applicant = StringProperty("")
    received = StringProperty("")
    owed = StringProperty("")
    delivery = StringProperty("")
    promise = StringProperty("")
    submitting = BooleanProperty(False)

    def enter(self) -> None:
        self.flow.back_to(SubmitStep.REVIEW)

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        plan = state.plan
        if plan is None:
            return
        names = [name_of(i, lang) for i in plan.items]
        if plan.bundle_id:
            names.insert(0, app.tr("一件事：{bundle}", lang, bundle=name_of(plan.item, lang)))
        self.items = "\n".join(names)
        self.applicant = state.masked_name
        self.received = "\n".join(
            app.tr("· {material}（{pages} 页）", lang, material=name_of(m.request, lang),
                   pages=len(m.pages)) for m in state.filed if m.pages)
        self.owed = owed_lines(app, self, lang) or app.tr("材料已齐全，无需补交", lang)
        self.delivery = delivery_text(app, state.delivery, lang) if state.delivery else ""
        self.promise = self.flow.promised_date()
        self.submitting = state.submitting

    def submit(self) -> None:
        self.flow.submit()
