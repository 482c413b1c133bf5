"""Counts of distinct records received, for ``kiosk hall stats`` and the benchmarks.

Distinct: a ticket counts once however many of its events arrived; replays add nothing.
"""

from __future__ import annotations

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from kiosk.hall.models import (
    Case,
    FollowUp,
    InboxEntry,
    KioskAccount,
    KioskAlert,
    LockerEvent,
    Rating,
    TicketEvent,
)


def hall_stats(session: Session) -> dict[str, int]:
    def count(expr: object) -> int:
        return int(session.execute(select(expr)).scalar_one())

    return {
        "tickets": count(func.count(distinct(TicketEvent.ticket_id))),
        "ticket_events": count(func.count(TicketEvent.id)),
        "cases": count(func.count(Case.case_id)),
        "ratings": count(func.count(Rating.rating_id)),
        "bad_ratings_open": int(session.execute(select(func.count()).select_from(FollowUp).where(
            FollowUp.resolved_at.is_(None))).scalar_one()),
        "locker_events": count(func.count(LockerEvent.event_id)),
        "alerts": count(func.count(KioskAlert.id)),
        "kiosks": count(func.count(KioskAccount.kiosk_id)),
        "inbox": count(func.count(InboxEntry.key)),
    }
