"""The kiosk mode and its tile verdicts, and the one card rule, with a clock moved by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from drivers.base import HealthState
from kiosk.flows.identity import CardProblem, check_card
from kiosk.mode import (
    REASON_AFTER_HOURS,
    REASON_DEVICE,
    REASON_STOPPED,
    Capability,
    KioskMode,
    ModeKeeper,
)
from tests.core.conftest import SHANGHAI, make_card

CAPS = (Capability("queue", staffed=True), Capability("progress"),
        Capability("locker", requires=("locker",)), Capability("submit", requires=("camera",)))


class Devices:
    def __init__(self, health: dict[str, HealthState]) -> None:
        self.health = health

    def kinds(self) -> list[str]:
        return list(self.health)

    def is_usable(self, kind: str) -> bool:
        return self.health[kind] is not HealthState.OFFLINE


def states(keeper: ModeKeeper) -> dict[str, tuple[bool, str, str]]:
    return {s.id: (s.enabled, s.reason, s.device) for s in keeper.capabilities(CAPS)}


def test_day_lunch_and_night_by_the_catalogue_hours(catalogue, clock) -> None:
    """Given Monday 10:00, the mode is normal and the queue is open; at 12:30 (lunch, the hall
    reopens at 13:30) still normal; at 22:00 after hours: the queue tile is off with the
    reason, self-service (progress) stays on; at 10:00 the next day normal again."""
    keeper = ModeKeeper(catalogue, Devices({"locker": HealthState.OK}), clock, SHANGHAI)
    assert keeper.mode() is KioskMode.NORMAL and states(keeper)["queue"] == (True, "", "")
    clock.set(clock.now().replace(hour=12, minute=30))
    assert keeper.mode() is KioskMode.NORMAL
    clock.set(clock.now().replace(hour=22))
    assert keeper.mode() is KioskMode.AFTER_HOURS
    now = states(keeper)
    assert now["queue"] == (False, REASON_AFTER_HOURS, "")
    assert now["progress"][0] and now["locker"][0]
    clock.advance(timedelta(hours=12))
    assert keeper.mode() is KioskMode.NORMAL


def test_a_device_down_names_it_and_an_unfitted_one_hides_the_tile(catalogue, clock) -> None:
    """Given the locker offline and no camera fitted, then the locker tile is off naming the
    locker and the submission tile is not offered at all."""
    keeper = ModeKeeper(catalogue, Devices({"locker": HealthState.OFFLINE}), clock, SHANGHAI)
    now = states(keeper)
    assert now["locker"] == (False, REASON_DEVICE, "locker")
    assert "submit" not in now


def test_maintenance_and_out_of_service_stop_every_tile(catalogue, clock) -> None:
    keeper = ModeKeeper(catalogue, Devices({"locker": HealthState.OK}), clock, SHANGHAI)
    keeper.enter_maintenance()
    assert keeper.mode() is KioskMode.MAINTENANCE
    assert {s[:2] for s in states(keeper).values()} == {(False, REASON_STOPPED)}
    keeper.leave_maintenance()
    keeper.set_out_of_service("database unreachable")
    assert keeper.mode() is KioskMode.OUT_OF_SERVICE
    assert not any(s[0] for s in states(keeper).values())
    keeper.set_out_of_service(None)
    assert all(s[0] for s in states(keeper).values())


def test_an_extra_rule_can_close_a_capability() -> None:
    keeper = ModeKeeper(None, Devices({}), None, SHANGHAI)  # type: ignore[arg-type]
    (night,) = keeper.capabilities([Capability("night", extra=lambda: "夜间不开放")])
    assert (night.enabled, night.reason) == (False, "夜间不开放")


def test_the_card_rule_expiry_first_then_check_digit() -> None:
    """Given the hall's date, a card valid until that day is accepted, the day after it is
    expired (with its date); a misread number is refused; 长期 never expires."""
    card = replace(make_card(), valid_until=date(2026, 1, 5))
    assert check_card(card, date(2026, 1, 5)).accepted
    expired = check_card(card, date(2026, 1, 6))
    assert (expired.problem, expired.until_text) == (CardProblem.EXPIRED, "2026-01-05")
    bad = replace(card, id_number_valid=False)
    assert check_card(bad, date(2026, 1, 5)).problem is CardProblem.BAD_CHECK_DIGIT
    assert check_card(replace(bad, valid_until=date(2020, 1, 1)),
                      date(2026, 1, 5)).problem is CardProblem.EXPIRED
    assert check_card(make_card(), date(2099, 1, 1)).accepted


def test_calendar_make_up_days_and_holidays():
    """Given National Day holidays and a make-up Saturday, then promised dates skip the holidays
    and count the Saturday (one calendar for promises and the schedule)."""
    from datetime import date

    import pytest

    from kiosk.workdays import HallCalendar

    cal = HallCalendar.of([date(2026, 10, d) for d in range(1, 8)], [date(2026, 10, 10)])
    assert not cal.is_working_day(date(2026, 10, 5))
    assert cal.is_working_day(date(2026, 10, 10))  # a Saturday worked in exchange
    assert cal.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert cal.add_working_days(date(2026, 10, 9), 1) == date(2026, 10, 10)
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 10, 9), -1)
