"""SyncWorker against a contract hall server on loopback: delivery once and in order, parking,
retries after 500s / timeouts / an outage, the token refused, images, heartbeats."""

from __future__ import annotations

import threading
from datetime import timedelta

from kiosk.alerts import open_alerts
from kiosk.clock import ManualClock, SystemClock
from kiosk.config import load_config
from kiosk.sync.worker import SYNC_PARKED, SYNC_UNAUTHORIZED, SyncWorker
from tests.sync.conftest import SHANGHAI, counter_for
from tests.sync.fake_hall import TOKEN, Fault
from tests.sync.records import add_case, add_message, add_rating, keys, outbox_counts

ITEM = "unemployment-registration"


def issue_and_serve(queue, n: int) -> list[str]:
    """n tickets issued, the first two called and finished at window A01: 2×3 + (n−2) rows."""
    ids = [queue.issue_ticket(ITEM).uuid for _ in range(n)]
    counter_for(queue).call_next("A01")
    counter_for(queue).call_next("A01")  # finishes the first (done), calls the second
    counter_for(queue).done("A01")
    return ids


def test_every_record_arrives_once_and_each_ticket_in_order(queue, engine, hall, make_worker):
    """Given tickets issued, called and done (outbox rows written by the real queue service) and
    a server that answers ticket.issued slowly, when the outbox is drained with parallel sends,
    then every key is stored exactly once and each ticket's events arrive issued → called →
    done (a sender ignoring per-record order would land `called` before the slow `issued`)."""
    ids = issue_and_serve(queue, 6)
    hall.add_fault(Fault(match=lambda _p, b: bool(b) and b.get("kind") == "ticket.issued",
                         delay=0.15, times=-1))
    worker = make_worker()
    assert worker.drain(30)
    stored = hall.keys_stored()
    assert sorted(stored) == sorted(keys(engine)) and set(stored.values()) == {1}
    assert hall.order_of(ids[0]) == ["ticket.issued", "ticket.called", "ticket.done"]
    assert hall.order_of(ids[1]) == ["ticket.issued", "ticket.called", "ticket.done"]
    assert outbox_counts(engine) == {"total": 10, "sent": 10, "parked": 0}
    status = worker.status()
    assert (status.pending, status.parked, status.oldest_pending_age_s) == (0, 0, None)
    assert status.last_sync is not None


def test_a_refused_message_is_parked_with_an_alert_and_the_rest_flow(engine, hall, make_worker):
    """Given five ratings and a server refusing one of them for good (422), when drained, then
    that one is parked (not sent, reason kept, alert open) and the four others are stored."""
    rating_ids = [add_rating(engine) for _ in range(5)]
    bad = rating_ids[2]
    hall.add_fault(Fault(match=lambda _p, b: bool(b) and b.get("rating_id") == bad,
                         status=422, times=-1))
    worker = make_worker()
    assert worker.drain(30)
    assert outbox_counts(engine) == {"total": 5, "sent": 4, "parked": 1}
    assert len(hall.keys_stored()) == 4 and not any(bad in k for k in hall.keys_stored())
    status = worker.status()
    assert (status.pending, status.parked) == (0, 1)
    assert [a.kind for a in open_alerts(engine, "K01")] == [SYNC_PARKED]
    from kiosk.sync.outbox import Outbox
    (parked,) = Outbox(engine).parked()
    assert parked["kind"] == "rating.created" and parked["error"].startswith("HTTP 422")


def test_500s_are_retried_until_the_server_takes_them(engine, hall, make_worker):
    """Given a server answering 500 to the first six requests, when drained, then everything
    arrives once, after more requests than records, and nothing is parked."""
    for _ in range(4):
        add_rating(engine)
    hall.add_fault(Fault(status=500, times=6))
    worker = make_worker()
    assert worker.drain(30)
    assert len(hall.keys_stored()) == 4 and set(hall.keys_stored().values()) == {1}
    assert sum(hall.arrivals().values()) == 4 + 6
    assert outbox_counts(engine)["parked"] == 0


