"""Why a ticket was not issued or a counter action was refused, in words for the citizen.

Every refusal carries a message — a Chinese msgid and its parameters (``kiosk.i18n.Msg``) — that
says what happened and what to do next; the screen renders it in the citizen's language with
``message(lang)``, and the other language is one call away. These are expected outcomes, not
faults: never log them as errors, and never put a name or an ID number in their parameters.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from kiosk.i18n import Msg, Names, day_msg, when_msg
from kiosk.queue.groups import group_label

if TYPE_CHECKING:
    from kiosk.queue.tickets import IssuedTicket


class QueueRefusal(Exception):
    """The base of every refusal. ``msg`` is the message; ``message(lang)`` renders it;
    ``message_zh`` / ``message_en`` are the two renderings (``str()`` is the English one)."""

    def __init__(self, msg: Msg | str, message_en: str | None = None) -> None:
        if isinstance(msg, str):
            # Deprecated form (message_zh, message_en) for callers that already rendered both
            # texts; prefer a subclass, or pass catalogue names as ``Names``.
            msg = Msg("{text}", text=Names(msg, message_en or ""))
        self.msg = msg
        super().__init__(msg.render("en"))

    def message(self, language: str) -> str:
        return self.msg.render(language)

    @property
    def message_zh(self) -> str:
        return self.message("zh")

    @property
    def message_en(self) -> str:
        return self.message("en")


Name = str | Names  # an item or category name: as given, or both languages from the catalogue


class UnknownItem(QueueRefusal):
    def __init__(self, item_id: str) -> None:
        super().__init__(Msg("没有找到服务事项“{item}”，请重新选择", item=item_id))
        self.item_id = item_id


class UnknownGroup(QueueRefusal):
    def __init__(self, group: str) -> None:
        super().__init__(Msg("绿色通道不适用于“{group}”，请选择列出的人群",
                         group=Msg(group_label(group)) if group_label(group) else group))
        self.group = group


class ServiceClosed(QueueRefusal):
    """Outside the item's opening hours; ``opens_at`` is the next opening (local), if any."""

    def __init__(self, item_name: Name, opens_at: datetime | None, now: datetime) -> None:
        if opens_at is None:
            super().__init__(Msg("“{item}”暂停取号，请咨询服务台", item=item_name))
        else:
            super().__init__(Msg("“{item}”现在不在办理时间，下次开放：{when}", item=item_name,
                             when=when_msg(opens_at, now.date())))
        self.opens_at = opens_at


class DailyCapacityReached(QueueRefusal):
    def __init__(self, item_name: Name, capacity: int) -> None:
        super().__init__(Msg("“{item}”今日{capacity}个号已取完，请明天再来或网上预约",
                         item=item_name, capacity=capacity))
        self.capacity = capacity


class PersonalLimitReached(QueueRefusal):
    """The citizen's daily limit. ``ticket`` is their latest ticket of today (people ahead as
    of now), filled in by ``QueueService.issue_ticket``, so the screen can show the number they
    already have and offer a reprint instead of stranding them."""

    def __init__(self, limit: int, what: Name) -> None:
        super().__init__(Msg("您今天已在“{what}”取号{limit}次，已达上限；如有需要请咨询服务台",
                         what=what, limit=limit))
        self.limit = limit
        self.ticket: IssuedTicket | None = None


class TicketNotToday(QueueRefusal):
    """A scanned queue ticket that is not one of today's in this hall."""

    def __init__(self) -> None:
        super().__init__(Msg("这张号票不是今天的号，请重新取号"))


class AppointmentNotFound(QueueRefusal):
    def __init__(self) -> None:
        super().__init__(Msg("没有找到您的预约，请核对预约码，或直接取普通号"))


class AppointmentOtherDay(QueueRefusal):
    def __init__(self, on: date, today: date) -> None:
        if on < today:
            super().__init__(Msg("您的预约是{day}，已过期，请重新预约或取普通号", day=day_msg(on)))
        else:
            super().__init__(Msg("您的预约是{day}，请在预约当天前来签到", day=day_msg(on)))
        self.on = on


class AppointmentTooEarly(QueueRefusal):
    def __init__(self, at: datetime, slot_start: datetime) -> None:
        super().__init__(Msg("您预约的时间是{start}，请在{at}以后签到取号",
                         start=slot_start.strftime("%H:%M"), at=at.strftime("%H:%M")))
        self.at = at


class AppointmentTooLate(QueueRefusal):
    def __init__(self, slot_end: datetime, closed_at: datetime) -> None:
        super().__init__(Msg("您的预约时段已于{end}结束（签到截至{closed}），请取普通号或重新预约",
                         end=slot_end.strftime("%H:%M"), closed=closed_at.strftime("%H:%M")))
        self.slot_end, self.closed_at = slot_end, closed_at


class AppointmentAlreadyUsed(QueueRefusal):
    def __init__(self, number: str | None) -> None:
        super().__init__(Msg("该预约已签到，号码为 {number}", number=number or "—"))
        self.number = number


class AppointmentAttemptsLocked(QueueRefusal):
    """Too many appointment codes that matched nothing, one after another: a pause before the
    next try, so codes cannot be guessed by scanning (each hit shows a masked name)."""

    def __init__(self, minutes: int) -> None:
        super().__init__(Msg("预约码尝试次数过多，请{minutes}分钟后再试，或到咨询台请工作人员帮助",
                             minutes=minutes))
        self.minutes = minutes


class UnknownWindow(QueueRefusal):
    def __init__(self, window_id: str) -> None:
        super().__init__(Msg("没有窗口“{window}”", window=window_id))


class NoTicketWaiting(QueueRefusal):
    def __init__(self, window_id: str) -> None:
        super().__init__(Msg("窗口{window}：当前没有等候的号", window=window_id))


class NoCurrentTicket(QueueRefusal):
    def __init__(self, window_id: str) -> None:
        super().__init__(Msg("窗口{window}：当前没有已叫的号", window=window_id))


class AppointmentImportError(Exception):
    """A row of an appointment file is wrong; names file, row and field like ConfigError."""

    def __init__(self, file: str, row: int, field: str, found: str, expected: str) -> None:
        super().__init__(f"{file}: row {row}: {field}: found {found!r}, expected {expected}")
        self.file, self.row, self.field = file, row, field

