"""The kiosk API's exactly-once inbox, authentication and validation, over real HTTP on loopback,
on SQLite and PostgreSQL (``db_url`` is parametrized)."""

from __future__ import annotations

import uuid

from kiosk.hall.models import (
    InboxEntry,
    KioskAccount,
    KioskAlert,
    LockerEvent,
    Rating,
    TicketEvent,
)
from kiosk.hall.services.stats import hall_stats
from tests.hall.conftest import event, issued, rating


def key() -> str:
    return f"QZ01:test:{uuid.uuid4()}"


def test_replay_answers_the_first_answer_and_stores_nothing_new(hall):
    """Given a ticket event accepted once, when the same key and body come again, then the same
    status and body come back marked Idempotent-Replay, and there is still one row."""
    body, k = issued(), key()
    with hall.client() as c:
        first = c.post("/api/v1/tickets/events", json=body, headers={"Idempotency-Key": k})
        again = c.post("/api/v1/tickets/events", json=body, headers={"Idempotency-Key": k})
    assert first.status_code == 201 and "idempotent-replay" not in first.headers
    assert first.json() == {"ticket_id": body["payload"]["uuid"]}
    assert again.status_code == 201 and again.headers["idempotent-replay"] == "true"
    assert again.json() == first.json()
    assert hall.count(TicketEvent) == 1 and hall.count(InboxEntry) == 1


def test_replay_of_reserialised_json_is_still_a_replay(hall):
    """Given an accepted rating, when the same data arrives with other key order and spacing,
    then it is a replay (the hash is over the data, not the bytes)."""
    import json

    body, k = rating(5), key()
    with hall.client() as c:
        first = c.post("/api/v1/ratings", json=body, headers={"Idempotency-Key": k})
        text = json.dumps(dict(reversed(list(body.items()))), indent=3)
        again = c.post("/api/v1/ratings", content=text, headers={
            "Idempotency-Key": k, "Content-Type": "application/json"})
    assert first.status_code == 201 and again.status_code == 201
    assert again.headers["idempotent-replay"] == "true"
    assert hall.count(Rating) == 1


def test_same_key_with_a_different_body_is_409(hall):
    k = key()
    with hall.client() as c:
        assert c.post("/api/v1/tickets/events", json=issued(),
                      headers={"Idempotency-Key": k}).status_code == 201
        other = c.post("/api/v1/tickets/events", json=issued(),
                       headers={"Idempotency-Key": k})
    assert other.status_code == 409
    assert "different request" in other.json()["detail"]
    assert hall.count(TicketEvent) == 1


def test_same_key_from_another_kiosk_is_409_not_the_first_kiosks_answer(hall):
    body, k = issued(), key()
    with hall.client("K01") as c1, hall.client("K02") as c2:
        assert c1.post("/api/v1/tickets/events", json=body,
                       headers={"Idempotency-Key": k}).status_code == 201
        other = c2.post("/api/v1/tickets/events", json=body, headers={"Idempotency-Key": k})
    assert other.status_code == 409 and "ticket_id" not in other.json()


def test_same_record_under_another_key_is_409(hall):
    body = issued()
    with hall.client() as c:
        assert c.post("/api/v1/tickets/events", json=body,
                      headers={"Idempotency-Key": key()}).status_code == 201
        dup = c.post("/api/v1/tickets/events", json=body, headers={"Idempotency-Key": key()})
    assert dup.status_code == 409 and "already received" in dup.json()["detail"]
    assert hall.count(TicketEvent) == 1 and hall.count(InboxEntry) == 1


def test_missing_idempotency_key_is_refused_and_nothing_stored(hall):
    with hall.client() as c:
        r = c.post("/api/v1/tickets/events", json=issued())
    assert r.status_code == 422 and "Idempotency-Key" in r.json()["detail"]
    assert hall.count(TicketEvent) == 0 and hall.count(InboxEntry) == 0


def test_malformed_json_is_one_clear_422_and_nothing_stored(hall):
    with hall.client() as c:
        r = c.post("/api/v1/tickets/events", content=b'{"kind": "ticket.issued", ',
                   headers={"Idempotency-Key": key(), "Content-Type": "application/json"})
    assert r.status_code == 422
    assert isinstance(r.json()["detail"], str) and "\n" not in r.json()["detail"]
    assert hall.count(TicketEvent) == 0 and hall.count(InboxEntry) == 0


def test_wrong_types_are_422_naming_the_field_without_echoing_values(hall):
    """Given payloads with wrong types (a level as a string, a level of 9, a compartment as a
    string, a ticket without its number), then each is a 422 naming the field, the submitted
    values are not echoed, and nothing is stored."""
    bad_level = {**rating(5, contact_phone_masked="138****9999"), "level": "5"}
    with hall.client() as c:
        r1 = c.post("/api/v1/ratings", json=bad_level, headers={"Idempotency-Key": key()})
        r2 = c.post("/api/v1/ratings", json=rating(9), headers={"Idempotency-Key": key()})
        ticket = issued()
        del ticket["payload"]["number"]
        r3 = c.post("/api/v1/tickets/events", json=ticket, headers={"Idempotency-Key": key()})
        r4 = c.post("/api/v1/locker/events", json=event("locker.deposited", {
            "event_id": str(uuid.uuid4()), "hall": "QZ01", "kiosk": "K01",
            "compartment": "7", "case_id": None, "at": "2026-12-01T09:00:00+08:00"}),
            headers={"Idempotency-Key": key()})
    assert r1.status_code == 422 and "level" in r1.json()["detail"]
    assert "138****9999" not in r1.text
    assert r2.status_code == 422 and "level" in r2.json()["detail"]
    assert r3.status_code == 422 and "number" in r3.json()["detail"]
    assert r4.status_code == 422 and "compartment" in r4.json()["detail"]
    assert hall.count(Rating) == hall.count(TicketEvent) == hall.count(LockerEvent) == 0
    assert hall.count(InboxEntry) == 0


