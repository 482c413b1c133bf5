"""Ratings (好差评): bad ones open a follow-up whose deadlines skip weekends and holidays; staff
mark contacted and resolved (audited)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from kiosk.hall.models import AuditRecord, FollowUp, Rating
from kiosk.hall.services import ratings
from kiosk.hall.services.errors import FollowUpNotFound
from kiosk.hall.settings import FollowUpDeadlines
from kiosk.hall.workdays import add_working_days
from tests.hall.conftest import make_settings, rating


@pytest.mark.parametrize(("start", "n", "due"), [
    (date(2026, 12, 4), 1, date(2026, 12, 7)),    # Friday + 1 → Monday
    (date(2026, 12, 5), 1, date(2026, 12, 8)),    # Saturday counts from Monday
    (date(2026, 12, 4), 15, date(2026, 12, 25)),  # Friday + 15 working days: three weeks
    (date(2026, 12, 2), 0, date(2026, 12, 2)),
    (date(2026, 12, 6), 0, date(2026, 12, 7)),
])
def test_working_days_skip_weekends(start, n, due):
    assert add_working_days(start, n) == due


def test_holidays_are_skipped_too():
    assert add_working_days(date(2026, 9, 30), 1, [date(2026, 10, d) for d in range(1, 8)]) \
        == date(2026, 10, 8)


def test_bad_rating_on_friday_opens_a_follow_up_due_after_the_weekend(hall):
    """Given a level-2 rating on Friday 4 December (Beijing), then the follow-up is due for
    contact on Monday 7 and for the fix on Friday 25 December; a level-4 opens none."""
    bad, good = rating(2, at="2026-12-04T17:30:00+08:00"), rating(4)
    with hall.client() as c:
        r = c.post("/api/v1/ratings", json=bad, headers={"Idempotency-Key": str(uuid.uuid4())})
        g = c.post("/api/v1/ratings", json=good, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert r.status_code == 201 and g.status_code == 201
    assert r.json()["follow_up"] == {"contact_due": "2026-12-07", "fix_due": "2026-12-25"}
    assert "follow_up" not in g.json()
    assert hall.count(Rating) == 2 and hall.count(FollowUp) == 1
    with hall.app.state.sessions() as s:
        (view,) = ratings.list_bad_ratings(s, today=date(2026, 12, 8))
    assert view.rating_id == bad["rating_id"] and view.contact_overdue and not view.fix_overdue


def test_the_local_day_decides_the_deadline_not_utc(hall):
    """Saturday 00:30 in Beijing is still Friday in UTC: the deadline counts from Saturday."""
    r = rating(1, at="2026-12-04T16:30:00+00:00")
    with hall.client() as c:
        body = c.post("/api/v1/ratings", json=r,
                      headers={"Idempotency-Key": str(uuid.uuid4())}).json()
    assert body["follow_up"]["contact_due"] == "2026-12-08"


def test_contacted_then_resolved_with_notes_and_audit(hall):
    bad = rating(1)
    with hall.client() as c:
        c.post("/api/v1/ratings", json=bad, headers={"Idempotency-Key": str(uuid.uuid4())})
    audits = hall.count(AuditRecord)
    with hall.app.state.sessions.begin() as s:
        v = ratings.mark_contacted(s, bad["rating_id"], actor="boss", note="已电话回访")
    assert v.contacted_by == "boss" and v.contact_note == "已电话回访" and not v.contact_overdue
    with hall.app.state.sessions.begin() as s:
        v = ratings.mark_resolved(s, bad["rating_id"], actor="boss", note="已增加窗口")
    assert v.resolved_at is not None and not v.fix_overdue
    with hall.app.state.sessions() as s:
        assert ratings.list_bad_ratings(s) == []
        assert len(ratings.list_bad_ratings(s, open_only=False)) == 1
    assert hall.count(AuditRecord) == audits + 2
    with pytest.raises(FollowUpNotFound), hall.app.state.sessions.begin() as s:
        ratings.mark_contacted(s, str(uuid.uuid4()), actor="boss", note="")


def test_deadlines_are_configuration(tmp_path):
    settings = make_settings("sqlite://", tmp_path, followup=FollowUpDeadlines(
        contact_working_days=2, fix_working_days=5, holidays=("2026-12-07",)))
    assert ratings.deadlines(date(2026, 12, 4), settings) == (date(2026, 12, 9),
                                                              date(2026, 12, 14))
