"""Outages on screen: a frozen database or a full disk puts the kiosk out of service, and it
comes back by itself; personal data leaves the kiosk after its retention period."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from kiosk.clock import ManualClock
from kiosk.events import EventBus
from kiosk.health_watch import (
    REASON_DATABASE,
    REASON_DISK,
    DiskUsage,
    HealthWatch,
    ServiceHealthChanged,
)
from kiosk.mode import KioskMode, ModeKeeper
from kiosk.retention import purge_personal_data
from kiosk.storage import make_engine
from kiosk.storage.models import Appointment, OutboxMessage, Ticket

TZ = ZoneInfo("Asia/Shanghai")


class FreezableProxy:
    """A TCP proxy in front of PostgreSQL that can freeze: connections are accepted and every
    byte is held (a database host that accepts and never answers), then thawed."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.frozen = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        self._closing = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closing:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        if self.frozen.is_set():
            return  # hold the connection open and never answer (kept alive by the thread)
        upstream = socket.create_connection(self.target)
        for a, b in ((client, upstream), (upstream, client)):
            threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                while self.frozen.is_set() and not self._closing:
                    self.frozen.wait(0.05)  # held, as a frozen host would
                    if not self.frozen.is_set():
                        break
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.close()

    def close(self) -> None:
        self._closing = True
        self.listener.close()


class Devices:
    def kinds(self) -> list[str]:
        return []

    def is_usable(self, kind: str) -> bool:
        return True


@pytest.fixture
def mode() -> ModeKeeper:
    return ModeKeeper(None, Devices(), ManualClock(datetime(2026, 6, 1, 10, tzinfo=TZ)), TZ)


def plenty(_path: Path) -> DiskUsage:
    return DiskUsage(100 << 30, 10 << 30, 90 << 30)


@pytest.mark.postgres
@pytest.mark.timeout(120)
def test_a_frozen_database_puts_the_kiosk_out_of_service_until_it_answers(pg_url, mode,
                                                                          tmp_path):
    """Given the kiosk's PostgreSQL behind a host that freezes, when the watcher probes, then
    the kiosk is out of service with the database reason within the probe timeout (no hang);
    when the host thaws, the next probe puts it back in service by itself."""
    from sqlalchemy.engine import make_url

    real = make_url(pg_url)
    proxy = FreezableProxy((real.host or "127.0.0.1", real.port or 5432))
    engine = make_engine(real.set(host="127.0.0.1", port=proxy.port)
                         .render_as_string(hide_password=False))
    events: list[ServiceHealthChanged] = []
    bus = EventBus()
    bus.subscribe(ServiceHealthChanged, events.append)
    watch = HealthWatch(engine, tmp_path, mode, bus, interval_s=1, db_timeout_s=1.0,
                        min_free_bytes=0, disk_usage=plenty)
    try:
        assert watch.check_once().ok and mode.mode() is not KioskMode.OUT_OF_SERVICE
        engine.dispose()  # the pool's open connection would keep working through the proxy
        proxy.frozen.set()
        verdict = watch.check_once()
        assert not verdict.ok and verdict.reason == REASON_DATABASE
        assert "did not answer" in verdict.detail
        assert mode.mode() is KioskMode.OUT_OF_SERVICE
        proxy.frozen.clear()
        deadline = datetime.now() + timedelta(seconds=30)
        while not watch.check_once().ok:  # the held probe finishes once the host answers
            assert datetime.now() < deadline, "never came back in service"
        assert mode.mode() is not KioskMode.OUT_OF_SERVICE
        assert [e.ok for e in events] == [False, True]
    finally:
        proxy.frozen.clear()
        engine.dispose()
        proxy.close()


def test_low_disk_space_stops_new_work_before_the_disk_is_full(mode, engine, tmp_path):
    """Given free space under the data folder falling below health.min_free_mb, then the kiosk
    is out of service for the disk (before SQLite meets ENOSPC); space freed: back in service."""
    free = {"bytes": 50 << 20}
    watch = HealthWatch(engine, tmp_path, mode, EventBus(), interval_s=1, db_timeout_s=5,
                        min_free_bytes=200 << 20,
                        disk_usage=lambda p: DiskUsage(1 << 30, 0, free["bytes"]))
    verdict = watch.check_once()
    assert (verdict.ok, verdict.reason) == (False, REASON_DISK)
    assert "50 MiB free" in verdict.detail and mode.mode() is KioskMode.OUT_OF_SERVICE
    free["bytes"] = 5 << 30
    assert watch.check_once().ok and mode.mode() is not KioskMode.OUT_OF_SERVICE


