"""What time it is in the hall, and which service day that is.

Numbers reset at local midnight in the hall's time zone (Asia/Shanghai by default), not at UTC
midnight: between 00:00 and 08:00 Beijing time the UTC date is still yesterday. Everything that
needs "now" takes a ``Clock`` so tests can stand at 23:59:59. Never call ``datetime.now()``
without a zone anywhere in the core.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime (any zone)."""
        ...


class SystemClock:
    """The real clock, reporting in the hall's zone."""

    def __init__(self, tz: str | ZoneInfo = "Asia/Shanghai") -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz

    def now(self) -> datetime:
        return datetime.now(self.tz)


class FixedClock:
    """Always the same instant (tests)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs an aware datetime")
        self._at = at

    def now(self) -> datetime:
        return self._at


class ManualClock(FixedClock):
    """A clock a test moves by hand, e.g. across local midnight."""

    def set(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._at = at

    def advance(self, delta: timedelta) -> None:
        self._at = self._at + delta


def local_now(clock: Clock, tz: ZoneInfo) -> datetime:
    return clock.now().astimezone(tz)


def service_date(clock: Clock, tz: ZoneInfo) -> date:
    """The hall's business day: the local calendar date (changes at local midnight)."""
    return local_now(clock, tz).date()


def utc_now(clock: Clock) -> datetime:
    return clock.now().astimezone(UTC)