def test_no_token_or_a_wrong_token_is_401_before_the_body_is_read(hall):
    with hall.client(None) as c:
        for headers in ({}, {"Authorization": "Bearer not-a-token"},
                        {"Authorization": "Basic a2lvc2s6cHc="}):
            r = c.post("/api/v1/tickets/events", content=b"{not json",
                       headers={**headers, "Idempotency-Key": key(),
                                "Content-Type": "application/json"})
            assert r.status_code == 401, headers
            assert r.headers["www-authenticate"] == "Bearer"
            assert "detail" in r.json()
        for path in ("/api/v1/cases/SB20261201-0001", "/api/v1/appointments?date=2026-12-01"):
            assert c.get(path).status_code == 401
        assert c.get("/healthz").status_code == 200
    assert hall.count(InboxEntry) == 0


def test_a_revoked_token_is_refused_at_once_and_nothing_stored(hall):
    from kiosk.hall.auth import revoke_kiosk

    with hall.client("K02") as c:
        assert c.post("/api/v1/alerts", json=event("alert.raised", {"kind": "paper_out"}),
                      headers={"Idempotency-Key": key()}).status_code == 201
        with hall.app.state.sessions.begin() as s:
            revoke_kiosk(s, "K02")
        r = c.post("/api/v1/alerts", json=event("alert.raised", {"kind": "door_open"}),
                   headers={"Idempotency-Key": key()})
    assert r.status_code == 401 and r.json() == {"detail": "unknown or revoked kiosk token"}
    assert hall.count(KioskAlert) == 1


def test_heartbeat_keeps_the_latest_state_and_kiosk_health_lists_it(hall):
    from datetime import UTC, datetime, timedelta

    from kiosk.hall.services.kiosks import list_kiosks

    beat = {"kiosk_id": "K01", "version": "0.1.0",
            "devices": {"printer": {"state": "degraded", "reason": "paper near end"}},
            "paper": "near_end", "outbox": {"pending": 3, "parked": 1,
                                            "oldest_pending_age_s": 12.5},
            "alerts": [{"kind": "paper_near_end", "message": "纸将用完",
                        "at": "2026-12-01T09:00:00+08:00"}], "report": None}
    with hall.client() as c:
        r = c.post("/api/v1/heartbeat", json=beat)
        spoofed = c.post("/api/v1/heartbeat", json={**beat, "kiosk_id": "K02"})
        bad = c.post("/api/v1/heartbeat", json={**beat, "paper": "plenty"})
    assert r.status_code == 200 and "server_time" in r.json()
    assert spoofed.status_code == 403 and bad.status_code == 422
    with hall.app.state.sessions() as s:
        health = {k.kiosk_id: k for k in list_kiosks(s)}
        later = {k.kiosk_id: k for k in list_kiosks(
            s, now=datetime.now(UTC) + timedelta(minutes=6))}
    assert health["K01"].paper == "near_end" and not health["K01"].missing
    assert health["K01"].outbox == {"pending": 3, "parked": 1, "oldest_pending_age_s": 12.5}
    assert health["K01"].devices["printer"]["state"] == "degraded"
    assert health["K02"].missing  # never heard from
    assert later["K01"].missing  # silent for more than 5 minutes
    assert hall.count(KioskAccount) == 2


def test_stats_count_distinct_records(hall):
    ticket = issued()
    tid = ticket["payload"]["uuid"]
    called = event("ticket.called", {"hall": "QZ01", "at": "2026-12-01T09:05:00+08:00",
                                     "number": "A001", "ticket": tid, "window": "A01"})
    with hall.client() as c:
        for body in (ticket, called):
            k = key()
            for _ in range(2):  # every record sent twice: replays add nothing
                assert c.post("/api/v1/tickets/events", json=body,
                              headers={"Idempotency-Key": k}).status_code == 201
        assert c.post("/api/v1/ratings", json=rating(4),
                      headers={"Idempotency-Key": key()}).status_code == 201
    with hall.app.state.sessions() as s:
        stats = hall_stats(s)
    assert stats["tickets"] == 1 and stats["ticket_events"] == 2
    assert stats["ratings"] == 1 and stats["cases"] == 0 and stats["inbox"] == 3


def test_a_json_request_over_one_mib_is_413_before_it_is_read(hall):
    huge = {**issued(), "padding": "x" * (1024 * 1024)}
    with hall.client() as c:
        r = c.post("/api/v1/tickets/events", json=huge, headers={"Idempotency-Key": key()})
    assert r.status_code == 413 and hall.count(InboxEntry) == 0