def test_an_answer_lost_to_a_timeout_is_sent_again_and_replayed(engine, hall, make_worker):
    """Given a server that stores a record but answers after the kiosk's timeout, when drained,
    then the record is sent again, the server replays its first answer, it is stored once, and
    the kiosk keeps that answer."""
    add_rating(engine)
    hall.add_fault(Fault(answer_delay=1.5, times=1))
    worker = make_worker(request_timeout_seconds=0.5)
    assert worker.drain(30)
    assert hall.replays >= 1 and set(hall.keys_stored().values()) == {1}
    from sqlalchemy import select

    from kiosk.storage.models import OutboxMessage
    with engine.connect() as conn:
        response = conn.execute(select(OutboxMessage.response)).scalar_one()
    assert response and "rating_id" in response


def test_slow_answers_within_the_timeout_are_fine(engine, hall, make_worker):
    """Given a server taking 0.3 s per request, when drained, then all arrive with no retry."""
    for _ in range(6):
        add_rating(engine)
    hall.add_fault(Fault(delay=0.3, times=-1))
    assert make_worker().drain(30)
    assert sum(hall.arrivals().values()) == 6 and hall.replays == 0


def test_server_down_for_a_whole_flow_then_back(queue, engine, hall, server, make_worker):
    """Given the hall server down while tickets are issued and served, when the running worker
    sees it come back on the same address, then everything arrives exactly once."""
    server.stop()
    worker = make_worker()
    assert worker.run_once() == 0
    issue_and_serve(queue, 5)
    worker.start()
    assert hall.wait_for(lambda: worker.status().last_error is not None, 10)
    assert "cannot reach" in (worker.status().last_error or "")
    assert worker.status().pending == 9
    server.start()
    assert hall.wait_for(lambda: worker.status().pending == 0, 30)
    stored = hall.keys_stored()
    assert sorted(stored) == sorted(keys(engine)) and set(stored.values()) == {1}


def test_a_refused_token_pauses_and_alerts_without_parking(engine, hall, make_worker):
    """Given the server does not know the kiosk's token (401), when a pass runs, then nothing is
    sent or parked and an alert says so; once the token is accepted the records flow and the
    alert is cleared."""
    add_rating(engine)
    hall.tokens = {"another-token": "K01"}
    worker = make_worker()
    assert worker.run_once() == 0
    assert outbox_counts(engine) == {"total": 1, "sent": 0, "parked": 0}
    assert [a.kind for a in open_alerts(engine, "K01")] == [SYNC_UNAUTHORIZED]
    assert "401" in (worker.status().last_error or "")
    hall.tokens = {TOKEN: "K01"}
    assert worker.drain(30)
    assert outbox_counts(engine)["sent"] == 1 and open_alerts(engine, "K01") == []


def test_unknown_kind_and_missing_image_are_parked(engine, hall, make_worker, tmp_path):
    """Given a message of a kind with no route and a case whose page file is gone, when drained,
    then both are parked without a request, and a good message still arrives."""
    add_message(engine, "QZ01:mystery:1", "mystery.happened", {"x": 1})
    _case, files = add_case(engine, tmp_path / "cases", pages=1)
    files[0].unlink()
    add_rating(engine)
    worker = make_worker()
    assert worker.drain(30)
    assert outbox_counts(engine) == {"total": 3, "sent": 1, "parked": 2}
    assert sum(hall.arrivals().values()) == 1
    errors = sorted(p["error"] for p in __import__("kiosk.sync.outbox").sync.outbox
                    .Outbox(engine).parked())
    assert errors[0].startswith("not sendable: material page 'p1.png' cannot be read")
    assert "no route for outbox kind 'mystery.happened'" in errors[1]


def test_images_are_deleted_only_after_confirmed_delivery(engine, hall, make_worker, tmp_path):
    """Given three cases with page images — one the server takes, one it refuses (422), one it
    keeps answering 500 — when drained for a while, then only the delivered case's files are
    gone; the server got the pages byte for byte (sha256 checked) and no local path."""
    ok_case, ok_files = add_case(engine, tmp_path / "cases")
    bad_case, bad_files = add_case(engine, tmp_path / "cases")
    slow_case, slow_files = add_case(engine, tmp_path / "cases")
    hall.add_fault(Fault(match=lambda _p, b: bool(b) and b.get("case_id") == bad_case,
                         status=422, times=-1))
    hall.add_fault(Fault(match=lambda _p, b: bool(b) and b.get("case_id") == slow_case,
                         status=500, times=-1))
    worker = make_worker()
    assert not worker.drain(1.5)  # the 500 case stays pending
    assert not any(f.exists() for f in ok_files)
    assert all(f.exists() for f in bad_files + slow_files)
    ((key, files),) = hall.files.items()
    assert ok_case in key and [name for name, _h, _n in files] == ["p1.png", "p2.png"]


