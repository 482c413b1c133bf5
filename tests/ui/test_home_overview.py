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


def test_home_tells_staff_how_much_the_hall_has_not_received(
        kiosk: Kiosk, monkeypatch: pytest.MonkeyPatch) -> None:
    """Given a kiosk reporting to a hall server that cannot be reached, when a ticket waits in
    the outbox for 5 minutes and home refreshes, then one muted line says 1 record is waiting,
    the oldest 5 minutes ago (in both languages); a standalone kiosk shows no such line."""
    import dataclasses
    from datetime import timedelta

    from sqlalchemy import update

    from config.schema import SyncConfig
    from kiosk.storage.models import OutboxMessage
    from kiosk.sync.worker import SyncWorker

    home = kiosk.app.sm.get_screen("home")
    line = kiosk.get("sync_status")
    home.refresh_queue_status()
    kiosk.pump()
    assert line.text == "" and line.height == 0  # the fixture's kiosk is standalone

    ctx = kiosk.ctx
    with ctx.engine.begin() as conn:  # what earlier tests left in the session's outbox was "sent"
        conn.execute(update(OutboxMessage).where(OutboxMessage.sent_at.is_(None))
                     .values(sent_at=ctx.clock.now()))
    hall = dataclasses.replace(ctx.config, sync=SyncConfig(url="http://127.0.0.1:9", token="t"))
    monkeypatch.setattr(ctx.flows.home, "sync", SyncWorker(ctx.engine, hall, ctx.clock))
    ctx.queue.issue_ticket("unemployment-registration")
    ctx.clock.advance(timedelta(minutes=5))
    home.refresh_queue_status()
    kiosk.wait_until(lambda: home.sync_pending == 1, what="the outbox depth on home")
    kiosk.pump()
    assert line.text == "待上传大厅的记录 1 条，最早 5 分钟前" and line.height > 0
    kiosk.screenshot("home-sync-zh")
    kiosk.app.toggle_language()
    kiosk.pump()
    assert line.text == "1 records waiting to reach the hall, oldest 5 min ago"
