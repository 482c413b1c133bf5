"""Working days in the hall's calendar: weekends off, listed public holidays off, listed make-up
working days (调休, a Saturday or Sunday worked in exchange for a holiday) on.

One calendar for every date the kiosk promises or schedules: a submission's promised completion
date (承诺办结日期), follow-up deadlines, and the hall's day/night schedule. Pure functions over
dates; never reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.schema import Config

# A promise further out than this is a configuration mistake, not a date to loop towards.
MAX_WORKING_DAYS = 3650


@dataclass(frozen=True)
class HallCalendar:
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()  # make-up working days on a weekend

    @classmethod
    def from_config(cls, config: Config) -> HallCalendar:
        """The calendar of ``[calendar]`` in the site file."""
        return cls.of(config.calendar.holidays, config.calendar.workdays)

    @classmethod
    def of(cls, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> HallCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, n: int) -> date:
        """The date ``n`` working days after ``start`` (n = 0: ``start`` itself, or the next
        working day when ``start`` is not one). A case filed on Friday due in 1 day: Monday."""
        if not 0 <= n <= MAX_WORKING_DAYS:
            raise ValueError(f"working days must be 0-{MAX_WORKING_DAYS}, not {n}")
        day = start
        while not self.is_working_day(day):
            day += timedelta(days=1)
        for _ in range(n):
            day += timedelta(days=1)
            while not self.is_working_day(day):
                day += timedelta(days=1)
        return day


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return HallCalendar.of(holidays).is_working_day(day)


def add_working_days(start: date, n: int, holidays: Iterable[date] = ()) -> date:
    return HallCalendar.of(holidays).add_working_days(start, n)