def test_images_are_kept_for_the_retention_period(engine, hall, site, tmp_path):
    """Given image_retention_days = 1, when a case is delivered, then its images stay; a day
    later the sweep deletes them."""
    _case, files = add_case(engine, tmp_path / "cases")
    clock = ManualClock(SystemClock(SHANGHAI).now())
    worker = SyncWorker(engine, load_config(site(image_retention_days=1.0)), clock)
    try:
        assert worker.drain(30)
        assert worker.sweep_images() == 0 and all(f.exists() for f in files)
        clock.advance(timedelta(days=1, seconds=1))
        assert worker.sweep_images() == 2 and not any(f.exists() for f in files)
    finally:
        worker.stop()


def test_heartbeat_carries_devices_paper_outbox_and_alerts(engine, hall, make_worker):
    """Given a pending record, an open alert and a health callback, when the heartbeat is sent,
    then the server gets the kiosk's id, version, device states, paper, outbox depth, alerts."""
    add_message(engine, "QZ01:mystery:1", "mystery.happened", {})
    worker = make_worker()
    worker._health = lambda: {"devices": {"printer": {"state": "degraded", "reason": "near end"}},
                              "paper": "near_end"}
    from kiosk.alerts import AlertNote, raise_alert
    raise_alert(engine, "K01", AlertNote("printer.paper_out", "printer: paper out", "缺纸"),
                SystemClock(SHANGHAI).now())
    assert worker.send_heartbeat()
    (beat,) = hall.heartbeats
    assert beat["kiosk_id"] == "K01" and beat["version"]
    assert beat["devices"] == {"printer": {"state": "degraded", "reason": "near end"}}
    assert beat["paper"] == "near_end"
    assert beat["outbox"]["pending"] == 1 and beat["outbox"]["oldest_pending_age_s"] > 0
    assert [a["kind"] for a in beat["alerts"]] == ["printer.paper_out"]
    assert worker.last_heartbeat is not None


def test_the_running_worker_posts_heartbeats_every_period(engine, hall, make_worker):
    """Given heartbeat_seconds = 1, when the worker runs, then heartbeats keep coming."""
    worker = make_worker(heartbeat_seconds=1.0)
    worker.start()
    assert hall.wait_for(lambda: len(hall.heartbeats) >= 2, 10)


def test_standalone_kiosk_runs_no_sender(engine, hall, make_worker):
    """Given [sync] url = "", when started, then no thread runs, nothing is sent, and the
    status says unconfigured while still counting the waiting records."""
    add_rating(engine)
    worker = make_worker(url="")
    worker.start()
    assert worker._thread is None and worker.run_once() == 0 and not worker.drain(0.1)
    status = worker.status()
    assert not status.configured and status.pending == 1
    assert hall.arrivals() == {}


