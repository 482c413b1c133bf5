"""Ratings (好差评) and the follow-up of bad ones (levels 1–2: 不满意, 非常不满意).

A bad rating opens a follow-up with two deadlines counted in working days from the local day it
was given (weekends and configured holidays skipped): contact the rater, then fix the cause.
Marking contacted or resolved is a staff action: audited, with a note.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from kiosk.hall.audit import record
from kiosk.hall.models import FollowUp, Rating
from kiosk.hall.schemas import RatingIn
from kiosk.hall.services.errors import FollowUpNotFound, RecordExists
from kiosk.hall.settings import HallSettings
from kiosk.hall.workdays import add_working_days

BAD_LEVELS = (1, 2)


@dataclass(frozen=True)
class FollowUpView:
    rating_id: str
    level: int
    reasons: list[str]
    target_kind: str
    target_id: str
    kiosk_id: str
    at: datetime
    contact_due: date
    fix_due: date
    contacted_at: datetime | None
    contacted_by: str | None
    contact_note: str | None
    resolved_at: datetime | None
    resolved_by: str | None
    resolution_note: str | None
    contact_overdue: bool
    fix_overdue: bool


def deadlines(given_on: date, settings: HallSettings) -> tuple[date, date]:
    rules = settings.followup
    holidays = [date.fromisoformat(d) for d in rules.holidays]
    return (add_working_days(given_on, rules.contact_working_days, holidays),
            add_working_days(given_on, rules.fix_working_days, holidays))


def store_rating(session: Session, rating: RatingIn, kiosk_id: str, settings: HallSettings,
                 *, now: datetime | None = None) -> dict[str, object]:
    rating_id = str(rating.rating_id)
    if session.get(Rating, rating_id) is not None:
        raise RecordExists(f"rating {rating_id} was already received under another key",
                           "该评价已经收到")
    now = now or datetime.now(UTC)
    session.add(Rating(rating_id=rating_id, hall=rating.hall, kiosk_id=kiosk_id,
                       target_kind=rating.target_kind, target_id=rating.target_id,
                       level=rating.level, reasons=list(rating.reasons),
                       dimensions=dict(rating.dimensions), contact_wanted=rating.contact_wanted,
                       contact_phone_masked=rating.contact_phone_masked, at=rating.at))
    answer: dict[str, object] = {"rating_id": rating_id}
    if rating.level in BAD_LEVELS:
        session.flush()
        contact, fix = deadlines(rating.at.astimezone(settings.tz).date(), settings)
        session.add(FollowUp(rating_id=rating_id, opened_at=now, contact_due=contact,
                             fix_due=fix))
        answer["follow_up"] = {"contact_due": contact.isoformat(), "fix_due": fix.isoformat()}
    return answer


def _view(r: Rating, f: FollowUp, today: date) -> FollowUpView:
    return FollowUpView(
        rating_id=r.rating_id, level=r.level, reasons=list(r.reasons),
        target_kind=r.target_kind, target_id=r.target_id, kiosk_id=r.kiosk_id, at=r.at,
        contact_due=f.contact_due, fix_due=f.fix_due, contacted_at=f.contacted_at,
        contacted_by=f.contacted_by, contact_note=f.contact_note, resolved_at=f.resolved_at,
        resolved_by=f.resolved_by, resolution_note=f.resolution_note,
        contact_overdue=f.contacted_at is None and f.resolved_at is None and today > f.contact_due,
        fix_overdue=f.resolved_at is None and today > f.fix_due)


def list_bad_ratings(session: Session, *, open_only: bool = True,
                     today: date | None = None) -> list[FollowUpView]:
    """Oldest deadline first. ``today`` (local) decides what is overdue."""
    today = today or datetime.now(UTC).date()
    stmt = select(Rating, FollowUp).join(FollowUp, FollowUp.rating_id == Rating.rating_id)
    if open_only:
        stmt = stmt.where(FollowUp.resolved_at.is_(None))
    rows = session.execute(stmt.order_by(FollowUp.fix_due, Rating.at)).all()
    return [_view(r, f, today) for r, f in rows]


def _follow_up(session: Session, rating_id: str) -> tuple[Rating, FollowUp]:
    row = session.execute(select(Rating, FollowUp).join(
        FollowUp, FollowUp.rating_id == Rating.rating_id).where(
        Rating.rating_id == rating_id).with_for_update(of=FollowUp)).first()
    if row is None:
        raise FollowUpNotFound(rating_id)
    return row[0], row[1]


def mark_contacted(session: Session, rating_id: str, *, actor: str, note: str,
                   now: datetime | None = None) -> FollowUpView:
    rating, f = _follow_up(session, rating_id)
    now = now or datetime.now(UTC)
    f.contacted_at, f.contacted_by, f.contact_note = now, actor, note
    record(session, actor, "rating.contacted", rating_id, {"note": note[:200]}, at=now)
    session.flush()
    return _view(rating, f, now.date())


def mark_resolved(session: Session, rating_id: str, *, actor: str, note: str,
                  now: datetime | None = None) -> FollowUpView:
    rating, f = _follow_up(session, rating_id)
    now = now or datetime.now(UTC)
    f.resolved_at, f.resolved_by, f.resolution_note = now, actor, note
    record(session, actor, "rating.resolved", rating_id, {"note": note[:200]}, at=now)
    session.flush()
    return _view(rating, f, now.date())
