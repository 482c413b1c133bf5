"""Ticket numbers: per prefix, reset at local midnight, gap-free and unique under concurrency,
and a ticket's outbox row is committed with it or not at all."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from kiosk.clock import ManualClock
from kiosk.queue import DailyCapacityReached, PersonalLimitReached, ServiceClosed
from kiosk.queue.bench import count_numbers
from kiosk.queue.errors import QueueRefusal
from kiosk.queue.tickets import IssuedTicket
from kiosk.storage import OutboxMessage, Ticket, make_engine
from tests.core.conftest import SHANGHAI, make_card


def test_numbers_count_up_per_category_prefix(service):
    got = [service.issue_ticket(i).number for i in
           ("unemployment-registration", "company-change", "employment-registration",
            "property-transfer", "unemployment-registration")]
    assert got == ["A001", "B001", "A002", "C001", "A003"]


def test_numbers_reset_at_local_midnight_not_utc(engine, make_service, catalogue):
    """Given a 24-hour catalogue and the clock at 23:59:59 Shanghai, when the clock passes local
    midnight (16:00 UTC), then numbering restarts at A001 on the new local service date."""
    clock = ManualClock(datetime(2026, 1, 5, 23, 59, 58, tzinfo=SHANGHAI))
    service = make_service(engine, cat=catalogue.without_limits(), clk=clock)
    assert service.issue_ticket("unemployment-registration").number == "A001"
    clock.advance(timedelta(seconds=1))
    late = service.issue_ticket("unemployment-registration")
    assert (late.number, late.service_date) == ("A002", date(2026, 1, 5))
    clock.advance(timedelta(seconds=1))  # 00:00:00 local = 16:00:00 UTC on the 5th
    assert clock.now().astimezone(UTC).date() == date(2026, 1, 5)
    first = service.issue_ticket("unemployment-registration")
    assert (first.number, first.service_date) == ("A001", date(2026, 1, 6))
    assert first.issued_at.tzinfo is SHANGHAI and first.issued_at.hour == 0


def test_early_morning_local_uses_local_date(engine, make_service, catalogue):
    """Given 07:30 Shanghai on 6 January (still the 5th in UTC), the ticket is dated the 6th."""
    clock = ManualClock(datetime(2026, 1, 5, 23, 30, tzinfo=UTC))
    service = make_service(engine, cat=catalogue.without_limits(), clk=clock)
    assert service.issue_ticket("unemployment-registration").service_date == date(2026, 1, 6)


def test_a_refusal_does_not_use_up_a_number(service, clock):
    service.issue_ticket("unemployment-registration")
    clock.set(datetime(2026, 1, 5, 12, 30, tzinfo=SHANGHAI))
    with pytest.raises(ServiceClosed):
        service.issue_ticket("unemployment-registration")
    clock.set(datetime(2026, 1, 5, 13, 30, tzinfo=SHANGHAI))
    assert service.issue_ticket("unemployment-registration").number == "A002"


def test_outbox_row_is_in_the_same_transaction(service, engine, monkeypatch):
    """Given a failure after the ticket row is inserted but before commit, then neither the
    ticket nor its outbox row nor its number exist; a normal issue writes both together."""
    def broken(ticket):
        raise RuntimeError("platform payload failed")

    monkeypatch.setattr(service, "issued_payload", broken)
    with pytest.raises(RuntimeError):
        service.issue_ticket("unemployment-registration")
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Ticket)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(OutboxMessage)).scalar() == 0
    monkeypatch.undo()
    ticket = service.issue_ticket("unemployment-registration")
    assert ticket.number == "A001"
    with engine.connect() as conn:
        row = conn.execute(select(OutboxMessage)).one()
    assert row.idempotency_key == f"QZ01:ticket:{ticket.uuid}:issued"
    assert row.kind == "ticket.issued" and row.payload["number"] == "A001"
    assert row.sent_at is None and row.attempts == 0


def issue_concurrently(url: str, make_service, catalogue, threads: int, each: int) -> list[str]:
    numbers: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def kiosk(n: int) -> None:
        engine = make_engine(url)  # each kiosk its own engine and connections
        service = make_service(engine, kiosk_id=f"K{n:02d}", cat=catalogue.without_limits())
        start.wait()
        try:
            for _ in range(each):
                t = service.issue_ticket("unemployment-registration")
                with lock:
                    numbers.append(t.number)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    workers = [threading.Thread(target=kiosk, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    return numbers


def test_sqlite_concurrent_issue_is_unique_and_gap_free(sqlite_url, engine, make_service,
                                                        catalogue):
    numbers = issue_concurrently(sqlite_url, make_service, catalogue, 4, 25)
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 101)]
    assert count_numbers(sqlite_url, "QZ01") == (100, 0, 0)


@pytest.mark.postgres
def test_postgresql_concurrent_issue_is_unique_and_gap_free(pg_url, pg_engine, make_service,
                                                            catalogue):
    """Given 4 kiosks with separate connections to one PostgreSQL, when each issues 50 tickets at
    once, then the 200 numbers are A001..A200 exactly once each."""
    numbers = issue_concurrently(pg_url, make_service, catalogue, 4, 50)
    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 201)]
    assert count_numbers(pg_url, "QZ01") == (200, 0, 0)


@pytest.mark.postgres
@pytest.mark.slow
def test_postgresql_bench_processes(pg_url, pg_engine):
    """Given 3 kiosk processes (the bench), when they issue 150 tickets, then none is duplicated
    or skipped and the bench line has the promised shape."""
    from kiosk.queue.bench import run_bench

    result = run_bench(pg_url, 3, 150)
    assert (result.tickets, result.duplicates, result.gaps, result.errors) == (150, 0, 0, ())
    assert result.line().startswith("tickets=150 duplicates=0 gaps=0 rate=")


def attempt_concurrently(url: str, make_service, cat, threads: int, each: int,
                         issue) -> tuple[list[IssuedTicket], list[QueueRefusal]]:
    """``threads`` kiosks (own engine each) call ``issue(service)`` ``each`` times, released
    together; returns the tickets and the refusals. Any other exception fails the test."""
    tickets: list[IssuedTicket] = []
    refusals: list[QueueRefusal] = []
    lock = threading.Lock()
    start = threading.Barrier(threads)
    errors: list[BaseException] = []

    def kiosk(n: int) -> None:
        engine = make_engine(url)
        service = make_service(engine, kiosk_id=f"K{n:02d}", cat=cat)
        start.wait()
        try:
            for _ in range(each):
                try:
                    ticket = issue(service)
                except QueueRefusal as refusal:
                    with lock:
                        refusals.append(refusal)
                else:
                    with lock:
                        tickets.append(ticket)
        except BaseException as exc:
            errors.append(exc)
        finally:
            engine.dispose()

    workers = [threading.Thread(target=kiosk, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert not errors, errors
    return tickets, refusals


@pytest.mark.postgres
def test_postgresql_daily_capacity_is_exact_under_concurrency(pg_url, pg_engine, make_service,
                                                              catalogue):
    """Given an item with a daily capacity of 10 and 4 kiosks on one PostgreSQL, when they try
    20 tickets of it at once, then exactly 10 are issued, numbered C001..C010 with no gap, and the
    other 10 are refused for capacity."""
    item = dataclasses.replace(catalogue.item("pharmacy-licence"), daily_capacity=10)
    small = dataclasses.replace(catalogue.without_limits(), items=tuple(
        item if i.id == item.id else i for i in catalogue.without_limits().items))
    tickets, refusals = attempt_concurrently(pg_url, make_service, small, 4, 5,
                                             lambda s: s.issue_ticket("pharmacy-licence"))
    prefix = catalogue.category(item.category).prefix
    assert sorted(t.number for t in tickets) == [f"{prefix}{n:03d}" for n in range(1, 11)]
    assert len(refusals) == 10 and all(isinstance(r, DailyCapacityReached) for r in refusals)
    assert count_numbers(pg_url, "QZ01") == (10, 0, 0)


@pytest.mark.postgres
def test_postgresql_personal_limit_is_exact_under_concurrency(pg_url, pg_engine, make_service,
                                                              catalogue):
    """Given 失业登记 allows one ticket per person per day, when the same card is tapped on 4
    kiosks at the same moment (3 times each), then exactly one ticket is issued and the 11 other
    taps are refused; a number is never used up by a refusal."""
    card = make_card()
    tickets, refusals = attempt_concurrently(
        pg_url, make_service, catalogue, 4, 3,
        lambda s: s.issue_ticket("unemployment-registration", card=card))
    assert [t.number for t in tickets] == ["A001"]
    assert len(refusals) == 11 and all(isinstance(r, PersonalLimitReached) for r in refusals)
    assert count_numbers(pg_url, "QZ01") == (1, 0, 0)


@pytest.mark.postgres
def test_postgresql_people_ahead_counts_tickets_issued_meanwhile(pg_url, pg_engine, make_service,
                                                                 catalogue):
    """Given nobody is called, when 4 kiosks issue 25 tickets each at once, then every ticket
    says exactly everyone before it is ahead (A017 has 16 ahead), although the queue was read
    before the number was taken."""
    tickets, _ = attempt_concurrently(
        pg_url, make_service, catalogue.without_limits(), 4, 25,
        lambda s: s.issue_ticket("unemployment-registration"))
    wrong = [(t.number, t.people_ahead) for t in tickets
             if t.people_ahead != int(t.number[1:]) - 1]
    assert len(tickets) == 100 and wrong == []


@pytest.mark.postgres
def test_postgresql_ticket_is_flushed_to_disk_before_it_is_returned(pg_url, pg_engine,
                                                                    make_service, catalogue):
    """Given a kiosk on PostgreSQL, when a ticket is issued, then its transaction commits without
    waiting for the disk (so the prefix's lock is not held across the flush) and, after that
    commit and before the ticket is returned, a transaction with an id of its own commits
    synchronously — its flush covers our commit record."""
    engine = make_engine(pg_url)
    seen: list[str] = []
    event.listen(engine, "before_cursor_execute",
                 lambda _c, _cur, statement, params, *_a: seen.append(
                     " ".join(statement.split()) + f" {sorted(map(str, (params or {}).values()))}"))
    event.listen(engine, "commit", lambda _conn: seen.append("COMMIT"))
    try:
        service = make_service(engine, cat=catalogue.without_limits())
        service.issue_ticket("unemployment-registration")
    finally:
        engine.dispose()
    start = next(i for i, s in enumerate(seen) if "set_config(" in s)
    assert "'synchronous_commit'" in seen[start] and "'off'" in seen[start]
    commit = seen.index("COMMIT", start)
    assert any(s.startswith("WITH seq AS") for s in seen[start:commit])  # number + ticket
    assert seen[commit + 1:] == ["SELECT pg_current_xact_id() []"]
