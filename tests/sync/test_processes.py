"""``kiosk sync`` as a technician runs it, in real processes: status, exit codes, parked records,
kill -9 before and after the server stored a record, and two senders on one PostgreSQL."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.catalogue import load_catalogue
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.queue import QueueService
from kiosk.storage import make_engine, migrate
from tests.sync.conftest import MONDAY_10, SECRET, counter_for, write_site
from tests.sync.fake_hall import Fault
from tests.sync.records import add_rating, keys, outbox_counts

ITEM = "unemployment-registration"
pytestmark = pytest.mark.slow  # real processes and servers: seconds per test


def kiosk(site: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(site), *args],
                          capture_output=True, text=True, timeout=timeout)


def start_sender(site: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config", str(site), "sync",
                             "run", "--until-empty", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def serve_tickets(queue: QueueService, n: int) -> None:
    for _ in range(n):
        queue.issue_ticket(ITEM)
    for _ in range(min(n, 3)):
        counter_for(queue).call_next("A01")


def test_status_json_is_the_contracts_document(engine, site):
    """Given two pending records, when `kiosk sync status --json` runs, then it prints exactly
    the contract's keys with the counts; unconfigured, it says configured: false."""
    add_rating(engine)
    add_rating(engine)
    done = kiosk(site(), "sync", "status", "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    assert set(status) == {"pending", "parked", "oldest_pending_age_s", "configured",
                           "last_sync"}
    assert (status["pending"], status["parked"], status["configured"]) == (2, 0, True)
    assert status["oldest_pending_age_s"] > 0 and status["last_sync"] is None
    alone = json.loads(kiosk(site(url=""), "sync", "status", "--json").stdout)
    assert alone["configured"] is False and alone["pending"] == 2
    text = kiosk(site(url=""), "sync", "status").stdout
    assert "standalone" in text and "pending 2" in text


def test_run_until_empty_exits_0_when_drained_and_1_with_the_count_when_time_runs_out(
        engine, hall, site, server):
    """Given three records, when the server answers, then exit 0 and all stored; given three
    more and a dead server, then exit 1 after --timeout with the count on stderr."""
    for _ in range(3):
        add_rating(engine)
    done = kiosk(site(), "sync", "run", "--until-empty", "--timeout", "30")
    assert done.returncode == 0 and "nothing pending" in done.stdout, done.stderr
    assert len(hall.keys_stored()) == 3
    for _ in range(3):
        add_rating(engine)
    server.stop()
    late = kiosk(site(), "sync", "run", "--until-empty", "--timeout", "1")
    assert late.returncode == 1
    assert "kiosk: 3 record(s) still pending after 1 s" in late.stderr
    assert "cannot reach" in late.stderr and "Traceback" not in late.stderr


@pytest.mark.parametrize(("args", "code", "words"), [
    (["run", "--until-empty"], 1, "no hall server configured"),
    (["run", "--until-empty", "--timeout", "soon"], 2, "expected a number of seconds"),
    (["run", "--timeout", "3"], 1, "--timeout goes with --until-empty"),
    (["unpark"], 1, "or --all"),
])
def test_refusals_are_one_line(engine, site, args, code, words):
    done = kiosk(site(url="") if "configured" in words else site(), "sync", *args)
    assert done.returncode == code and words in done.stderr
    assert "Traceback" not in done.stderr


def test_bad_sync_settings_name_the_key(engine, site, tmp_path):
    missing = tmp_path / "no-such-token"
    done = kiosk(site(token_file=str(missing)), "sync", "status")
    assert done.returncode == 3
    assert f"{missing}: sync.token_file: found a file that cannot be read" in done.stderr
    assert "Traceback" not in done.stderr
    bad = kiosk(site(url="hall-server:8000"), "sync", "status")
    assert bad.returncode == 3 and "sync.url" in bad.stderr


def test_parked_records_are_listed_and_can_be_sent_again(engine, hall, site):
    """Given a record the server refuses (422), when run, then `sync parked` lists it without
    its payload; after the server is fixed, `sync unpark --all` and a run deliver it."""
    rating = add_rating(engine)
    fault = hall.add_fault(Fault(status=422, times=-1))
    assert kiosk(site(), "sync", "run", "--until-empty", "--timeout", "30").returncode == 0
    listed = json.loads(kiosk(site(), "sync", "parked", "--json").stdout)
    assert [(p["kind"], p["error"]) for p in listed] == [("rating.created",
                                                           "HTTP 422: injected 422")]
    assert rating not in json.dumps(listed)
    fault.times = 0
    assert "1 record(s) queued again" in kiosk(site(), "sync", "unpark", "--all").stdout
    assert kiosk(site(), "sync", "run", "--until-empty", "--timeout", "30").returncode == 0
    assert outbox_counts(engine) == {"total": 1, "sent": 1, "parked": 0}


