"""The outbox as other parts rely on it: ``Outbox(hall).add(conn, key, kind, payload, at)`` in the
caller's transaction, and the counter writing through the outbox it is given."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from kiosk.outbox import Outbox
from kiosk.queue import CounterService
from kiosk.storage import OutboxMessage


def test_a_row_is_keyed_by_hall_and_shares_the_callers_transaction(engine) -> None:
    """Given an open transaction, when a row is added and the transaction fails, then nothing
    is stored; when it commits, the row has the hall-prefixed key and is due at once."""
    outbox = Outbox("QZ01")
    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError), engine.begin() as conn:
        outbox.add(conn, "case:1:received", "case.received", {"case": "1"}, at)
        raise RuntimeError("the caller's own write failed")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(OutboxMessage)).scalar() == 0
    with engine.begin() as conn:
        outbox.add(conn, "case:1:received", "case.received", {"case": "1"}, at)
    with engine.connect() as conn:
        row = conn.execute(select(OutboxMessage)).one()
    assert (row.idempotency_key, row.kind, row.payload) == (
        "QZ01:case:1:received", "case.received", {"case": "1"})
    assert (row.attempts, row.sent_at, row.next_attempt_at) == (0, None, row.created_at)


def test_the_counter_writes_through_the_outbox_it_is_given(engine, service, catalogue, config,
                                                          clock) -> None:
    counter = CounterService(engine, catalogue, config, clock, outbox=Outbox("HALL9"))
    ticket = service.issue_ticket("unemployment-registration")
    counter.call_next("A01")
    with engine.connect() as conn:
        keys = [r.idempotency_key for r in conn.execute(
            select(OutboxMessage).order_by(OutboxMessage.id))]
    assert keys == [f"QZ01:ticket:{ticket.uuid}:issued", f"HALL9:ticket:{ticket.uuid}:called"]


def test_the_old_alert_path_still_answers_for_callers_not_moved_yet(engine, clock) -> None:
    """Given the sync worker's calls (``kiosk.alerts`` functions with its own time), then they act
    on the same rows as ``kiosk.alerts.Alerts``."""
    from kiosk.alerts import AlertNote, Alerts, clear_alerts, open_alerts, raise_alert

    note = AlertNote("sync.parked", "sync: parked", "同步已搁置", "error")
    first = raise_alert(engine, "K01", note, clock.now())
    assert raise_alert(engine, "K01", note, clock.now()) == first
    assert [a.kind for a in Alerts(engine, "K01", clock).open()] == ["sync.parked"]
    assert [a.kind for a in open_alerts(engine)] == ["sync.parked"]
    assert clear_alerts(engine, "K01", ["sync.parked"], clock.now()) == 1
    assert Alerts(engine, "K01", clock).open() == []
