"""The home flow: the queue overview and, on a kiosk that reports to a hall server, how much the
hall has not received yet — both read off the UI thread, nothing personal held."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from config.schema import SyncConfig
from kiosk.events import EventBus, call_now
from kiosk.flows.base import InlineWorker
from kiosk.flows.home import HomeFlow
from kiosk.sync.worker import SyncWorker


def home_flow(engine, config, clock, counter, *, url: str) -> HomeFlow:
    sync_config = dataclasses.replace(
        config, sync=SyncConfig(url=url, token="kiosk-token" if url else ""))
    sync = SyncWorker(engine, sync_config, clock)  # never started: only its numbers are read
    return HomeFlow(bus=EventBus(), worker=InlineWorker(call_now), counter=counter, sync=sync)


def test_home_shows_the_outbox_depth_and_the_oldest_age_when_a_hall_is_configured(
        engine, config, clock, service, counter):
    """Given a kiosk reporting to a hall server that is unreachable, when two tickets wait in
    the outbox and 3 minutes pass, then home's state says 2 pending, the oldest 180 s old; after
    the queue moves, the next read counts the new outbox rows too."""
    flow = home_flow(engine, config, clock, counter, url="http://127.0.0.1:9")
    service.issue_ticket("company-change")
    service.issue_ticket("company-change")
    clock.advance(timedelta(minutes=3))
    flow.refresh_queue_status(0.0)
    status = flow.state.sync_status
    assert status is not None and status.configured
    assert (status.pending, status.oldest_pending_age_s) == (2, 180.0)
    assert flow.state.queue_status is not None
    counter.call_next("B01")
    flow.refresh_queue_status(20.0)
    assert flow.state.sync_status is not None and flow.state.sync_status.pending == 3


def test_a_standalone_kiosk_says_nothing_about_sync_on_home(engine, config, clock, service,
                                                             counter):
    """Given no hall server ([sync] url = ""), when home reads its numbers, then the sync state
    stays empty (the technician sees it with `kiosk sync status`, citizens never do)."""
    flow = home_flow(engine, config, clock, counter, url="")
    service.issue_ticket("company-change")
    flow.refresh_queue_status(0.0)
    assert flow.state.queue_status is not None and flow.state.sync_status is None
