"""What the queue-ticket (取号) views share: the base class binding a view to ``QueueFlow``, the
texts drawn from its state, the notice popup for refusals, and the flow's tiles and buttons.

The journey's state lives in ``ctx.flows.queue`` (typed, wiped when the session ends); a view
draws it and forwards taps. Nothing here decides anything, touches the database or starts a
thread: issuing, limits, the card rule and the green channel are the flow's and the core's job.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.catalogue import ServiceItem
from kiosk.flows.identity import CardProblem, CardVerdict
from kiosk.flows.queue import QueueFlow
from kiosk.flows.queue_state import Notice, NoticeKind, QueueState, QueueStep
from kiosk.queue.errors import PersonalLimitReached, QueueRefusal
from kiosk.queue.groups import GROUP_LABELS
from kiosk.queue.tickets import IssuedTicket
from kiosk.schedule import opens_msg
from screens.widgets import FlowView

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

TICKET_SCREEN = "queue_ticket"
STEP_SCREENS: dict[QueueStep, str] = {  # the view that shows each step of the flow
    QueueStep.CATEGORY: "queue",
    QueueStep.ITEM: "queue_items",
    QueueStep.IDENTIFY: "queue_identify",
    QueueStep.CONFIRM: "queue_confirm",
    QueueStep.TICKET: TICKET_SCREEN,
    QueueStep.APPOINTMENT: "queue_appointment",
}



def name_of(thing: Any, lang: str) -> str:
    """Catalogue data carries both languages itself (``name`` / ``name_en``)."""
    return str(thing.name if lang == "zh" or not thing.name_en else thing.name_en)


def opening_text(app: Any, opens_at: datetime | None, now: datetime, lang: str) -> str:
    """"13:30 开放" today, "明天 09:00 开放", "周三 09:00 开放" within the week, "暂停取号" when
    never (``kiosk.flows.home.opens_msg`` words the day)."""
    if opens_at is None:
        return app.tr("暂停取号", lang)
    if opens_at.date() == now.date():
        return app.tr("{time} 开放", lang, time=f"{opens_at:%H:%M}")
    return app.tr("{when} 开放", lang, when=opens_msg(opens_at, now))


def kind_text(app: Any, item: ServiceItem, lang: str) -> str:
    if item.instant:
        return app.tr("即办件", lang)
    return app.tr("承诺件 · {days}个工作日", lang, days=item.promised_days)


def priority_text(app: Any, reason: str | None, lang: str) -> str:
    if not reason:
        return ""
    return app.tr("绿色通道 · {group}", lang, group=app.tr(GROUP_LABELS.get(reason, reason), lang))


class CategoryTile(ButtonBehavior, BoxLayout):
    """One category: prefix badge, name, windows, and how many are waiting now."""

    ident = StringProperty("")
    code = StringProperty("")
    prefix = StringProperty("")
    label = StringProperty("")  # already in the citizen's language (catalogue data)
    detail = StringProperty("")
    waiting = NumericProperty(0)
    counted = BooleanProperty(False)  # False until the count has arrived: shows "…"
    show_waiting = BooleanProperty(True)


class ItemButton(ButtonBehavior, BoxLayout):
    """One service item; ``closed`` greys it and ``note`` says when it opens."""

    ident = StringProperty("")
    item_id = StringProperty("")
    label = StringProperty("")
    mark = StringProperty("")
    note = StringProperty("")
    closed = BooleanProperty(False)


class NoticePopup(ModalView):
    """A refusal or an explanation, full width, in the citizen's language only (one language
    per screen), with what to do next as buttons: an optional action (``action_text``, e.g.
    查看并补打) and 知道了. Nothing personal beyond what the message itself names."""

    heading = StringProperty("")
    message = StringProperty("")
    button_text = StringProperty("")
    action_text = StringProperty("")  # "" hides the action button
    action: Callable[[], None] | None = None

    def act(self) -> None:
        action = self.action
        self.dismiss(animation=False)
        if action is not None:
            action()

    def on_open(self) -> None:
        # A notice belongs to the screen it explains: any navigation (idle timeout included)
        # takes it away, so the next citizen never finds the last one's message.
        App.get_running_app().bind(current=self._screen_changed)

    def on_dismiss(self) -> None:
        App.get_running_app().unbind(current=self._screen_changed)

    def _screen_changed(self, *_: object) -> None:
        self.dismiss(animation=False)


def show_notice(heading: str, message: str, button_text: str = "", *, action_text: str = "",
                action: Callable[[], None] | None = None) -> NoticePopup:
    app = App.get_running_app()
    popup = NoticePopup(heading=heading, message=message,
                        button_text=button_text or app.tr("知道了", app.lang),
                        action_text=action_text)
    popup.action = action
    popup.open(animation=False)
    return popup


def show_refusal(refusal: QueueRefusal, heading_msgid: str = "暂时无法取号", *,
                 on_existing: Callable[[IssuedTicket], None] | None = None) -> NoticePopup:
    """The core's refusal says what happened and what to do next, in the citizen's language.
    A daily-limit refusal that found the citizen's ticket says its number and offers it."""
    app = App.get_running_app()
    message = refusal.message(app.lang)
    ticket = getattr(refusal, "ticket", None)
    if isinstance(refusal, PersonalLimitReached) and ticket is not None \
            and on_existing is not None:
        message = app.tr("您今天的号码是 {number}，可查看排队情况并补打号票", app.lang,
                         number=ticket.number)
        return show_notice(app.tr(heading_msgid, app.lang), message,
                           action_text=app.tr("查看并补打号票", app.lang),
                           action=lambda: on_existing(ticket))
    return show_notice(app.tr(heading_msgid, app.lang), message)


