"""取号, step 3 (optional): tap the ID card for the green channel, or skip.

Draws the flow's verdict on the card (accepted with the masked name, expired with its date, a
failed check digit, unreadable), the green channel a ticket would get (by age from the card's
birth date, never typed, or a declared group), and the declared-group toggles. The card rule and
the green channel are the flow's; this view forwards the card, the unreadable event and taps.
Never shows more than the masked name.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty

from kiosk.events import CardUnreadable
from screens.queue_common import GROUP_LABELS, QueueView, card_problem_text, name_of, priority_text
from screens.widgets import KioskButton

if TYPE_CHECKING:
    from drivers.idcard.base import IdCard

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

EXPIRED = "身份证已过期（有效期至 {date}），不能用于绿色通道；您仍可点击“跳过”直接取号"
BAD_NUMBER = "证件号码校验失败；您仍可点击“跳过”直接取号"


class QueueIdentifyScreen(QueueView):
    title = StringProperty("刷身份证")
    card_text = StringProperty("")  # what we say about the card on the reader, translated
    card_problem = BooleanProperty(False)
    priority = StringProperty("")  # translated green-channel line, "" when none
    item_label = StringProperty("")
    groups = ListProperty([])
    reader_online = BooleanProperty(True)  # the words change when the reader is out of service

    def __init__(self, **kwargs: Any) -> None:
        self._unsubscribe: list[Callable[[], None]] = []
        super().__init__(**kwargs)

    def on_kv_post(self, base_widget: object) -> None:
        # The group buttons are built here, while the screen is warmed up behind home: adding
        # them on the first visit cost that visit ~100 ms (bench/bench_screens.py).
        self.groups = list(self.flow.groups())
        self._draw_groups(None)
        self.app.bind(health_version=lambda *_: self._redraw_if_shown())

    def enter(self) -> None:
        self.flow.enter_identify()

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
        self.flow.card_inserted(card)
        return True  # handled here: no greeting toast on top

    def card_removed(self) -> bool:
        return True  # lifting the card mid-flow is normal; the session ends with the flow

    def _unreadable(self, _event: CardUnreadable) -> None:
        self.flow.card_unreadable()

    # ---- taps -------------------------------------------------------------------------------
    def toggle_group(self, group: str) -> None:
        self.flow.toggle_group(group)

    def next_step(self) -> None:
        self.app.go("queue_confirm")

    # ---- drawing ----------------------------------------------------------------------------
    def draw(self) -> None:
        app, lang, state = self.app, self.app.lang, self.state
        self.reader_online = app.ctx.devices.is_usable("idcard")
        item = self.flow.item()
        self.item_label = name_of(item, lang) if item else ""
        if state.card_problem is not None:
            self.card_problem = True
            self.card_text = card_problem_text(app, state.card_problem, lang,
                                               expired=EXPIRED, bad_number=BAD_NUMBER)
        elif state.masked_name:
            self.card_problem = False
            self.card_text = app.tr("已读取身份证：{name}", lang, name=state.masked_name)
        elif not self.reader_online:
            self.card_problem = False
            self.card_text = app.tr("无需刷卡，点击“跳过”即可取号", lang)
        else:
            self.card_problem = False
            self.card_text = app.tr("尚未读取身份证", lang)
        self.priority = priority_text(app, state.priority_reason, lang)
        self._draw_groups(state.declared_group)
        ready = bool(state.masked_name) or state.declared_group is not None
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
            button.role = "selected" if chosen else "secondary"
