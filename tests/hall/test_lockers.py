"""Locker events and pickup codes: a deposit issues a hashed 6-digit code and notifies the
applicant; verify is attempt-limited per kiosk; codes expire; a pickup uses them up."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from kiosk.hall.models import InboxEntry, PickupCode
from kiosk.hall.services import cases, lockers
from tests.hall.conftest import case_parts, case_payload, event, image_bytes


def post(c, path, body):
    return c.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})


def locker(kind, case_id, compartment=7):
    return event(kind, {"event_id": str(uuid.uuid4()), "hall": "QZ01", "kiosk": "K01",
                        "compartment": compartment, "case_id": case_id,
                        "at": "2026-12-01T20:00:00+08:00", "door": "closed"})


def deposit_case(hall, c) -> tuple[dict, str]:
    """A case deposited in compartment 7; returns the case and the code sent to the applicant."""
    pages = {"p1.jpg": image_bytes()}
    created = c.post("/api/v1/cases", headers={"Idempotency-Key": str(uuid.uuid4())},
                     **case_parts(case_payload(pages), pages)).json()
    for status in ("under_review", "approved", "ready_for_pickup"):
        with hall.app.state.sessions.begin() as s:
            cases.change_status(s, created["case_number"], status, actor="c", note="")
    r = post(c, "/api/v1/locker/events", locker("locker.deposited", created["case_id"]))
    assert r.status_code == 201 and r.json()["pickup_code_issued"] is True
    sent = [json.loads(x) for x in
            hall.settings.notifications_path.read_text(encoding="utf-8").splitlines()]
    code = sent[-1]["data"]["code"]
    assert sent[-1]["kind"] == "pickup_code.issued" and len(code) == 6 and code.isdigit()
    return created, code


def test_deposit_issues_a_hashed_code_that_verifies_and_pickup_uses_it_up(hall):
    with hall.client() as c:
        created, code = deposit_case(hall, c)
        ok = c.post("/api/v1/locker/pickup-codes/verify", json={"code": code})
        view = c.get(f"/api/v1/cases/{created['case_number']}").json()
        picked = post(c, "/api/v1/locker/events", locker("locker.picked_up", created["case_id"]))
        after = c.post("/api/v1/locker/pickup-codes/verify", json={"code": code})
        final = c.get(f"/api/v1/cases/{created['case_number']}").json()
    assert ok.status_code == 200
    assert ok.json()["case_number"] == created["case_number"] and ok.json()["compartment"] == 7
    assert view["locker"]["compartment"] == 7 and code not in json.dumps(view)
    assert picked.status_code == 201 and after.status_code == 404
    assert final["status"] == "collected" and final["locker"] is None
    with hall.app.state.sessions() as s:
        stored = s.execute(select(PickupCode.code_hmac)).scalars().all()
        inbox = json.dumps([r.response for r in s.execute(select(InboxEntry)).scalars()])
    assert len(stored) == 1 and code not in stored[0] and len(stored[0]) == 64
    assert code not in inbox


def test_wrong_codes_lock_the_kiosk_out_even_for_the_right_code(hall):
    """Given a live code, when a kiosk sends 5 wrong codes, then the 6th attempt is refused with
    429 even with the right code, while another kiosk may still verify it."""
    with hall.client() as c, hall.client("K02") as other:
        _, code = deposit_case(hall, c)
        wrong = f"{(int(code) + 1) % 1_000_000:06d}"
        answers = [c.post("/api/v1/locker/pickup-codes/verify", json={"code": wrong})
                   for _ in range(hall.settings.pickup_max_failures)]
        locked = c.post("/api/v1/locker/pickup-codes/verify", json={"code": code})
        elsewhere = other.post("/api/v1/locker/pickup-codes/verify", json={"code": code})
        malformed = other.post("/api/v1/locker/pickup-codes/verify", json={"code": "12345"})
    assert [a.status_code for a in answers] == [404] * hall.settings.pickup_max_failures
    assert answers[0].json()["detail_zh"] == "取件码不正确或已过期"
    assert locked.status_code == 429 and "try again" in locked.json()["detail"]
    assert elsewhere.status_code == 200
    assert malformed.status_code == 422


def test_lockout_ends_after_the_lockout_time(hall):
    settings = hall.settings
    t0 = datetime(2026, 12, 1, 12, tzinfo=UTC)
    with hall.app.state.sessions.begin() as s:
        for i in range(settings.pickup_max_failures):
            assert lockers.verify_pickup_code(s, "000000", "K09", settings,
                                              now=t0 + timedelta(seconds=i)) is None
    later = t0 + timedelta(seconds=settings.pickup_lockout_s + 10)
    with hall.app.state.sessions.begin() as s:
        assert lockers.verify_pickup_code(s, "000000", "K09", settings, now=later) is None


def test_codes_expire(hall):
    with hall.client() as c:
        created, code = deposit_case(hall, c)
    expired = datetime.now(UTC) + timedelta(days=hall.settings.pickup_code_days, minutes=1)
    with hall.app.state.sessions.begin() as s:
        assert lockers.verify_pickup_code(s, code, "K01", hall.settings,
                                          now=expired) is None
        assert lockers.verify_pickup_code(s, code, "K02", hall.settings) is not None


def test_a_new_code_replaces_the_old_one(hall):
    with hall.client() as c:
        created, first = deposit_case(hall, c)
    with hall.app.state.sessions.begin() as s:
        second = lockers.issue_pickup_code(s, created["case_number"], 9, actor="boss",
                                           settings=hall.settings,
                                           notifier=hall.app.state.notifier)
    with hall.app.state.sessions.begin() as s:
        assert lockers.verify_pickup_code(s, second, "K01", hall.settings).compartment == 9
        if first != second:
            assert lockers.verify_pickup_code(s, first, "K02", hall.settings) is None
