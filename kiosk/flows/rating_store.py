"""Ratings (好差评) in the kiosk database: one per ticket or case, and when each goes to the hall.

The hall server keeps one rating per ``rating_id`` and opens a follow-up for every bad one, so a
rating must reach it once, in its final form. The kiosk therefore *holds* a rating while the
session that gave it is still going: the row (``ratings``) is committed before the citizen is
thanked, a change of mind in the same session updates that row (same ``rating_id``), and the
``rating.created`` outbox row is written only when the session ends (``release``), in the same
transaction that marks the rating released. After that the rating is final; a second rating of
the same target from another session is refused (``AlreadyRated``) — the unique (target_kind,
target_id) constraint decides even between two kiosks on one database. Held ratings left by a
process that died are released at the next start. Never stores anything about the rater.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from kiosk.clock import Clock
from kiosk.outbox import Outbox
from kiosk.storage.models import RatingRecord

log = logging.getLogger(__name__)

TARGET_KINDS = ("ticket", "case")
BAD_LEVELS = (1, 2)
DIMENSIONS = ("overall", "efficiency", "service", "attitude")
# A held rating whose session is somehow still open after this long goes anyway: the hall's
# follow-up clock for a bad rating must not wait on a kiosk left on one screen.
HOLD_MAX = timedelta(minutes=30)


class AlreadyRated(Exception):
    """The target was rated in another session (or the rating is already on its way)."""


@dataclass(frozen=True)
class SavedRating:
    rating_id: str
    replaced: bool  # an earlier rating of this session was changed


@dataclass(frozen=True)
class HeldRating:
    """A rating of the current session (to show the citizen's earlier choice again)."""

    rating_id: str
    level: int
    reasons: tuple[str, ...]
    contact_wanted: bool


class RatingStore:
    def __init__(self, engine: Engine, outbox: Outbox, clock: Clock, *, hall: str,
                 kiosk_id: str) -> None:
        self.engine = engine
        self.outbox = outbox
        self.clock = clock
        self.hall = hall
        self.kiosk_id = kiosk_id

    def mine(self, session_id: str, target_kind: str, target_id: str) -> HeldRating | None:
        """This session's still-changeable rating of the target; AlreadyRated when someone
        else's (or a released) rating exists."""
        with self.engine.connect() as conn:
            row = conn.execute(select(RatingRecord.__table__).where(
                RatingRecord.target_kind == target_kind,
                RatingRecord.target_id == target_id)).mappings().first()
        if row is None:
            return None
        if row["session_id"] != session_id or row["released_at"] is not None:
            raise AlreadyRated(target_kind)
        return HeldRating(row["rating_id"], row["level"], tuple(row["reasons"]),
                          bool(row["contact_wanted"]))

    def save(self, session_id: str, target_kind: str, target_id: str, level: int,
             reasons: Iterable[str], dimensions: Mapping[str, int],
             contact_wanted: bool) -> SavedRating:
        """Commit the rating (new, or replacing this session's held one) before returning."""
        if target_kind not in TARGET_KINDS:
            raise ValueError(f"target_kind: found {target_kind!r}, expected ticket or case")
        if not 1 <= level <= 5:
            raise ValueError(f"level: found {level!r}, expected 1 to 5")
        if any(d not in DIMENSIONS or not 1 <= v <= 5 for d, v in dimensions.items()):
            raise ValueError(f"dimensions: expected {', '.join(DIMENSIONS)} rated 1 to 5")
        table = RatingRecord.__table__
        values = {"level": level, "reasons": list(reasons), "dimensions": dict(dimensions),
                  "contact_wanted": bool(contact_wanted), "at": self.clock.now()}
        try:
            with self.engine.begin() as conn:
                row = conn.execute(select(table.c.rating_id, table.c.session_id,
                                          table.c.released_at).where(
                    table.c.target_kind == target_kind,
                    table.c.target_id == target_id)).first()
                if row is None:
                    rating_id = str(uuid.uuid4())
                    conn.execute(table.insert().values(
                        rating_id=rating_id, hall=self.hall, kiosk_id=self.kiosk_id,
                        session_id=session_id, target_kind=target_kind, target_id=target_id,
                        released_at=None, **values))
                    return SavedRating(rating_id, replaced=False)
                if row.session_id != session_id or row.released_at is not None:
                    raise AlreadyRated(target_kind)
                conn.execute(table.update().where(table.c.rating_id == row.rating_id)
                             .values(**values))
                return SavedRating(row.rating_id, replaced=True)
        except IntegrityError:  # another kiosk rated the same target a moment ago
            raise AlreadyRated(target_kind) from None

    def release(self, *, keep_session: str | None = None) -> int:
        """Send every held rating of this kiosk except those of ``keep_session`` (the session
        still going; its ratings go too once held longer than ``HOLD_MAX``): one outbox row
        each, written in the transaction that marks the rating released. Returns the count."""
        table = RatingRecord.__table__
        now = self.clock.now()
        with self.engine.begin() as conn:
            rows = conn.execute(select(table).where(
                table.c.kiosk_id == self.kiosk_id, table.c.released_at.is_(None))
                .order_by(table.c.at)).mappings().all()
            released = 0
            for row in rows:
                if row["session_id"] == keep_session and now - row["at"] < HOLD_MAX:
                    continue
                done = conn.execute(update(table).where(
                    table.c.rating_id == row["rating_id"], table.c.released_at.is_(None))
                    .values(released_at=now))
                if done.rowcount != 1:
                    continue  # another process released it first
                self.outbox.add(conn, f"rating:{row['rating_id']}", "rating.created",
                                payload(row), now)
                released += 1
        if released:
            log.info("ratings: %d released to the outbox", released)
        return released


def payload(row: Mapping[str, object]) -> dict[str, object]:
    """``rating.created`` exactly as the hall contract has it."""
    at = row["at"]
    assert isinstance(at, datetime)
    return {"rating_id": row["rating_id"], "hall": row["hall"], "kiosk": row["kiosk_id"],
            "target_kind": row["target_kind"], "target_id": row["target_id"],
            "level": row["level"], "reasons": list(row["reasons"]),  # type: ignore[call-overload]
            "dimensions": dict(row["dimensions"]),  # type: ignore[call-overload]
            "contact_wanted": bool(row["contact_wanted"]), "contact_phone_masked": None,
            "at": at.isoformat()}