def close_notices() -> None:
    """Drop any open notice (the session ended or the screen changed)."""
    from kivy.core.window import Window

    for child in list(Window.children):
        if isinstance(child, NoticePopup):
            child.dismiss(animation=False)


def card_problem_text(app: Any, verdict: CardVerdict, lang: str, *, expired: str,
                      bad_number: str, unreadable: str = "身份证读取失败，请重新放置身份证") -> str:
    """The words for a refused card; each step names what the citizen can do instead."""
    if verdict.problem is CardProblem.EXPIRED:
        return str(app.tr(expired, lang, date=verdict.until_text))
    if verdict.problem is CardProblem.BAD_CHECK_DIGIT:
        return str(app.tr(bad_number, lang))
    return str(app.tr(unreadable, lang))


class QueueView(FlowView):
    """Base of the 取号 views (``FlowView`` on ``QueueFlow``): a committed ticket is shown on the
    ticket screen whichever step the citizen was on. Subclasses implement ``draw`` (and
    ``notice_texts`` for card notices)."""

    refused_heading = "暂时无法取号"
    flow_name = QueueFlow.name

    @property
    def flow(self) -> QueueFlow:
        return self.app.ctx.flows.queue  # type: ignore[no-any-return]

    @property
    def state(self) -> QueueState:
        return self.flow.state

    def step_screen(self) -> str | None:
        # committed (issue or check-in): only now is the ticket shown
        return TICKET_SCREEN if self.state.step is QueueStep.TICKET else None

    def show(self, notice: Notice) -> None:
        app = self.app
        if notice.kind is NoticeKind.FAULT:
            app.show_error("暂时无法取号", "系统暂时无法取号，请到服务台咨询",
                           next_msgid="请到服务台请工作人员帮助")
        elif notice.refusal is not None:
            show_refusal(notice.refusal, notice.heading, on_existing=self.flow.show_existing)
        elif notice.card is not None:
            show_notice(app.tr(notice.heading, app.lang), self.card_text(notice.card, app.lang))

    def card_text(self, verdict: CardVerdict, lang: str) -> str:
        return card_problem_text(self.app, verdict, lang,
                                 expired="身份证已过期（有效期至 {date}），请扫描预约二维码签到",
                                 bad_number="证件号码校验失败，请到人工窗口办理")
