"""Staff actions on cases (the console's services): the status timeline with its allowed
transitions, actor and note; 一次性告知 (owed list); the applicant notified when ready."""

from __future__ import annotations

import json
import uuid

import pytest

from kiosk.hall.models import AuditRecord
from kiosk.hall.services import cases
from kiosk.hall.services.errors import CaseNotFound, TransitionRefused
from tests.hall.conftest import case_parts, case_payload, image_bytes


@pytest.fixture
def case_number(hall) -> str:
    pages = {"p1.jpg": image_bytes()}
    with hall.client() as c:
        r = c.post("/api/v1/cases", headers={"Idempotency-Key": str(uuid.uuid4())},
                   **case_parts(case_payload(pages), pages))
    assert r.status_code == 201
    return r.json()["case_number"]


def test_full_timeline_with_actor_and_note_and_notification(hall, case_number):
    """Given a received case, when staff move it along the whole timeline, then each change is
    a timeline row with actor and note, an audit row, and 'ready_for_pickup' notifies."""
    steps = [("under_review", "clerk1", "开始审核"), ("more_needed", "clerk1", "缺户口簿"),
             ("under_review", "clerk1", "材料已补齐"), ("approved", "boss", "准予"),
             ("ready_for_pickup", "clerk1", "已放入文件柜"), ("collected", "kiosk:K01", "")]
    for status, actor, note in steps:
        with hall.app.state.sessions.begin() as s:
            detail = cases.change_status(s, case_number, status, actor=actor, note=note,
                                         notifier=hall.app.state.notifier)
        assert detail.status == status
    with hall.app.state.sessions() as s:
        detail = cases.get_case(s, case_number)
    assert [(t.status, t.actor, t.note) for t in detail.timeline] == [
        ("received", "kiosk:K01", ""), *steps]
    assert hall.count(AuditRecord) >= len(steps) + 2  # + the two kiosks added
    lines = hall.settings.notifications_path.read_text(encoding="utf-8").splitlines()
    sent = [json.loads(x) for x in lines]
    assert [m["kind"] for m in sent] == ["case.ready_for_pickup"]
    assert sent[0]["case_number"] == case_number and "可以领取" in sent[0]["message_zh"]


@pytest.mark.parametrize("path", [["approved"], ["collected"],
                                  ["under_review", "approved", "under_review"],
                                  ["rejected", "ready_for_pickup", "collected", "received"]])
def test_refused_transitions_change_nothing(hall, case_number, path):
    *allowed, refused = path
    for status in allowed:
        with hall.app.state.sessions.begin() as s:
            cases.change_status(s, case_number, status, actor="c", note="")
    with pytest.raises(TransitionRefused) as info, hall.app.state.sessions.begin() as s:
        cases.change_status(s, case_number, refused, actor="c", note="")
    assert info.value.wanted == refused and "不能改为" in info.value.message_zh
    with hall.app.state.sessions() as s:
        detail = cases.get_case(s, case_number)
    assert len(detail.timeline) == 1 + len(allowed)


def test_unknown_case_is_case_not_found(hall):
    with pytest.raises(CaseNotFound), hall.app.state.sessions.begin() as s:
        cases.change_status(s, "SB20990101-0001", "under_review", actor="c", note="")


def test_owed_list_replaces_the_previous_one(hall, case_number):
    from datetime import date

    with hall.app.state.sessions.begin() as s:
        detail = cases.set_owed(s, case_number, [
            cases.OwedItem("marriage", "结婚证", date(2026, 12, 10))], actor="clerk1",
            note="一次性告知")
    owed = {m.material_id: m.due_date for m in detail.materials if m.status == "owed"}
    assert owed == {"marriage": date(2026, 12, 10)}  # household now counts as received
    assert detail.owed_count == 1
    with hall.app.state.sessions() as s:
        listed = cases.list_cases(s, status="received")
        assert [c.owed_count for c in listed] == [1]
        assert cases.list_cases(s, status="approved") == []
        assert len(cases.list_cases(s, item_id="unemployment-registration")) == 1
        assert cases.list_cases(s, item_id="no-such-item") == []
