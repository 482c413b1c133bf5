"""Why a ticket was not issued or a counter action was refused, in words for the citizen.

Every refusal carries a Chinese and an English sentence that says what to do next; the screen shows
one of them as is. These are expected outcomes, not faults: never log them as errors.
"""

from __future__ import annotations

from datetime import date, datetime

from kiosk.catalogue import weekday_zh


class QueueRefusal(Exception):
    """The base of every refusal; ``message_zh`` / ``message_en`` go to the screen."""

    def __init__(self, message_zh: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_zh, self.message_en = message_zh, message_en

    def message(self, language: str) -> str:
        return self.message_zh if language == "zh" else self.message_en


def _when_zh(at: datetime, today: date) -> str:
    if at.date() == today:
        return f"今天 {at:%H:%M}"
    return f"{at.month}月{at.day}日（{weekday_zh(at.date())}）{at:%H:%M}"


def _when_en(at: datetime, today: date) -> str:
    return f"today at {at:%H:%M}" if at.date() == today else f"{at:%a %d %b at %H:%M}"


class UnknownItem(QueueRefusal):
    def __init__(self, item_id: str) -> None:
        super().__init__(f"没有找到服务事项“{item_id}”，请重新选择",
                         f"Service item {item_id!r} does not exist; please choose again")
        self.item_id = item_id


class UnknownGroup(QueueRefusal):
    def __init__(self, group: str) -> None:
        super().__init__(f"绿色通道不适用于“{group}”，请选择列出的人群",
                         f"The green channel does not cover {group!r}; choose a listed group")
        self.group = group


class ServiceClosed(QueueRefusal):
    """Outside the item's opening hours; ``opens_at`` is the next opening (local), if any."""

    def __init__(self, item_name: str, opens_at: datetime | None, now: datetime) -> None:
        if opens_at is None:
            zh = f"“{item_name}”暂停取号，请咨询服务台"
            en = f"{item_name} is not available; please ask at the help desk"
        else:
            zh = f"“{item_name}”现在不在办理时间，下次开放：{_when_zh(opens_at, now.date())}"
            en = f"{item_name} is closed now; it opens {_when_en(opens_at, now.date())}"
        super().__init__(zh, en)
        self.opens_at = opens_at


class DailyCapacityReached(QueueRefusal):
    def __init__(self, item_name: str, capacity: int) -> None:
        super().__init__(f"“{item_name}”今日{capacity}个号已取完，请明天再来或网上预约",
                         f"All {capacity} tickets for {item_name} are taken today; "
                         "please come back tomorrow or book an appointment online")
        self.capacity = capacity


class PersonalLimitReached(QueueRefusal):
    def __init__(self, limit: int, what: str) -> None:
        super().__init__(f"您今天已在“{what}”取号{limit}次，已达上限；如有需要请咨询服务台",
                         f"You already took {limit} ticket(s) for {what} today, the daily "
                         "limit; please ask at the help desk if you need more")
        self.limit = limit


class AppointmentNotFound(QueueRefusal):
    def __init__(self) -> None:
        super().__init__("没有找到您的预约，请核对预约码，或直接取普通号",
                         "No appointment found; check the code or take a regular ticket")


class AppointmentOtherDay(QueueRefusal):
    def __init__(self, on: date, today: date) -> None:
        past = on < today
        super().__init__(
            f"您的预约是{on.month}月{on.day}日（{weekday_zh(on)}）"
            + ("，已过期，请重新预约或取普通号" if past else "，请在预约当天前来签到"),
            f"Your appointment is on {on:%a %d %b %Y}"
            + ("; it has passed — book again or take a regular ticket" if past
               else "; please check in on that day"))
        self.on = on


class AppointmentTooEarly(QueueRefusal):
    def __init__(self, at: datetime, slot_start: datetime) -> None:
        super().__init__(f"您预约的时间是{slot_start:%H:%M}，请在{at:%H:%M}以后签到取号",
                         f"Your appointment is at {slot_start:%H:%M}; "
                         f"check-in opens at {at:%H:%M}")
        self.at = at


class AppointmentTooLate(QueueRefusal):
    def __init__(self, slot_end: datetime, closed_at: datetime) -> None:
        super().__init__(f"您的预约时段已于{slot_end:%H:%M}结束（签到截至{closed_at:%H:%M}），"
                         "请取普通号或重新预约",
                         f"Your appointment slot ended at {slot_end:%H:%M} (check-in closed "
                         f"at {closed_at:%H:%M}); please take a regular ticket or book again")
        self.slot_end, self.closed_at = slot_end, closed_at


class AppointmentAlreadyUsed(QueueRefusal):
    def __init__(self, number: str | None) -> None:
        shown = number or "—"
        super().__init__(f"该预约已签到，号码为 {shown}",
                         f"This appointment has already checked in as number {shown}")
        self.number = number


class UnknownWindow(QueueRefusal):
    def __init__(self, window_id: str) -> None:
        super().__init__(f"没有窗口“{window_id}”", f"There is no window {window_id!r}")


class NoTicketWaiting(QueueRefusal):
    def __init__(self, window_id: str) -> None:
        super().__init__(f"窗口{window_id}：当前没有等候的号",
                         f"Window {window_id}: nobody is waiting")


class NoCurrentTicket(QueueRefusal):
    def __init__(self, window_id: str) -> None:
        super().__init__(f"窗口{window_id}：当前没有已叫的号",
                         f"Window {window_id}: no ticket has been called")


class AppointmentImportError(Exception):
    """A row of an appointment file is wrong; names file, row and field like ConfigError."""

    def __init__(self, file: str, row: int, field: str, found: str, expected: str) -> None:
        super().__init__(f"{file}: row {row}: {field}: found {found!r}, expected {expected}")
        self.file, self.row, self.field = file, row, field
