"""End to end against the REAL hall server (``kiosk.hall.app.create_app`` under uvicorn on
loopback), sharing one database with the kiosk as a hall does: counts on both sides after a
flow, a refusal, an outage, a revoked token, kill -9 mid-send, and two senders on PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from kiosk.alerts import open_alerts
from kiosk.catalogue import load_catalogue
from kiosk.clock import ManualClock, SystemClock
from kiosk.config import load_config
from kiosk.queue import QueueService
from kiosk.storage import make_engine, migrate
from kiosk.storage.models import OutboxMessage
from kiosk.sync.outbox import Outbox
from kiosk.sync.worker import SYNC_UNAUTHORIZED, SyncWorker
from tests.sync.conftest import MONDAY_10, SECRET, SHANGHAI, counter_for, write_site
from tests.sync.fake_hall import Fault, ServerThread
from tests.sync.fault_gate import FaultGate
from tests.sync.records import add_case, add_message, add_rating, keys, outbox_counts

ITEM = "unemployment-registration"
pytestmark = pytest.mark.slow  # real processes and servers: seconds per test


def kiosk(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", *args], capture_output=True,
                          text=True, timeout=timeout)


@dataclass
class RealHall:
    db_url: str
    engine: Engine
    server: ServerThread
    gate: FaultGate
    token: str
    site: Path

    def stats(self) -> dict[str, int]:
        done = kiosk("hall", "stats", "--db", self.db_url, "--json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def ticket_kinds(self, ticket_id: str) -> list[str]:
        from kiosk.hall.models import TicketEvent
        with self.engine.connect() as conn:
            return list(conn.execute(select(TicketEvent.kind).where(
                TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id)).scalars())


def open_real_hall(db_url: str, work: Path) -> RealHall:
    from kiosk.hall.app import create_app
    from kiosk.hall.settings import HallSettings

    engine = make_engine(db_url)
    migrate(engine)
    added = kiosk("hall", "kiosk", "add", "K01", "--db", db_url)
    assert added.returncode == 0, added.stderr
    token = added.stdout.strip().splitlines()[-1]
    gate = FaultGate(create_app(HallSettings.load(db_url, files_dir=work / "hall-files")))
    server = ServerThread(gate).start()
    site = write_site(work / "site.toml", db_url, server.url, token)
    return RealHall(db_url, engine, server, gate, token, site)


@pytest.fixture
def real(tmp_path) -> Iterator[RealHall]:
    hall = open_real_hall(f"sqlite:///{tmp_path / 'hall.sqlite3'}", tmp_path)
    yield hall
    hall.gate.release_all()
    hall.server.stop()
    hall.engine.dispose()


def issue_flow(engine: Engine, n: int) -> list[str]:
    """n tickets; three calls at A01: tickets 1–2 done, ticket 3 called."""
    queue = QueueService(engine, load_catalogue(), load_config(None), ManualClock(MONDAY_10),
                         "K01", secret=SECRET)
    ids = [queue.issue_ticket(ITEM).uuid for _ in range(n)]
    for _ in range(3):
        counter_for(queue).call_next("A01")
    return ids


def worker_for(real: RealHall, **sync: object) -> SyncWorker:
    site = write_site(real.site.parent / "worker-site.toml", real.db_url, real.server.url,
                      real.token, **sync)
    return SyncWorker(real.engine, load_config(site), SystemClock(SHANGHAI))


def test_a_whole_flow_arrives_once_counted_on_both_sides(real, tmp_path):
    """Given 5 tickets (3 called, 2 done), 2 cases with page images, 3 ratings, a locker
    event and an alert in the outbox, when `kiosk sync run --until-empty` runs, then the hall
    counts exactly those records, each ticket's events in order, the cases' pages are stored
    and gone from the kiosk, and the kiosk kept each case's number."""
    ids = issue_flow(real.engine, 5)
    cases = [add_case(real.engine, tmp_path / "cases") for _ in range(2)]
    for level in (5, 4, 1):
        add_rating(real.engine, level=level)
    add_message(real.engine, "QZ01:locker:e1", "locker.deposited", {
        "event_id": "5b0e8a52-7f43-4c0e-9d7e-2f1f4b6a0c11", "hall": "QZ01", "kiosk": "K01",
        "compartment": 3, "case_id": None, "at": MONDAY_10.isoformat(), "door": "closed"})
    add_message(real.engine, "QZ01:alert:printer.paper_out:1", "alert.raised", {
        "kiosk": "K01", "kind": "printer.paper_out", "message": "printer: paper out"})
    done = kiosk("--config", str(real.site), "sync", "run", "--until-empty", "--timeout", "60")
    assert done.returncode == 0, done.stderr
    stats = real.stats()
    assert (stats["tickets"], stats["ticket_events"], stats["cases"], stats["ratings"],
            stats["locker_events"], stats["alerts"]) == (5, 10, 2, 3, 1, 1)
    assert stats["inbox"] == outbox_counts(real.engine)["total"] == 17
    assert stats["bad_ratings_open"] == 1
    assert real.ticket_kinds(ids[0]) == ["ticket.issued", "ticket.called", "ticket.done"]
    assert real.ticket_kinds(ids[2]) == ["ticket.issued", "ticket.called"]
    assert not any(f.exists() for _case, files in cases for f in files)
    with real.engine.connect() as conn:
        answers = list(conn.execute(select(OutboxMessage.response).where(
            OutboxMessage.kind == "case.created")).scalars())
    assert all(a["case_number"].startswith("SB") and a["receipt_token"] for a in answers)


