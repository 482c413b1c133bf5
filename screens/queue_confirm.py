"""取号, step 4: the summary before the number is taken, and taking it.

Shows the item, category, windows, people ahead now, the estimated wait, the green channel and
the masked name; 确认取号 calls ``QueueService.issue_ticket``, which commits the ticket before it
returns, and only then moves to the ticket screen. A refusal (closed, capacity, personal limit)
is shown in full with what to do next, never a crash and never a half-issued ticket.
"""

from __future__ import annotations

import logging
from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty

from kiosk.privacy import mask_name
from kiosk.queue.errors import QueueRefusal
from kiosk.queue.tickets import IssuedTicket
from kiosk.receipts.ticket import windows_text
from screens.queue_common import (
    TICKET,
    chosen_category,
    chosen_item,
    commit_in_background,
    kind_text,
    name_of,
    priority_text,
    session_data,
    show_refusal,
)
from screens.widgets import KioskScreen

log = logging.getLogger(__name__)

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class QueueConfirmScreen(KioskScreen):
    title = StringProperty("确认取号")
    item_label = StringProperty("")
    kind_label = StringProperty("")
    category_label = StringProperty("")
    windows = StringProperty("")
    ahead = StringProperty("")
    wait = StringProperty("")
    priority = StringProperty("")
    masked_name = StringProperty("")
    # True from the tap until the commit returns: the button is disabled and says 正在取号…, so
    # a second tap can never take a second number.
    issuing = BooleanProperty(False)

    def on_kv_post(self, base_widget: object) -> None:
        self.app.bind(lang=lambda *_: self.refresh())

    def on_pre_enter(self, *_: object) -> None:
        self.refresh()

    def card_removed(self) -> bool:
        return True  # the flow is not done yet

    def refresh(self) -> None:
        app, ctx, lang = self.app, self.app.ctx, self.app.lang
        item, category = chosen_item(ctx), chosen_category(ctx)
        if item is None or category is None:
            for prop in ("item_label", "kind_label", "category_label", "windows", "ahead",
                         "wait", "priority", "masked_name"):
                setattr(self, prop, "")
            return
        session = ctx.sessions.current
        self.item_label = name_of(item, lang)
        self.kind_label = kind_text(app, item, lang)
        self.category_label = name_of(category, lang)
        self.windows = app.tr("{windows}（任一窗口均可办理）", lang,
                              windows=windows_text(item.windows))
        try:
            guess = ctx.queue.estimate(item.id, card=session.card,
                                       declared_group=session.declared_group)
        except QueueRefusal as refusal:  # an unknown declared group: say so, show no estimate
            log.info("no estimate: %s", refusal)
            self.ahead = self.wait = self.priority = ""
        else:
            self.ahead = app.tr("{n} 人", lang, n=guess.people_ahead)
            self.wait = (app.tr("约 {m} 分钟", lang, m=guess.minutes) if guess.people_ahead
                         else app.tr("无需等候", lang))
            self.priority = priority_text(app, guess.priority_reason, lang)
        self.masked_name = mask_name(session.card.name) if session.card else ""

    def confirm(self) -> None:
        ctx = self.app.ctx
        item = chosen_item(ctx)
        if item is None:
            self.app.go("queue")
            return
        if self.issuing:
            return
        self.issuing = True
        session = ctx.sessions.current
        card, group = session.card, session.declared_group
        # Commits the ticket (and its outbox row) before returning: only then is it shown.
        commit_in_background(
            self.app,
            lambda: ctx.queue.issue_ticket(item.id, card=card, declared_group=group),
            self._issued, self._refused, lambda: setattr(self, "issuing", False))

    def _issued(self, ticket: IssuedTicket) -> None:
        log.info("ticket %s issued for %s", ticket.number, ticket.item_id)
        session_data(self.app.ctx)[TICKET] = ticket
        self.app.go("queue_ticket")

    def _refused(self, refusal: QueueRefusal) -> None:
        log.info("ticket refused: %s", refusal)
        show_refusal(refusal)
        self.refresh()
