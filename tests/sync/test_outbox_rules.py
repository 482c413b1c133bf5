"""The outbox rules without a network: routing, bodies identical on every attempt, records,
claims, the answer classification and the backoff bounds."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from kiosk.sync.client import Verdict, judge
from kiosk.sync.outbox import Outbox, Settlement
from kiosk.sync.routes import UnsendableMessage, build_request, record_key, route_for
from kiosk.sync.worker import backoff
from tests.sync.records import add_case, add_message, add_rating

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


def body_of(request) -> bytes:
    content = request.content
    data = content if isinstance(content, bytes) else b"".join(content)
    request.close()
    return data


@pytest.mark.parametrize(("kind", "path"), [
    ("ticket.issued", "/tickets/events"), ("ticket.called", "/tickets/events"),
    ("ticket.done", "/tickets/events"), ("ticket.skipped", "/tickets/events"),
    ("case.created", "/cases"), ("case.owed_received", "/cases/events"),
    ("rating.created", "/ratings"), ("locker.deposited", "/locker/events"),
    ("alert.raised", "/alerts"), ("alert.cleared", "/alerts"),
])
def test_every_contract_kind_has_its_route(kind, path):
    assert route_for(kind).path == path


@pytest.mark.parametrize("kind", ["ticket.recalled", "rating.changed", "alert.other", "x", ""])
def test_a_kind_outside_the_contract_has_no_route(kind):
    assert route_for(kind) is None
    with pytest.raises(UnsendableMessage, match="no route"):
        build_request(kind, {}, NOW.isoformat(), "k")


def test_json_bodies_follow_the_contract_and_are_byte_identical_on_retry():
    """An event is {"kind","payload","created_at"}; a rating is its payload; same bytes twice."""
    payload = {"hall": "QZ01", "uuid": "t1", "masked_name": "张*"}
    a = build_request("ticket.issued", payload, NOW.isoformat(), "QZ01:ticket:t1:issued")
    b = build_request("ticket.issued", payload, NOW.isoformat(), "QZ01:ticket:t1:issued")
    assert body_of(a) == body_of(b)
    assert json.loads(body_of(build_request("ticket.issued", payload, "T", "k"))) == {
        "kind": "ticket.issued", "payload": payload, "created_at": "T"}
    assert a.headers["Idempotency-Key"] == "QZ01:ticket:t1:issued"
    rating = {"rating_id": "r1", "level": 1}
    assert json.loads(body_of(build_request("rating.created", rating, "T", "k"))) == rating


def test_case_multipart_is_identical_on_retry_and_never_carries_the_local_path(engine, tmp_path):
    """Given a case with two PNG pages, when its request is built twice, then the bytes are the
    same (the boundary comes from the key), Content-Length is right, the ``case`` part has no
    ``path``, and httpx's own multipart parser finds one ``files`` part per page."""
    _case, files = add_case(engine, tmp_path, pages=2, image_size=5000)
    from sqlalchemy import select

    from kiosk.storage.models import OutboxMessage
    with engine.connect() as conn:
        row = conn.execute(select(OutboxMessage)).one()
    first = build_request(row.kind, row.payload, "T", row.idempotency_key)
    length = int(first.headers["Content-Length"])
    content_type = first.headers["Content-Type"]
    data = body_of(first)
    assert data == body_of(build_request(row.kind, row.payload, "T", row.idempotency_key))
    assert len(data) == length
    assert str(tmp_path).encode() not in data
    boundary = content_type.split("boundary=")[1].encode()
    parts = data.split(b"--" + boundary)[1:-1]
    assert len(parts) == 3
    assert b'name="case"' in parts[0]
    case = json.loads(parts[0].split(b"\r\n\r\n", 1)[1].rstrip(b"\r\n"))
    assert case["materials"][0]["pages"][0] == {"file": "p1.png",
                                                 "sha256": row.payload["materials"][0]["pages"][0]
                                                 ["sha256"]}
    for part, path in zip(parts[1:], files, strict=True):
        head, body = part.split(b"\r\n\r\n", 1)
        assert f'filename="{path.name}"'.encode() in head and b"image/png" in head
        assert body[:-2] == path.read_bytes()


