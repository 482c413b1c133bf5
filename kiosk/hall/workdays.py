"""Working-day arithmetic for follow-up deadlines: weekends and listed holidays are skipped.

Pure functions over dates; never reads the clock.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta


def is_working_day(day: date, holidays: Iterable[date] = ()) -> bool:
    return day.weekday() < 5 and day not in set(holidays)


def add_working_days(start: date, n: int, holidays: Iterable[date] = ()) -> date:
    """The date ``n`` working days after ``start`` (n = 0: ``start`` itself, or the next working
    day when ``start`` is not one). A rating on Friday with n = 1 is due on Monday."""
    off = set(holidays)
    day = start
    while not is_working_day(day, off):
        day += timedelta(days=1)
    for _ in range(n):
        day += timedelta(days=1)
        while not is_working_day(day, off):
            day += timedelta(days=1)
    return day
