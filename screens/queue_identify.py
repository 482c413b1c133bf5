"""取号, step 3 (optional): tap the ID card for the green channel, or skip.

A card whose holder is at or over ``green_channel.min_age`` gets the elderly green channel
automatically, from the birth date on the card (never typed). Pregnant women, military and
people with disabilities declare themselves with a toggle. Card and group are kept only in the
current citizen session. An expired card is refused with a clear message; the ticket can still
be taken without it. Never shows more than the masked name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.events import CardUnreadable
from kiosk.privacy import mask_name
from screens.queue_common import GROUP_LABELS, chosen_item, hall_now, name_of, priority_text
from screens.widgets import KioskButton, KioskScreen

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

EXPIRED = "身份证已过期（有效期至 {date}），不能用于绿色通道；您仍可点击“跳过”直接取号"


class QueueIdentifyScreen(KioskScreen):
    title = StringProperty("刷身份证（可跳过）")
    card_text = StringProperty("")  # what we say about the card on the reader, translated
    card_problem = BooleanProperty(False)
    priority = StringProperty("")  # translated green-channel line, "" when none
    item_label = StringProperty("")
    groups = ListProperty([])

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self._unsubscribe: list[Callable[[], None]] = []
        self._problem_msgid = ""
        self._problem_fmt: dict[str, object] = {}

    def on_kv_post(self, base_widget: object) -> None:
        self.groups = list(self.app.ctx.config.green_channel.groups)
        self.app.bind(lang=lambda *_: self.refresh())

    def on_pre_enter(self, *_: object) -> None:
        self._problem_msgid, self._problem_fmt = "", {}
        self.refresh()

    def on_enter(self, *_: object) -> None:
        # CardInserted reaches this screen through the app's per-screen hook (card_inserted
        # below); an unreadable card has no hook, so listen for it only while we are shown.
        self._unsubscribe.append(self.app.ctx.bus.subscribe(CardUnreadable, self._unreadable))

    def on_leave(self, *_: object) -> None:
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    # ---- events (already on the UI thread) --------------------------------------------------
    def card_inserted(self, card: IdCard) -> bool:
        session = self.app.ctx.sessions.current
        today = hall_now(self.app.ctx).date()
        if card.is_expired(today):
            session.card = None
            until = card.valid_until.isoformat() if card.valid_until else ""
            self._problem(EXPIRED, date=until)
        elif not card.id_number_valid:
            session.card = None
            self._problem("证件号码校验失败；您仍可点击“跳过”直接取号")
        else:
            session.card = card
            self._problem_msgid = ""
        self.refresh()
        return True  # handled here: no greeting toast on top

    def card_removed(self) -> bool:
        return True  # lifting the card mid-flow is normal; the session ends with the flow

    def _unreadable(self, event: CardUnreadable) -> None:
        self._problem("身份证读取失败，请重新放置身份证")

    def _problem(self, msgid: str, **fmt: object) -> None:
        self._problem_msgid, self._problem_fmt = msgid, fmt
        self.refresh()

    # ---- choices --------------------------------------------------------------------------
    def toggle_group(self, group: str) -> None:
        session = self.app.ctx.sessions.current
        session.declared_group = None if session.declared_group == group else group
        self.refresh()

    def next_step(self) -> None:
        self.app.go("queue_confirm")

    # ---- drawing --------------------------------------------------------------------------
    def refresh(self) -> None:
        app, ctx, lang = self.app, self.app.ctx, self.app.lang
        session = ctx.sessions.current
        item = chosen_item(ctx)
        self.item_label = name_of(item, lang) if item else ""
        card = session.card
        if self._problem_msgid:
            self.card_problem = True
            self.card_text = app.tr(self._problem_msgid, lang, **self._problem_fmt)
        elif card is not None:
            self.card_problem = False
            self.card_text = app.tr("已读取身份证：{name}", lang, name=mask_name(card.name))
        else:
            self.card_problem = False
            self.card_text = app.tr("尚未读取身份证", lang)
        today = hall_now(ctx).date()
        reason = ctx.queue.priority_reason(card, session.declared_group, today)
        self.priority = priority_text(app, reason, lang)
        self._draw_groups(session.declared_group)
        ready = card is not None or session.declared_group is not None
        self.ids.next.text = app.tr("下一步", lang) if ready else app.tr("跳过", lang)

    def _draw_groups(self, declared: str | None) -> None:
        # The buttons are made once and then only relabelled: building widgets on every visit
        # made an occasional switch to this screen cost 80+ ms (bench/bench_screens.py).
        box = self.ids.groups
        if [getattr(b, "group", None) for b in reversed(box.children)] != list(self.groups):
            box.clear_widgets()
            for group in self.groups:
                button = KioskButton(ident=f"queue_group_{group}")
                button.group = group
                button.bind(on_release=lambda _b, g=group: self.toggle_group(g))
                box.add_widget(button)
        for button in box.children:
            group = button.group
            chosen = group == declared
            label = self.app.tr(GROUP_LABELS.get(group, group), self.app.lang)
            button.text = (self.app.tr("{group}（已选）", self.app.lang, group=label)
                           if chosen else label)
            button.role = "primary" if chosen else "secondary"