def test_the_real_server_takes_a_heartbeat_even_with_many_long_alerts(real):
    """Given 150 open alerts with 800-character messages (past the heartbeat's bounds), when a
    heartbeat is sent, then the real server takes it (the kiosk trims to the contract)."""
    from kiosk.alerts import AlertNote, raise_alert

    for n in range(150):
        raise_alert(real.engine, "K01", AlertNote(f"test.alert{n}", "x" * 800, "告警"),
                    SystemClock(SHANGHAI).now())
    worker = worker_for(real)
    worker._health = lambda: {"devices": {"printer": {"state": "ok", "reason": "r" * 400}}}
    try:
        assert worker.send_heartbeat() and worker.server_time
    finally:
        worker.stop()


def test_every_route_is_in_the_servers_committed_openapi_document():
    """The kind → request table matches config/hall-openapi.json: each path is a POST there
    taking an Idempotency-Key, and the heartbeat is a POST too."""
    from config.loader import CONFIG_DIR
    from kiosk.sync.routes import route_for

    paths = json.loads((CONFIG_DIR / "hall-openapi.json").read_text("utf-8"))["paths"]
    for kind in ("ticket.issued", "ticket.called", "ticket.done", "ticket.skipped",
                 "case.created", "case.status_changed", "rating.created", "locker.opened",
                 "alert.raised", "alert.cleared"):
        post = paths["/api/v1" + route_for(kind).path]["post"]
        assert "Idempotency-Key" in [p["name"] for p in post.get("parameters", [])], kind
    assert "post" in paths["/api/v1/heartbeat"]


def test_a_record_the_server_refuses_is_parked_and_the_rest_flow(real):
    """Given a rating with level 9 (the server's validation refuses it: 422) among good ones,
    when drained, then it alone is parked and the hall has the others."""
    add_rating(real.engine)
    add_message(real.engine, "QZ01:rating:bad", "rating.created", {
        "rating_id": "3f1c2b9e-0000-4000-8000-000000000009", "hall": "QZ01", "kiosk": "K01",
        "target_kind": "ticket", "target_id": "t", "level": 9, "reasons": [],
        "dimensions": {}, "contact_wanted": False, "contact_phone_masked": None,
        "at": MONDAY_10.isoformat()})
    add_rating(real.engine)
    worker = worker_for(real)
    try:
        assert worker.drain(30)
    finally:
        worker.stop()
    assert outbox_counts(real.engine) == {"total": 3, "sent": 2, "parked": 1}
    assert real.stats()["ratings"] == 2
    (parked,) = Outbox(real.engine).parked()
    assert parked["error"].startswith("HTTP 422")


def test_server_down_for_a_whole_flow_then_back(real):
    """Given the hall server stopped while tickets are issued and served, when the running
    worker sees it come back on the same port, then the hall counts every record once."""
    real.server.stop()
    worker = worker_for(real)
    try:
        worker.start()
        ids = issue_flow(real.engine, 4)
        assert Outbox(real.engine).depth().pending == 4 + 3 + 2
        assert real.gate.arrivals == {}
        real.server.start()
        assert worker.drain(60)
    finally:
        worker.stop()
    stats = real.stats()
    assert (stats["tickets"], stats["ticket_events"], stats["inbox"]) == (4, 9, 9)
    assert real.ticket_kinds(ids[1]) == ["ticket.issued", "ticket.called", "ticket.done"]


def test_a_revoked_kiosk_is_paused_and_alerted_never_parked(real):
    """Given the kiosk's token revoked on the server, when a pass runs, then nothing is stored
    or parked, the records stay pending and the technician has an alert."""
    add_rating(real.engine)
    assert kiosk("hall", "kiosk", "revoke", "K01", "--db", real.db_url).returncode == 0
    worker = worker_for(real)
    try:
        assert not worker.drain(1.0)
    finally:
        worker.stop()
    assert outbox_counts(real.engine) == {"total": 1, "sent": 0, "parked": 0}
    assert real.stats()["ratings"] == 0
    assert SYNC_UNAUTHORIZED in [a.kind for a in open_alerts(real.engine, "K01")]


