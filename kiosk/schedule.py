"""The hall's day/night schedule: which home capabilities are open at a given hall-local time.

``[schedule]`` gives the hall's hours per weekday and for make-up working days (调休); which days
are holidays or make-up days comes from ``[calendar]`` through ``kiosk.workdays.HallCalendar``,
the one calendar of the kiosk. Each capability either follows the hall's hours ("hall": queue
tickets need a clerk at a window) or runs 24 hours ("always": the locker, self-service
submission, progress lookup, ratings). ``kiosk.mode.ModeKeeper`` asks this module and the home
screen draws its verdicts, with when a closed capability opens next.

Pure: the caller passes the local time (from the injected clock). Never reads the wall clock,
never touches a device or the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from config.schema import ScheduleConfig
from kiosk.i18n import WEEKDAYS, Msg, day_msg
from kiosk.workdays import HallCalendar

WEEKDAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
HALL = "hall"
ALWAYS = "always"
# Looking further ahead than this for the next opening means the hall never opens (a config
# with no hours at all, or a year of holidays): say "closed" rather than loop.
LOOKAHEAD_DAYS = 60

Span = tuple[time, time]


def _spans(texts: list[str]) -> tuple[Span, ...]:
    out: list[Span] = []
    for text in texts:  # validated by config.schema: "HH:MM-HH:MM", 24:00 only as a close
        start, end = text.split("-")
        close = time.max if end == "24:00" else time.fromisoformat(end)
        out.append((time.fromisoformat(start), close))
    return tuple(sorted(out))


@dataclass(frozen=True)
class HallSchedule:
    """The hall's opening periods by day, and each capability's rule (hall hours or 24 h)."""

    week: tuple[tuple[Span, ...], ...]  # index 0 = Monday
    makeup_day: tuple[Span, ...]
    calendar: HallCalendar
    rules: dict[str, str]

    @classmethod
    def from_config(cls, schedule: ScheduleConfig, calendar: HallCalendar) -> HallSchedule:
        week = tuple(_spans(getattr(schedule, key)) for key in WEEKDAY_KEYS)
        return cls(week, _spans(schedule.makeup_day), calendar, dict(schedule.capabilities))

    # ---- the hall's own hours ---------------------------------------------------------------
    def periods_on(self, day: date) -> tuple[Span, ...]:
        """The hall's opening periods on ``day``: none on a holiday, the make-up hours on a
        weekend worked in exchange for one, else the weekday's."""
        if day in self.calendar.holidays:
            return ()
        if day in self.calendar.workdays:
            return self.makeup_day
        return self.week[day.weekday()]

    def hall_open(self, local: datetime) -> bool:
        now = local.timetz().replace(tzinfo=None)
        return any(start <= now < end for start, end in self.periods_on(local.date()))

    def hall_open_today(self, local: datetime) -> bool:
        """Open now or opening again later today (a lunch break is not night)."""
        now = local.timetz().replace(tzinfo=None)
        return any(now < end for _start, end in self.periods_on(local.date()))

    def next_hall_opening(self, local: datetime) -> datetime | None:
        """The first opening strictly after ``local``; None when none within LOOKAHEAD_DAYS."""
        for days in range(LOOKAHEAD_DAYS + 1):
            day = local.date() + timedelta(days=days)
            for start, _end in self.periods_on(day):
                at = datetime.combine(day, start, tzinfo=local.tzinfo)
                if at > local:
                    return at
        return None

    # ---- capabilities -----------------------------------------------------------------------
    def follows_hall(self, capability: str) -> bool:
        return self.rules.get(capability, ALWAYS) == HALL

    def is_open(self, capability: str, local: datetime) -> bool:
        return not self.follows_hall(capability) or self.hall_open(local)

    def opens_at(self, capability: str, local: datetime) -> datetime | None:
        """When a capability closed now opens again (None: open now, or never)."""
        if self.is_open(capability, local):
            return None
        return self.next_hall_opening(local)

    def offered(self, capability: str, local: datetime) -> bool:
        """Whether home offers the capability: 24-hour ones always; hall-hours ones while the
        hall is open or opens again today. A lunch break is not night: the queue's items say
        themselves when they reopen (the catalogue's hours), the tile stays."""
        return not self.follows_hall(capability) or self.hall_open_today(local)


def opens_msg(at: datetime, now: datetime) -> Msg:
    """When something closed opens again, the way people say it: "今天 13:30", "明天 09:00"
    (seen: "周三 09:00" at 23:57 on a Tuesday), "周五 09:00" within the week, else the date."""
    days = (at.date() - now.date()).days
    time = at.strftime("%H:%M")
    if days <= 0:
        return Msg("今天 {time}", time=time)
    if days == 1:
        return Msg("明天 {time}", time=time)
    if days < 7:
        return Msg("{weekday} {time}", weekday=Msg(WEEKDAYS[at.weekday()]), time=time)
    return Msg("{day}{time}", day=day_msg(at.date()), time=time)