def test_a_long_sqlite_write_is_not_taken_for_an_outage(mode, engine, tmp_path):
    """Given another connection holding SQLite's write lock (a ticket being committed), when
    the watcher probes, then the probe reads without waiting for the lock: still in service."""
    watch = HealthWatch(engine, tmp_path, mode, EventBus(), interval_s=1, db_timeout_s=0.5,
                        min_free_bytes=0, disk_usage=plenty)
    with engine.begin() as conn:  # BEGIN IMMEDIATE: the write lock is held until the end
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x INTEGER)")
        assert watch.check_once().ok
    assert mode.mode() is not KioskMode.OUT_OF_SERVICE


def test_the_watcher_thread_probes_on_its_own(mode, engine, tmp_path):
    """Given the watcher started, then a fault is seen without anyone calling it (off the UI
    thread), and stop() ends the thread."""
    seen = threading.Event()
    bus = EventBus()
    bus.subscribe(ServiceHealthChanged, lambda e: seen.set())
    watch = HealthWatch(engine, tmp_path, mode, bus, interval_s=0.05, db_timeout_s=5,
                        min_free_bytes=1 << 40, disk_usage=plenty)
    watch.start()
    try:
        assert seen.wait(10), "the watcher never reported the low disk"
    finally:
        watch.stop()
    assert mode.mode() is KioskMode.OUT_OF_SERVICE


def _ticket(conn, n: int, day: date) -> None:
    conn.execute(insert(Ticket).values(
        id=f"00000000-0000-0000-0000-{n:012d}", hall="QZ01", service_date=day, category="A",
        prefix="A", seq=n, number=f"A{n:03d}", item_id="x", person_hash="h" * 64,
        masked_name="张*", status="done", issued_at=datetime(2026, 1, 1, tzinfo=UTC),
        kiosk_id="K01"))


def test_personal_data_is_purged_after_its_retention(engine):
    """Given tickets and appointments 31 and 29 days old and delivered/pending outbox records,
    when purging with 30 days, then only the old rows lose their person hash and masked name,
    old delivered records go, and nothing pending or recent is touched."""
    from kiosk.storage import migrate

    migrate(engine)
    today = date(2026, 6, 1)
    now = datetime(2026, 6, 1, 2, tzinfo=UTC)
    with engine.begin() as conn:
        _ticket(conn, 1, today - timedelta(days=31))
        _ticket(conn, 2, today - timedelta(days=29))
        for code, days in (("OLD", 31), ("NEW", 29)):
            conn.execute(insert(Appointment).values(
                hall="QZ01", code=code, item_id="x", service_date=today - timedelta(days=days),
                slot_start=time(9), slot_end=time(10), person_hash="h" * 64, masked_name="李*",
                status="booked", imported_at=now))
        for key, sent in (("old-sent", now - timedelta(days=31)), ("new-sent", now),
                          ("old-pending", None)):
            conn.execute(insert(OutboxMessage).values(
                idempotency_key=key, kind="ticket.issued", payload={"masked_name": "张*"},
                created_at=now - timedelta(days=40), next_attempt_at=now, sent_at=sent))
    purged = purge_personal_data(engine, today=today, now=now, days=30)
    assert (purged.tickets, purged.appointments, purged.outbox) == (1, 1, 1)
    with engine.connect() as conn:
        tickets = dict(conn.execute(select(Ticket.number, Ticket.masked_name)).all())
        appointments = dict(conn.execute(select(Appointment.code, Appointment.person_hash)).all())
        keys = sorted(conn.execute(select(OutboxMessage.idempotency_key)).scalars())
    assert tickets == {"A001": None, "A002": "张*"}
    assert appointments == {"OLD": None, "NEW": "h" * 64}
    assert keys == ["new-sent", "old-pending"]


@pytest.fixture
def engine(tmp_path: Path) -> Iterator:
    e = make_engine(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    yield e
    e.dispose()
