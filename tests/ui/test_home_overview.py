"""Home shows the hall's queue at a glance: people waiting and the number being served."""

from __future__ import annotations

from datetime import time

import pytest

from tests.ui.conftest import Kiosk
from tests.ui.queue_helpers import hall_clock, next_hall_day

pytestmark = pytest.mark.ui


def test_home_shows_waiting_counts_per_category(kiosk: Kiosk,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Given three tickets in 社会民生 and one called at window A01, when home refreshes, then
    its overview says 2 waiting and shows the called number, in Chinese and in English."""
    from screens.registry import SCREENS

    if "queue" not in SCREENS:
        pytest.skip("the queue flow is not registered in this build")
    queue, counter = kiosk.ctx.queue, kiosk.ctx.counter
    kiosk.ctx.clock.set(hall_clock(next_hall_day(), time(10, 0)).now())  # reset by the fixture
    numbers = [queue.issue_ticket("unemployment-registration").number for _ in range(3)]
    called = counter.call_next("A01")
    assert called.number == numbers[0]

    home = kiosk.app.sm.get_screen("home")
    home.refresh_queue_status()
    kiosk.wait_until(lambda: any(r["waiting"] == "2" and r["last_called"] == numbers[0]
                                 for r in home.queue_rows), what="the overview to refresh")
    assert kiosk.get("queue_waiting_社会民生").text == "等候 2 人"
    assert kiosk.get("queue_overview_title").text == "当前排队情况"
    kiosk.screenshot("home-overview-zh")
    kiosk.app.toggle_language()
    kiosk.pump()
    assert kiosk.get("queue_waiting_社会民生").text == "2 waiting"
    kiosk.screenshot("home-overview-en")
