"""What the queue-ticket (取号) screens share: the flow's keys in the session, hall time, the
notice popup for refusals, and the large tiles and buttons of the flow.

The citizen's choices live only in ``ctx.sessions.current`` (card, declared group, and the
``queue.*`` keys of ``data``), so ending the session forgets them everywhere at once. Nothing
here decides anything: issuing, limits and the green channel are ``kiosk.queue``'s job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.catalogue import Category, ServiceItem, weekday_zh
from kiosk.clock import local_now
from kiosk.context import KioskContext
from kiosk.queue.errors import QueueRefusal
from kiosk.queue.groups import GROUP_LABELS
from kiosk.queue.tickets import IssuedTicket

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

# keys of CitizenSession.data owned by this flow
_log = logging.getLogger(__name__)
CATEGORY = "queue.category"
ITEM = "queue.item"
TICKET = "queue.ticket"

def hall_now(ctx: KioskContext) -> datetime:
    """Local hall time by the queue's own clock, so what the screen says matches issuing."""
    return local_now(ctx.queue.clock, ctx.queue.tz)


def session_data(ctx: KioskContext) -> dict[str, object]:
    return ctx.sessions.current.data


def chosen_item(ctx: KioskContext) -> ServiceItem | None:
    item_id = session_data(ctx).get(ITEM)
    if not isinstance(item_id, str):
        return None
    try:
        return ctx.catalogue.item(item_id)
    except KeyError:
        return None


def chosen_category(ctx: KioskContext) -> Category | None:
    code = session_data(ctx).get(CATEGORY)
    return next((c for c in ctx.catalogue.categories if c.code == code), None)


def current_ticket(ctx: KioskContext) -> IssuedTicket | None:
    ticket = session_data(ctx).get(TICKET)
    return ticket if isinstance(ticket, IssuedTicket) else None


def name_of(thing: Any, lang: str) -> str:
    """Catalogue data carries both languages itself (``name`` / ``name_en``)."""
    return str(thing.name if lang == "zh" or not thing.name_en else thing.name_en)


def opening_text(app: Any, opens_at: datetime | None, now: datetime, lang: str) -> str:
    """"13:30 开放" today, "周一 09:00 开放" another day, "暂停取号" when never."""
    if opens_at is None:
        return app.tr("暂停取号", lang)
    if opens_at.date() == now.date():
        return app.tr("{time} 开放", lang, time=f"{opens_at:%H:%M}")
    day = weekday_zh(opens_at.date()) if lang == "zh" else f"{opens_at:%a}"
    return app.tr("{day} {time} 开放", lang, day=day, time=f"{opens_at:%H:%M}")


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
    """A refusal or an explanation, full width, in the citizen's language with the other one
    below, and one big button. Nothing personal beyond what the message itself names."""

    heading = StringProperty("")
    message = StringProperty("")
    other = StringProperty("")
    button_text = StringProperty("")

    def on_open(self) -> None:
        # A notice belongs to the screen it explains: any navigation (idle timeout included)
        # takes it away, so the next citizen never finds the last one's message.
        App.get_running_app().bind(current=self._screen_changed)

    def on_dismiss(self) -> None:
        App.get_running_app().unbind(current=self._screen_changed)

    def _screen_changed(self, *_: object) -> None:
        self.dismiss(animation=False)


def show_notice(heading: str, message: str, other: str = "",
                button_text: str = "") -> NoticePopup:
    app = App.get_running_app()
    popup = NoticePopup(heading=heading, message=message, other=other,
                        button_text=button_text or app.tr("知道了", app.lang))
    popup.open(animation=False)
    return popup


def show_refusal(refusal: QueueRefusal, heading_msgid: str = "暂时无法取号") -> NoticePopup:
    """The core's refusal says what happened and what to do next, in both languages."""
    app = App.get_running_app()
    other = "en" if app.lang == "zh" else "zh"
    return show_notice(app.tr(heading_msgid, app.lang), refusal.message(app.lang),
                       refusal.message(other))


def close_notices() -> None:
    """Drop any open notice (the session ended or the screen changed)."""
    from kivy.core.window import Window

    for child in list(Window.children):
        if isinstance(child, NoticePopup):
            child.dismiss(animation=False)


def commit_in_background(app: Any, work: Callable[[], IssuedTicket],
                         on_ticket: Callable[[IssuedTicket], None],
                         on_refusal: Callable[[QueueRefusal], None],
                         on_finally: Callable[[], None]) -> None:
    """Run ``work`` (a database commit: issue or check-in) on a worker thread and come back to the
    UI thread with its result. On a hall's shared PostgreSQL the commit is a network round trip,
    and the screen must keep drawing its spinner meanwhile. Anything but a refusal is a system
    fault: it is logged and the citizen sees the error page, never a half-made ticket."""

    def run() -> None:
        try:
            ticket = work()
        except QueueRefusal as refusal:
            # bound as a default: Python unbinds ``refusal`` when the except block ends
            Clock.schedule_once(lambda _dt, r=refusal: (on_finally(), on_refusal(r)))
        except Exception:
            _log.exception("taking a number failed")
            Clock.schedule_once(lambda _dt: (on_finally(), app.show_error(
                "暂时无法取号", "系统暂时无法取号，请到服务台咨询",
                next_msgid="请到服务台请工作人员帮助")))
        else:
            Clock.schedule_once(lambda _dt, t=ticket: (on_finally(), on_ticket(t)))

    threading.Thread(target=run, name="queue-commit", daemon=True).start()