def test_a_case_without_pages_is_still_multipart(engine, tmp_path):
    request = build_request("case.created", {"case_id": "c", "materials": []}, "T", "k")
    assert request.headers["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'name="case"' in body_of(request)


def test_records_group_a_ticket_a_case_and_a_compartment():
    assert record_key("ticket.issued", {"uuid": "t1"}, "a") == \
        record_key("ticket.called", {"ticket": "t1"}, "b") == "ticket:t1"
    assert record_key("case.created", {"case_id": "c"}, "a") == \
        record_key("case.status", {"case_id": "c"}, "b")
    assert record_key("locker.opened", {"kiosk": "K1", "compartment": 3}, "a") == \
        record_key("locker.closed", {"kiosk": "K1", "compartment": 3}, "b")
    assert record_key("rating.created", {}, "a") != record_key("rating.created", {}, "b")


def test_one_message_per_record_at_a_time_and_a_parked_one_does_not_block(engine):
    """Given issued and called of ticket t1 and issued of t2, then only the two issued are due;
    once t1's issued is parked, its called becomes due."""
    for key, kind, payload in (("k1", "ticket.issued", {"uuid": "t1"}),
                               ("k2", "ticket.called", {"ticket": "t1"}),
                               ("k3", "ticket.issued", {"uuid": "t2"})):
        add_message(engine, key, kind, payload)
    outbox = Outbox(engine, "me")
    assert outbox.due(NOW, 10) == [1, 3]
    claimed = outbox.claim([1], NOW, LEASE)
    outbox.settle(Settlement(parked=[(claimed[0].id, "HTTP 422")]), NOW)
    assert outbox.due(NOW, 10) == [2, 3]


def test_a_row_is_claimed_by_one_sender_only_even_when_both_chose_it(engine):
    """Given two senders that both found the same due rows, when both claim, then the second
    gets none of them until the first's lease runs out; a settled row is never claimed again."""
    for _ in range(3):
        add_rating(engine)
    a, b = Outbox(engine, "host:1:a"), Outbox(engine, "host:2:b")
    ids_a, ids_b = a.due(NOW, 10), b.due(NOW, 10)
    assert ids_a == ids_b == [1, 2, 3]
    assert [m.id for m in a.claim(ids_a, NOW, LEASE)] == [1, 2, 3]
    assert b.claim(ids_b, NOW, LEASE) == [] and b.due(NOW, 10) == []
    a.settle(Settlement(delivered=[(1, {"rating_id": "x"}, False)]), NOW)
    later = NOW + LEASE + timedelta(seconds=1)
    assert [m.id for m in b.claim(ids_b, later, LEASE)] == [2, 3]


def test_claims_of_a_killed_sender_on_this_machine_are_adopted_at_once(engine):
    """Given a row claimed by a process of this machine that no longer exists, when a new
    sender starts, then it takes the row over at once (no wait for the lease) and another
    sender still keeps off it: the retry comes from this kiosk, whose key the server knows."""
    import socket
    import subprocess
    import sys

    add_rating(engine)
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    dead = Outbox(engine, f"{socket.gethostname()}:{gone}:x")
    dead.claim(dead.due(NOW, 10), NOW, LEASE)
    fresh, other = Outbox(engine), Outbox(engine, "elsewhere:1:y")
    assert fresh.due(NOW, 10) == []
    assert fresh.adopt_dead_claims(NOW, LEASE) == 1
    assert fresh.due(NOW, 10) == [1] and other.due(NOW, 10) == []
    assert [m.id for m in fresh.claim([1], NOW, LEASE)] == [1]
    alive = Outbox(engine, f"{socket.gethostname()}:{os.getpid()}:z")
    alive.claim(alive.due(NOW, 10) or [], NOW, LEASE)
    assert Outbox(engine).adopt_dead_claims(NOW, LEASE) == 0  # this process is alive


def test_settle_never_marks_a_row_sent_twice_or_resurrects_it(engine):
    add_rating(engine)
    outbox = Outbox(engine, "me")
    outbox.claim([1], NOW, LEASE)
    outbox.settle(Settlement(delivered=[(1, {"a": 1}, False)]), NOW)
    outbox.settle(Settlement(retry=[(1, "HTTP 500", NOW)], parked=[(1, "late")]), NOW)
    depth = outbox.depth()
    assert (depth.pending, depth.parked, depth.last_sync) == (0, 0, NOW)


@pytest.mark.parametrize(("status", "verdict"), [
    (200, Verdict.DELIVERED), (201, Verdict.DELIVERED), (401, Verdict.UNAUTHORIZED),
    (400, Verdict.PARK), (403, Verdict.PARK), (404, Verdict.PARK), (409, Verdict.PARK),
    (413, Verdict.PARK), (415, Verdict.PARK), (422, Verdict.PARK), (408, Verdict.RETRY),
    (429, Verdict.UNREACHABLE), (500, Verdict.RETRY), (502, Verdict.UNREACHABLE),
    (503, Verdict.UNREACHABLE), (504, Verdict.UNREACHABLE), (301, Verdict.RETRY),
])
def test_answers_are_judged_by_the_contract(status, verdict):
    assert judge(httpx.Response(status, json={"detail": "x"})).verdict is verdict


def test_a_422_reason_keeps_where_and_what_but_not_the_citizens_input():
    detail = [{"loc": ["body", "masked_name"], "msg": "String too long",
               "input": "张三丰的全名很长很长"}]
    answer = judge(httpx.Response(422, json={"detail": detail}))
    assert answer.error == "HTTP 422: masked_name: String too long"
    assert "张三" not in answer.error


def test_replay_and_retry_after_are_read():
    assert judge(httpx.Response(201, json={}, headers={"Idempotent-Replay": "true"})).replay
    assert judge(httpx.Response(429, headers={"Retry-After": "7"})).retry_after_s == 7.0


def test_backoff_grows_is_capped_and_jittered():
    values = [backoff(n, 1.0, 60.0) for n in range(1, 12) for _ in range(20)]
    assert all(0.5 <= v <= 60.0 for v in values)
    assert 0.5 <= backoff(1, 1.0, 60.0) <= 1.0 and 8.0 <= backoff(5, 1.0, 60.0) <= 16.0
    assert backoff(40, 1.0, 60.0) <= 60.0
    assert len({round(backoff(3, 1.0, 60.0), 6) for _ in range(20)}) > 1


def test_a_kiosk_in_the_field_upgrades_0001_to_0002_keeping_its_pending_rows(sqlite_url):
    """Given a database at revision 0001 holding an unsent outbox row (a kiosk that has been
    collecting records before the sender existed), when migrated to head, then the row is
    still there, unclaimed and unparked, and due for sending."""
    from sqlalchemy import inspect, text

    from kiosk.storage import make_engine, migrate
    from kiosk.storage.engine import HEAD_REVISION

    engine = make_engine(sqlite_url)
    migrate(engine, "0001")
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO outbox (idempotency_key, kind, payload, created_at, attempts, "
            "next_attempt_at) VALUES ('QZ01:ticket:t1:issued', 'ticket.issued', "
            "'{\"uuid\": \"t1\"}', '2026-01-05 02:00:00', 0, '2026-01-05 02:00:00')"))
    migrate(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == \
            HEAD_REVISION
    columns = {c["name"] for c in inspect(engine).get_columns("outbox")}
    assert {"parked_at", "claimed_by", "claimed_until", "response", "files_removed_at"} <= columns
    outbox = Outbox(engine, "me")
    assert outbox.due(NOW, 10) == [1]
    (claimed,) = outbox.claim([1], NOW, LEASE)
    assert claimed.payload == {"uuid": "t1"} and claimed.kind == "ticket.issued"
    engine.dispose()


def test_on_a_shared_outbox_a_case_is_sent_only_by_the_kiosk_holding_its_images(engine,
                                                                                 tmp_path):
    """Given K01's case (images on K01's disk), a later event of that case and a rating, when
    K02's sender looks, then it may take only the rating (the case's event waits behind the
    case); K01's sender takes the case; K02's image sweep leaves K01's files alone."""
    from kiosk.sync.images import remove_delivered_images

    case_id, files = add_case(engine, tmp_path, pages=1, kiosk="K01")
    add_message(engine, "k:case-event", "case.status_changed", {"case_id": case_id})
    add_rating(engine, kiosk="K01")
    k01, k02 = Outbox(engine, "h:1:a", kiosk_id="K01"), Outbox(engine, "h:2:b", kiosk_id="K02")
    assert k02.due(NOW, 10) == [3]
    assert k01.due(NOW, 10) == [1, 3]
    k01.claim([1], NOW, LEASE)
    k01.settle(Settlement(delivered=[(1, {}, True)]), NOW)
    assert remove_delivered_images(engine, NOW, timedelta(0), "K02") == 0 and files[0].exists()
    assert remove_delivered_images(engine, NOW, timedelta(0), "K01") == 1
    assert not files[0].exists()
    assert k02.due(NOW, 10) == [2, 3]  # the case's own event: any kiosk, after the case
