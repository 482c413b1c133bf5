"""The counter side: priority first then number order, recall, skip, done, status, audit, and
two windows on PostgreSQL never calling the same citizen."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from kiosk.queue import NoCurrentTicket, NoTicketWaiting, UnknownWindow
from kiosk.storage import AuditEntry, OutboxMessage, make_engine
from tests.core.conftest import make_card


def test_call_next_takes_priority_first_then_number_order(service, counter):
    for _ in range(2):
        service.issue_ticket("unemployment-registration")  # A001, A002
    service.issue_ticket("employment-registration", declared_group="disabled")  # A003
    service.issue_ticket("unemployment-registration")  # A004
    old = make_card(birth=make_card().birth_date.replace(year=1950))
    service.issue_ticket("employment-certificate", card=old)  # A005, elderly
    order = [counter.call_next(w).number for w in ("A01", "A02", "A03", "A04")]
    assert order == ["A003", "A005", "A001", "A002"]
    assert counter.call_next("A01").number == "A004"  # A003 at A01 is finished by this call
    with pytest.raises(NoTicketWaiting):
        counter.call_next("A01")


def test_window_calls_only_items_it_serves(service, counter):
    """Given a 土地出让金 ticket (bank window C03 only), a comprehensive window C01 does not
    call it, and C03 does."""
    service.issue_ticket("land-premium-payment")
    with pytest.raises(NoTicketWaiting):
        counter.call_next("C01")
    assert counter.call_next("C03").number == "C001"


def test_recall_skip_done_and_audit(service, clock, engine, counter):
    service.issue_ticket("company-change")
    service.issue_ticket("company-change")
    clock.advance(timedelta(minutes=6))
    called = counter.call_next("B02")
    assert (called.number, called.status, called.waited_minutes) == ("B001", "called", 6.0)
    assert counter.recall("B02").recalls == 1
    assert counter.recall("B02").recalls == 2
    skipped = counter.skip("B02")
    assert (skipped.number, skipped.status) == ("B001", "skipped")
    with pytest.raises(NoCurrentTicket):
        counter.done("B02")
    counter.call_next("B02")
    assert counter.done("B02").status == "done"
    with pytest.raises(UnknownWindow):
        counter.call_next("Z99")
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(AuditEntry).order_by(AuditEntry.id))]
        kinds = [r.kind for r in conn.execute(select(OutboxMessage).order_by(OutboxMessage.id))]
    assert actions == ["queue.called", "queue.recalled", "queue.recalled", "queue.skipped",
                       "queue.called", "queue.done"]
    assert kinds == ["ticket.issued", "ticket.issued", "ticket.called", "ticket.skipped",
                     "ticket.called", "ticket.done"]


def test_status_counts_and_average_wait(service, clock, counter):
    for _ in range(3):
        service.issue_ticket("unemployment-registration")
    service.issue_ticket("unemployment-registration", declared_group="pregnant")
    service.issue_ticket("property-transfer")
    clock.advance(timedelta(minutes=10))
    counter.call_next("A01")
    clock.advance(timedelta(minutes=10))
    counter.call_next("A02")
    status = counter.status()
    social = status.categories[0]
    assert (social.waiting, social.priority_waiting, social.called) == (2, 0, 2)
    assert social.average_wait_minutes == 15.0  # waited 10 and 20 minutes
    assert social.last_called == "A001"
    construction = status.categories[2]
    assert (construction.waiting, construction.average_wait_minutes) == (1, None)
    assert status.to_json()["categories"][0]["waiting"] == 2


@pytest.mark.postgres
def test_two_windows_never_call_the_same_ticket_on_postgresql(pg_url, pg_engine, make_service,
                                                              make_counter):
    """Given 40 waiting tickets and 4 windows with their own connections pressing "next" at once,
    then each ticket is called exactly once."""
    issuer = make_service(pg_engine)
    for _ in range(40):
        issuer.issue_ticket("unemployment-registration")
    called: list[str] = []
    lock, start = threading.Lock(), threading.Barrier(4)

    def window(w: str) -> None:
        engine = make_engine(pg_url)
        desk = make_counter(engine)
        start.wait()
        while True:
            try:
                number = desk.call_next(w).number
            except NoTicketWaiting:
                break
            with lock:
                called.append(number)
        engine.dispose()

    threads = [threading.Thread(target=window, args=(w,)) for w in ("A01", "A02", "A03", "A04")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(called) == [f"A{n:03d}" for n in range(1, 41)]
