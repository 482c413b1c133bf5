"""Event routes beyond tickets (case.*, alert.*, unknown kinds, another hall's records) and the
notifier (JSON lines, private file, a failed delivery never undoes the staff action)."""

from __future__ import annotations

import stat
import uuid

import pytest

from kiosk.hall.models import CaseKioskEvent, KioskAlert, Rating, TicketEvent
from kiosk.hall.notify import FileNotifier
from kiosk.hall.services import cases
from tests.hall.conftest import case_parts, case_payload, event, image_bytes, issued, rating


def post(c, path, body):
    return c.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})


def test_case_and_alert_events_are_stored_unknown_kinds_refused(hall):
    with hall.client() as c:
        ok_case = post(c, "/api/v1/cases/events", event("case.materials_added", {
            "case_id": str(uuid.uuid4()), "hall": "QZ01"}))
        created = post(c, "/api/v1/cases/events", event("case.created", {}))
        ok_alert = post(c, "/api/v1/alerts", event("alert.cleared", {"kind": "paper_out"}))
        bad_alert = post(c, "/api/v1/alerts", event("alert.exploded", {}))
        bad_ticket = post(c, "/api/v1/tickets/events", event("ticket.lost", {}))
        bad_locker = post(c, "/api/v1/locker/events", event("door.opened", {}))
    assert ok_case.status_code == 201 and ok_alert.status_code == 201
    assert created.status_code == 422 and "POST /api/v1/cases" in created.json()["detail"]
    assert bad_alert.status_code == 422 and bad_ticket.status_code == 422
    assert bad_locker.status_code == 422
    assert hall.count(CaseKioskEvent) == 1 and hall.count(KioskAlert) == 1
    assert hall.count(TicketEvent) == 0


def test_records_of_another_hall_are_refused(hall):
    ticket = issued()
    ticket["payload"]["hall"] = "XM02"
    with hall.client() as c:
        r1 = post(c, "/api/v1/tickets/events", ticket)
        r2 = post(c, "/api/v1/ratings", rating(5, hall="XM02"))
    assert r1.status_code == r2.status_code == 422
    assert "serves hall 'QZ01'" in r1.json()["detail"]
    assert hall.count(TicketEvent) == 0 and hall.count(Rating) == 0


def test_notifications_file_is_private_json_lines(tmp_path):
    path = tmp_path / "n" / "notifications.jsonl"
    notifier = FileNotifier(path)
    notifier.notify("case.ready_for_pickup", "SB20261201-0001", "ab" * 32, "可以领取", {})
    notifier.notify("pickup_code.issued", "SB20261201-0001", "ab" * 32, "取件码", {"x": 1})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2


class BrokenGateway:
    def notify(self, *args: object) -> None:
        raise ConnectionRefusedError("sms gateway down")


def test_a_failed_notification_never_undoes_the_status_change(hall, caplog):
    pages = {"p1.jpg": image_bytes()}
    with hall.client() as c:
        number = c.post("/api/v1/cases", headers={"Idempotency-Key": str(uuid.uuid4())},
                        **case_parts(case_payload(pages), pages)).json()["case_number"]
    for status in ("under_review", "approved", "ready_for_pickup"):
        with hall.app.state.sessions.begin() as s:
            cases.change_status(s, number, status, actor="c", note="", notifier=BrokenGateway())
    with hall.app.state.sessions() as s:
        assert cases.get_case(s, number).status == "ready_for_pickup"
    assert "not delivered" in caplog.text and "可以领取" not in caplog.text


@pytest.mark.parametrize("field", ["level", "contact_wanted"])
def test_booleans_and_numbers_are_strict(hall, field):
    body = rating(5)
    body[field] = 1 if field == "contact_wanted" else 4.0
    with hall.client() as c:
        r = post(c, "/api/v1/ratings", body)
    assert r.status_code == 422 and field in r.json()["detail"]
