"""The day/night schedule with a hand-moved clock: edges around midnight and lunch, holidays,
make-up working days, and the mode and home tiles that follow it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from config.schema import ScheduleConfig
from kiosk.clock import ManualClock
from kiosk.mode import REASON_AFTER_HOURS, REASON_CLOSED, Capability, KioskMode, ModeKeeper
from kiosk.schedule import HallSchedule
from kiosk.workdays import HallCalendar
from tests.core.conftest import SHANGHAI

# 2026: 1 October (Thursday) is National Day, a holiday; Sunday 11 October a make-up day.
NATIONAL_DAY = date(2026, 10, 1)
MAKEUP_SUNDAY = date(2026, 10, 11)
CAL = HallCalendar.of([NATIONAL_DAY], [MAKEUP_SUNDAY])
CAPS = (Capability("queue", staffed=True), Capability("locker"), Capability("progress"),
        Capability("guide"))


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hh, mm, ss, tzinfo=SHANGHAI)


@pytest.fixture
def schedule() -> HallSchedule:
    return HallSchedule.from_config(ScheduleConfig(), CAL)


class Healthy:
    def kinds(self) -> list[str]:
        return []

    def is_usable(self, kind: str) -> bool:
        return True


def test_queue_follows_the_hall_hours_and_the_rest_runs_24_hours(schedule) -> None:
    """Given the default schedule, then on a Monday the queue is open 09:00-12:00 and
    13:30-17:00 (closing instants excluded) and the locker and progress are open at 03:00."""
    monday = date(2026, 10, 12)
    cases = {(8, 59, 59): False, (9, 0, 0): True, (11, 59, 59): True, (12, 0, 0): False,
             (13, 30, 0): True, (16, 59, 59): True, (17, 0, 0): False}
    for (hh, mm, ss), open_ in cases.items():
        assert schedule.is_open("queue", at(monday, hh, mm, ss)) is open_, (hh, mm, ss)
    assert schedule.is_open("locker", at(monday, 3)) and schedule.is_open("progress", at(monday, 3))


def test_just_before_and_after_midnight_the_next_opening_is_the_next_working_morning(
        schedule) -> None:
    """Given Friday 23:59:59 and Saturday 00:00:00, then the queue opens Monday 09:00 in both;
    on Monday 00:00:01 it opens the same day at 09:00."""
    friday = date(2026, 10, 16)
    monday = date(2026, 10, 19)
    assert schedule.opens_at("queue", at(friday, 23, 59, 59)) == at(monday, 9)
    assert schedule.opens_at("queue", at(friday + timedelta(days=1), 0)) == at(monday, 9)
    assert schedule.opens_at("queue", at(monday, 0, 0, 1)) == at(monday, 9)
    assert schedule.opens_at("queue", at(monday, 10)) is None  # open now


def test_a_holiday_is_closed_and_a_make_up_sunday_is_open(schedule) -> None:
    """Given National Day (a Thursday) and the make-up Sunday, then the queue is closed all
    Thursday and opens Friday 09:00; on the make-up Sunday it is open at 10:00."""
    assert not schedule.is_open("queue", at(NATIONAL_DAY, 10))
    assert schedule.opens_at("queue", at(NATIONAL_DAY, 10)) == at(date(2026, 10, 2), 9)
    assert schedule.is_open("queue", at(MAKEUP_SUNDAY, 10))
    assert not schedule.is_open("queue", at(date(2026, 10, 4), 10))  # an ordinary Sunday


def test_a_24_hour_day_closes_at_midnight_and_reopens_at_once() -> None:
    """Given Saturday 00:00-24:00 hours, then 23:59:59 Saturday is open and the queue's next
    opening seen from Saturday night is not Saturday itself."""
    sched = HallSchedule.from_config(replace(ScheduleConfig(), sat=["00:00-24:00"]), CAL)
    saturday = date(2026, 10, 17)
    assert sched.is_open("queue", at(saturday, 23, 59, 59))
    assert not sched.is_open("queue", at(saturday + timedelta(days=1), 0))


def test_the_mode_and_tiles_follow_the_schedule(schedule) -> None:
    """Given the mode keeper with the schedule, then at 08:00 and at lunch the mode is normal
    and the queue tile stays (its items say when they open); from 17:00 after hours with the
    queue closed until 09:00 the next morning and locker, progress and guide enabled; on the
    holiday after hours all day."""
    clock = ManualClock(at(date(2026, 10, 12), 12, 30))
    keeper = ModeKeeper(None, Healthy(), clock, SHANGHAI, schedule)
    for hh, mm in ((8, 0), (12, 30)):
        clock.set(at(date(2026, 10, 12), hh, mm))
        states = {s.id: s for s in keeper.capabilities(CAPS)}
        assert keeper.mode() is KioskMode.NORMAL and states["queue"].enabled
    clock.set(at(date(2026, 10, 12), 17))
    states = {s.id: s for s in keeper.capabilities(CAPS)}
    assert (states["queue"].enabled, states["queue"].reason, states["queue"].opens_at) == (
        False, REASON_AFTER_HOURS, at(date(2026, 10, 13), 9))
    clock.set(at(date(2026, 10, 12), 22))
    states = {s.id: s for s in keeper.capabilities(CAPS)}
    assert keeper.mode() is KioskMode.AFTER_HOURS
    assert states["queue"].opens_at == at(date(2026, 10, 13), 9)
    assert all(states[c].enabled for c in ("locker", "progress", "guide"))
    clock.set(at(NATIONAL_DAY, 10))
    assert keeper.mode() is KioskMode.AFTER_HOURS


def test_a_capability_set_to_hall_hours_is_closed_with_the_general_reason() -> None:
    """Given the guide set to follow the hall's hours, then at night it is closed with the
    general reason (not the queue's) and when it opens."""
    sched = HallSchedule.from_config(replace(ScheduleConfig(), capabilities={
        "queue": "hall", "guide": "hall"}), CAL)
    clock = ManualClock(at(date(2026, 10, 12), 22))
    keeper = ModeKeeper(None, Healthy(), clock, SHANGHAI, sched)
    guide = {s.id: s for s in keeper.capabilities(CAPS)}["guide"]
    assert (guide.enabled, guide.reason) == (False, REASON_CLOSED)
    assert guide.opens_at == at(date(2026, 10, 13), 9)


def test_a_schedule_with_no_hours_never_opens_the_queue() -> None:
    """Given no hours on any day, then the queue's next opening is None (said as closed)."""
    empty = ScheduleConfig(mon=[], tue=[], wed=[], thu=[], fri=[], makeup_day=[])
    sched = HallSchedule.from_config(empty, CAL)
    assert sched.opens_at("queue", at(date(2026, 10, 12), 10)) is None


@pytest.mark.parametrize(("text", "key", "expected"), [
    ('[schedule]\nmon = ["9:00-12:00"]\n', "schedule.mon[0]", "spans like"),
    ('[schedule]\ntue = ["13:00-12:00"]\n', "schedule.tue[0]", "opening before closing"),
    ('[schedule]\ncapabilities = { queue = "night" }\n', "schedule.capabilities.queue",
     "one of hall, always"),
    ('[locker]\ncabinets = [{ name = "A", columns = ["SSX"] }]\n',
     "locker.cabinets[0].columns[0]", "S, M or L"),
    ('[locker]\ncabinets = [{ name = "A", columns = ["SSSSSSSSSSSSSSSSSSSSSSSSS"] }]\n',
     "locker.cabinets", "at most 24 compartments"),
    ('[locker]\nkeeping_days = 0\n', "locker.keeping_days", "1"),
])
def test_a_bad_schedule_or_cabinet_names_file_key_and_expected(tmp_path, text, key,
                                                               expected) -> None:
    """Given one mistake in [schedule] or [locker], then loading fails with one line naming
    the file, the key and what was expected."""
    from kiosk.config import ConfigError, load_config

    site = tmp_path / "site.toml"
    site.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(site)
    assert info.value.key == key, str(info.value)
    assert expected in info.value.expected and "\n" not in str(info.value)