@pytest.mark.parametrize("hold", ["before", "after"])
def test_kill_9_mid_send_against_the_real_inbox(real, hold):
    """Given a flow in the outbox, when `kiosk sync run` is killed -9 while a request is held
    before the real server saw it / after it stored it, and run again, then the hall counts
    every record once, and what it had stored unacknowledged came back as a replay."""
    issue_flow(real.engine, 4)
    total = outbox_counts(real.engine)["total"]
    fault = real.gate.add_fault(Fault(hold=hold, times=1))
    sender = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(real.site),
                               "sync", "run", "--until-empty", "--timeout", "60"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert fault.arrived.wait(30)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(30)
    finally:
        if sender.poll() is None:
            sender.kill()
        fault.release.set()
    assert real.server and _settled(real)
    unacknowledged = real.stats()["inbox"] - outbox_counts(real.engine)["sent"]
    assert unacknowledged >= (1 if hold == "after" else 0)
    again = kiosk("--config", str(real.site), "sync", "run", "--until-empty", "--timeout", "20")
    assert again.returncode == 0, again.stderr
    stats = real.stats()
    assert (stats["tickets"], stats["ticket_events"], stats["inbox"]) == (4, total, total)
    assert outbox_counts(real.engine) == {"total": total, "sent": total, "parked": 0}
    assert real.gate.replays == unacknowledged


def _settled(real: RealHall) -> bool:
    import time
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if real.gate.in_flight == 0:
            return True
        time.sleep(0.01)
    return False


@pytest.mark.postgres
def test_two_senders_and_the_real_server_on_one_postgresql(pg_url, tmp_path):
    """Given a hall's PostgreSQL shared by the kiosks and the real hall server, with 120
    records in the outbox, when two `kiosk sync run` processes drain it at the same time, then
    both exit 0, every record reached the server in exactly one request and the hall counts
    each once."""
    real = open_real_hall(pg_url, tmp_path)
    try:
        issue_flow(real.engine, 30)
        while outbox_counts(real.engine)["total"] < 120:
            add_rating(real.engine)
        senders = [subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config",
                                     str(real.site), "sync", "run", "--until-empty",
                                     "--timeout", "120"], stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        for sender in senders:
            _out, err = sender.communicate(timeout=150)
            assert sender.returncode == 0, err
        assert len(real.gate.arrivals) == 120 and set(real.gate.arrivals.values()) == {1}
        stats = real.stats()
        assert (stats["tickets"], stats["ticket_events"], stats["ratings"], stats["inbox"]) == \
            (30, 35, 85, 120)
        assert sorted(real.gate.arrivals) == sorted(keys(real.engine))
    finally:
        real.gate.release_all()
        real.server.stop()
        real.engine.dispose()


@pytest.mark.postgres
def test_two_kiosks_share_an_outbox_and_each_sends_its_own_cases(pg_url, tmp_path):
    """Given a hall's PostgreSQL shared by kiosks K01 and K02 (own tokens) and the real
    server, with cases from both kiosks (images on each one's disk) among tickets and ratings,
    when both kiosks' senders drain at once, then the hall counts every record once and the
    server's inbox shows each case received from the kiosk that made it, never the other."""
    from kiosk.hall.models import InboxEntry

    real = open_real_hall(pg_url, tmp_path)
    try:
        added = kiosk("hall", "kiosk", "add", "K02", "--db", pg_url)
        token2 = added.stdout.strip().splitlines()[-1]
        sites = {"K01": real.site,
                 "K02": write_site(tmp_path / "k02.toml", pg_url, real.server.url, token2,
                                   kiosk_id="K02")}
        issue_flow(real.engine, 10)
        cases = {kid: [add_case(real.engine, tmp_path / kid, pages=1, kiosk=kid)[0]
                       for _ in range(6)] for kid in ("K01", "K02")}
        for _ in range(20):
            add_rating(real.engine)
        senders = [subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(site),
                                     "sync", "run", "--until-empty", "--timeout", "120"],
                                    stderr=subprocess.PIPE, text=True)
                   for site in sites.values()]
        for sender in senders:
            _out, err = sender.communicate(timeout=150)
            assert sender.returncode == 0, err
        stats = real.stats()
        assert (stats["tickets"], stats["cases"], stats["ratings"]) == (10, 12, 20)
        assert outbox_counts(real.engine)["parked"] == 0
        assert set(real.gate.arrivals.values()) == {1}
        with real.engine.connect() as conn:
            by_key = dict(conn.execute(select(InboxEntry.key, InboxEntry.kiosk_id)).all())
        for kid, ids in cases.items():
            assert all(by_key[f"QZ01:case:{c}:created"] == kid for c in ids)
        assert [p for kid in cases for p in (tmp_path / kid).rglob("*.png")] == []
    finally:
        real.gate.release_all()
        real.server.stop()
        real.engine.dispose()