@pytest.mark.parametrize("hold", ["before", "after"])
def test_kill_9_mid_send_loses_nothing_and_doubles_nothing(queue, engine, hall, site, hold):
    """Given tickets issued and served, when `kiosk sync run` is killed -9 while its request is
    at the server — before the server stored it, or after it stored it but before the kiosk
    recorded the answer — and run again, then every record is stored exactly once (what was
    stored but not acknowledged comes back as a replay) and every outbox row is marked sent.
    The second run must not wait for the dead process's lease (its --timeout is shorter)."""
    serve_tickets(queue, 4)
    total = outbox_counts(engine)["total"]
    fault = hall.add_fault(Fault(hold=hold, times=1))
    sender = start_sender(site(), "--timeout", "60")
    try:
        assert fault.arrived.wait(30), "the sender's request never reached the server"
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(30)
    finally:
        if sender.poll() is None:
            sender.kill()
        fault.release.set()
    assert hall.wait_for(lambda: hall.in_flight == 0, 30)
    before = outbox_counts(engine)
    assert before["sent"] < total
    # parallel siblings of the held request may have been stored too, never acknowledged
    unacknowledged = sum(hall.keys_stored().values()) - before["sent"]
    assert unacknowledged >= (1 if hold == "after" else 0)
    again = kiosk(site(), "sync", "run", "--until-empty", "--timeout", "20")
    assert again.returncode == 0, again.stderr
    stored = hall.keys_stored()
    assert sorted(stored) == sorted(keys(engine)) and set(stored.values()) == {1}
    assert outbox_counts(engine) == {"total": total, "sent": total, "parked": 0}
    assert hall.replays == unacknowledged  # each one sent again and answered by a replay


def test_kill_9_at_random_moments_of_a_long_drain(engine, hall, site):
    """Given 80 records and a sender killed -9 four times after a random number of requests,
    when a last run finishes, then the server holds each record exactly once."""
    for _ in range(80):
        add_rating(engine)
    hall.add_fault(Fault(delay=0.005, times=-1))
    rng = random.Random(8)
    for _ in range(4):
        seen = sum(hall.arrivals().values())
        sender = start_sender(site(), "--timeout", "60")
        hall.wait_for(lambda s=seen: sum(hall.arrivals().values()) >= s + rng.randint(1, 12), 30)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait(30)
    assert kiosk(site(), "sync", "run", "--until-empty", "--timeout", "60").returncode == 0
    stored = hall.keys_stored()
    assert len(stored) == 80 and set(stored.values()) == {1}
    assert outbox_counts(engine) == {"total": 80, "sent": 80, "parked": 0}


@pytest.mark.postgres
def test_two_sender_processes_on_one_postgresql_never_post_a_record_twice(
        pg_url, hall, server, tmp_path):
    """Given 150 records in a hall's shared PostgreSQL outbox, when two `kiosk sync run`
    processes drain it at the same time, then both exit 0 and every record reached the server
    in exactly one request (claims with SKIP LOCKED: no duplicate post, no replay needed)."""
    engine = make_engine(pg_url)
    migrate(engine)
    queue = QueueService(engine, load_catalogue(), load_config(None), ManualClock(MONDAY_10),
                         "K01", secret=SECRET)
    serve_tickets(queue, 40)
    while outbox_counts(engine)["total"] < 150:
        add_rating(engine)
    hall.add_fault(Fault(delay=0.003, times=-1))
    site = write_site(tmp_path / "pg-site.toml", pg_url, server.url)
    senders = [start_sender(site, "--timeout", "120") for _ in range(2)]
    for sender in senders:
        _out, err = sender.communicate(timeout=150)
        assert sender.returncode == 0, err
    arrivals = hall.arrivals()
    assert len(arrivals) == 150 and set(arrivals.values()) == {1}
    assert outbox_counts(engine) == {"total": 150, "sent": 150, "parked": 0}
    # a finished ticket (the last one called is not done yet; the outbox's rows come back in
    # no particular order once the senders have updated them)
    ticket = next(k for k in keys(engine) if k.endswith(":done")).split(":")[2]
    assert hall.order_of(ticket) == ["ticket.issued", "ticket.called", "ticket.done"]
    engine.dispose()


def test_run_as_a_service_sends_heartbeats_and_new_records_and_stops_on_sigterm(
        engine, hall, site):
    """Given `kiosk sync run` running (no --until-empty), when records are written later, then
    they arrive, heartbeats keep coming, and SIGTERM ends it with exit 0."""
    sender = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "--config",
                               str(site(heartbeat_seconds=1.0)), "sync", "run"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert hall.wait_for(lambda: len(hall.heartbeats) >= 1, 30)
        add_rating(engine)
        add_rating(engine)
        assert hall.wait_for(lambda: len(hall.keys_stored()) == 2, 30)
        assert hall.wait_for(lambda: len(hall.heartbeats) >= 2, 30)
        assert hall.heartbeats[-1]["kiosk_id"] == "K01"
        sender.send_signal(signal.SIGTERM)
        _out, err = sender.communicate(timeout=30)
        assert sender.returncode == 0, err
    finally:
        if sender.poll() is None:
            sender.kill()