def test_two_senders_on_one_database_never_post_the_same_record(engine, hall, make_worker):
    """Given 60 records and two senders (own claims each) draining at the same time, then every
    key reaches the server exactly once: no request was ever repeated."""
    for _ in range(60):
        add_rating(engine)
    hall.add_fault(Fault(delay=0.01, times=-1))
    a, b = make_worker(), make_worker()
    results: list[bool] = []
    threads = [threading.Thread(target=lambda w=w: results.append(w.drain(60))) for w in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert results == [True, True]
    assert len(hall.arrivals()) == 60 and set(hall.arrivals().values()) == {1}


def test_an_unexpected_error_while_sending_is_retried_not_fatal(engine, hall, make_worker,
                                                                 monkeypatch):
    """Given the HTTP client blowing up once (a bug, a disk fault mid-upload), when drained,
    then that message is retried with the reason kept, and everything arrives once."""
    from kiosk.sync.client import HallClient

    add_rating(engine)
    add_rating(engine)
    real_send = HallClient.send
    calls = {"n": 0}

    def flaky(self, request):
        calls["n"] += 1
        if calls["n"] == 1:
            request.close()
            raise RuntimeError("disk read failed")
        return real_send(self, request)

    monkeypatch.setattr(HallClient, "send", flaky)
    worker = make_worker()
    assert worker.drain(30)
    assert len(hall.keys_stored()) == 2 and set(hall.keys_stored().values()) == {1}
    assert calls["n"] == 3


def test_device_health_reports_the_watchdogs_view_and_paper_out_from_the_alert(
        engine, hall, make_worker, tmp_path):
    """Given a device manager with a simulated printer (unplugged) and scanner, and an open
    paper-out alert, when a heartbeat goes out with device_health(manager), then each device's
    state and reason are the watchdog's, and paper is 'offline' (the printer is offline)."""
    from drivers.base import Fault as DeviceFault
    from drivers.printer.simulated import SimulatedPrinter
    from drivers.scanner.simulated import SimulatedScanner
    from kiosk.alerts import AlertNote, raise_alert
    from kiosk.devices import DeviceManager
    from kiosk.events import EventBus, call_now
    from kiosk.sync.heartbeat import device_health

    printer = SimulatedPrinter(tmp_path / "printouts")
    manager = DeviceManager({"printer": printer, "scanner": SimulatedScanner()},
                            EventBus(call_now), poll_s=0.02, health_s=0.05)
    manager.start()
    try:
        assert hall.wait_for(lambda: manager.health("scanner").state.value == "ok", 10)
        printer.inject(DeviceFault.UNPLUGGED)
        assert hall.wait_for(lambda: manager.health("printer").state.value == "offline", 10)
        worker = make_worker()
        worker._health = device_health(manager)
        assert worker.send_heartbeat()
        raise_alert(engine, "K01", AlertNote("printer.paper_out", "printer: paper out", "缺纸"),
                    SystemClock(SHANGHAI).now())
        worker._health = None
        assert worker.send_heartbeat()
    finally:
        manager.stop()
    first, second = hall.heartbeats
    assert first["devices"]["scanner"] == {"state": "ok", "reason": ""}
    assert first["devices"]["printer"]["state"] == "offline"
    assert first["devices"]["printer"]["reason"]
    assert first["paper"] == "offline"
    assert second["paper"] == "out" and second["devices"] == {}


def test_a_malformed_payload_is_parked_not_fatal(engine, hall, make_worker):
    """Given a case.created whose materials are not a list (a writer's bug), when drained, then
    it is parked with the reason and the next record still arrives."""
    add_message(engine, "QZ01:case:broken:created", "case.created",
                {"case_id": "broken", "materials": "p1.jpg"})
    add_rating(engine)
    worker = make_worker()
    assert worker.drain(30)
    assert outbox_counts(engine) == {"total": 2, "sent": 1, "parked": 1}
    from kiosk.sync.outbox import Outbox
    (parked,) = Outbox(engine).parked()
    assert parked["error"] == "not sendable: malformed case.created payload (AttributeError)"


def test_notify_wakes_an_idle_worker_before_its_interval(engine, hall, make_worker):
    """Given a running worker with a 60 s interval that found nothing to send, when a record
    is written and notify() called, then it is sent long before the interval is over."""
    worker = make_worker(interval_seconds=60.0)
    worker.start()
    assert hall.wait_for(lambda: worker.loop_turns >= 1, 10)  # found nothing: now it waits
    add_rating(engine)
    worker.notify()
    assert hall.wait_for(lambda: len(hall.keys_stored()) == 1, 20)


def test_a_409_after_an_earlier_attempt_is_parked_saying_it_may_be_stored(engine, hall,
                                                                          make_worker):
    """Given a record another kiosk's sender posted before dying (the server's inbox has the
    key under that kiosk), when this kiosk sends it, then the 409 parks it with a reason that
    says the hall may already have it."""
    add_rating(engine)
    hall.tokens["token-K09"] = "K09"
    import httpx

    from kiosk.sync.outbox import Outbox, Settlement
    from kiosk.sync.routes import build_request
    (msg,) = Outbox(engine, "h:9:x").claim([1], SystemClock(SHANGHAI).now(), timedelta(0))
    request = build_request(msg.kind, msg.payload, msg.created_at.isoformat(),
                            msg.idempotency_key)
    worker = make_worker()  # the server now: where K09 sent it, with K09's token
    assert httpx.post(worker.settings.base_url + "/api/v1" + request.path,
                      content=request.content,
                      headers={**request.headers, "Authorization": "Bearer token-K09"}
                      ).status_code == 201
    Outbox(engine, "h:9:x").settle(Settlement(failed=[(1, "killed")]), msg.created_at)
    assert worker.drain(30)
    (parked,) = Outbox(engine).parked()
    assert parked["error"].startswith("HTTP 409") and "possibly stored already" in parked["error"]
