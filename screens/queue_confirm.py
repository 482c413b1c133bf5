"""取号, step 4: the summary before the number is taken, and taking it.

Draws the item, category, windows, people ahead and the estimated wait (read by the flow once
per entry, off the UI thread: "…" until it arrives), the green channel and the masked name.
确认取号 asks the flow to commit the ticket; while it runs the button is disabled and says
正在取号…, so a second tap can never take a second number. The ticket screen opens only once the
flow holds the committed ticket; a refusal is the flow's notice, shown in full.
"""

from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.receipts.ticket import windows_text
from screens.queue_common import QueueView, kind_text, name_of, priority_text

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueConfirmScreen(QueueView):
    title = StringProperty("确认取号")
    item_label = StringProperty("")
    kind_label = StringProperty("")
    category_label = StringProperty("")
    windows = StringProperty("")
    ahead = StringProperty("")
    wait = StringProperty("")
    priority = StringProperty("")
    masked_name = StringProperty("")
    # True from the tap until the commit returns (the flow's ``issuing``).
    issuing = BooleanProperty(False)

    def enter(self) -> None:
        self.flow.enter_confirm()

    def card_removed(self) -> bool:
        return True  # the flow is not done yet

    def on_leave(self, *_: object) -> None:
        self.issuing = self.state.issuing  # left for the ticket: the commit has returned

    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        item, category = self.flow.item(), self.flow.category()
        self.issuing = state.issuing
        if item is None or category is None:
            for prop in ("item_label", "kind_label", "category_label", "windows", "ahead",
                         "wait", "priority", "masked_name"):
                setattr(self, prop, "")
            return
        self.item_label = name_of(item, lang)
        self.kind_label = kind_text(app, item, lang)
        self.category_label = name_of(category, lang)
        self.windows = app.tr("{windows}（任一窗口均可办理）", lang,
                              windows=windows_text(item.windows))
        guess = state.estimate
        if guess is None:  # being read, or none to be had (an unknown group): no figures
            self.ahead = self.wait = "…" if state.estimating else ""
        else:
            self.ahead = app.tr("{n} 人", lang, n=guess.people_ahead)
            self.wait = (app.tr("约 {m} 分钟", lang, m=guess.minutes) if guess.people_ahead
                         else app.tr("无需等候", lang))
        self.priority = priority_text(app, state.priority_reason, lang)
        self.masked_name = state.masked_name

    def confirm(self) -> None:
        if self.flow.item() is None:
            self.app.go("queue")
            return
        self.flow.confirm()
        self.issuing = self.state.issuing
