"""The sender's side of the ``outbox`` table: what is due, claiming it, and settling each attempt.

Rules this module keeps, because the hall counts on them:
- a row is marked sent (``sent_at``) only by ``settle`` after the server confirmed it; nothing
  here ever deletes a row;
- a row is eligible only when no older unsent row of the same record (a ticket, a case) is
  still pending, so a ticket's ``issued`` reaches the server before its ``called``; a parked row
  does not hold its record back;
- a message with files on disk (``case.created``) is sent only by the kiosk that wrote it, when
  several kiosks share one outbox (the images are on that kiosk's disk, nowhere else);
- a claim (``claimed_by`` + ``claimed_until``, a lease) keeps two senders — two kiosks on one
  PostgreSQL, or the app and ``kiosk sync run`` — off the same row while it is in flight; on
  PostgreSQL the claim also skips rows another sender is claiming (``FOR UPDATE SKIP LOCKED``).
  A sender killed mid-send leaves its claims to expire, or to be adopted at once by the next
  sender on the same machine that sees the process is gone (same kiosk, same token).
Transactions are short: no network call ever happens while one is open here.
"""

from __future__ import annotations

import os
import secrets
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, bindparam, func, select, update

from kiosk.storage.models import OutboxMessage
from kiosk.sync.routes import CASE_CREATED, record_key

O = OutboxMessage.__table__  # noqa: E741 - the table, as in the queue modules
WINDOW = 1000  # oldest pending rows looked at per pass: a record's older rows are always inside
_PENDING = (O.c.sent_at.is_(None)) & (O.c.parked_at.is_(None))


@dataclass(frozen=True)
class Claimed:
    """One claimed message, with what the request needs."""

    id: int
    idempotency_key: str
    kind: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int


@dataclass
class Settlement:
    """What became of the messages of one pass, written in one transaction."""

    # id, the server's answer, whether local files wait for removal (case.created)
    delivered: list[tuple[int, dict[str, Any] | None, bool]] = field(default_factory=list)
    retry: list[tuple[int, str, datetime]] = field(default_factory=list)  # id, error, next try
    failed: list[tuple[int, str]] = field(default_factory=list)  # attempted, no new due time
    parked: list[tuple[int, str]] = field(default_factory=list)
    released: list[int] = field(default_factory=list)  # claimed but never attempted

    def __bool__(self) -> bool:
        return bool(self.delivered or self.retry or self.failed or self.parked or self.released)


@dataclass(frozen=True)
class Depth:
    pending: int
    parked: int
    oldest_pending_at: datetime | None
    last_sync: datetime | None
    oldest_error: str | None


def sender_identity() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def file_owner(kind: str, payload: dict[str, Any]) -> str | None:
    """The kiosk whose disk holds this message's files (None: no local files, any sender)."""
    if kind != CASE_CREATED:
        return None
    owner = payload.get("kiosk")
    return str(owner) if owner else None


class Outbox:
    def __init__(self, engine: Engine, sender: str | None = None, *,
                 kiosk_id: str | None = None) -> None:
        """``kiosk_id`` set (a hall's shared database): messages whose files are on another
        kiosk's disk are left to that kiosk. None (a kiosk's own SQLite): every message."""
        self.engine = engine
        self.sender = sender or sender_identity()
        self.kiosk_id = kiosk_id
        # id -> (record key, file owner); rows never change kind or payload
        self._records: dict[int, tuple[str, str | None]] = {}

    # ---- choosing ----
    def due(self, now: datetime, limit: int) -> list[int]:
        """Ids of up to ``limit`` rows that may be sent now, oldest first, at most one per
        record, none claimed by another sender."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(O.c.id, O.c.next_attempt_at, O.c.claimed_until, O.c.claimed_by)
                .where(_PENDING).order_by(O.c.id).limit(WINDOW)).all()
            # only the window's rows stay cached: rows another sender settled drop out here
            self._records = {r.id: self._records[r.id] for r in rows if r.id in self._records}
            unknown = [r.id for r in rows if r.id not in self._records]
            if unknown:
                found = conn.execute(select(O.c.id, O.c.kind, O.c.payload, O.c.idempotency_key)
                                     .where(O.c.id.in_(unknown))).all()
                for r in found:
                    payload = r.payload or {}
                    self._records[r.id] = (record_key(r.kind, payload, r.idempotency_key),
                                           file_owner(r.kind, payload))
        busy: set[str] = set()
        chosen: list[int] = []
        for r in rows:
            record, owner = self._records.get(r.id, (f"row:{r.id}", None))
            if record in busy:
                continue  # an older message of this record is still on its way
            busy.add(record)
            if owner is not None and self.kiosk_id is not None and owner != self.kiosk_id:
                continue  # its images are on that kiosk's disk: only that kiosk can send it
            free = (r.claimed_until is None or r.claimed_until <= now
                    or r.claimed_by == self.sender)
            if free and r.next_attempt_at <= now:
                chosen.append(r.id)
                if len(chosen) >= limit:
                    break
        return chosen

    def claim(self, ids: list[int], now: datetime, lease: timedelta) -> list[Claimed]:
        """Take ``ids`` for this sender until ``now + lease``; returns those really taken."""
        if not ids:
            return []
        free = (O.c.claimed_until.is_(None) | (O.c.claimed_until <= now)
                | (O.c.claimed_by == self.sender))
        with self.engine.begin() as conn:
            pick = select(O.c.id).where(O.c.id.in_(ids), _PENDING, free)
            if conn.dialect.name == "postgresql":
                pick = pick.with_for_update(skip_locked=True)
            got = list(conn.execute(pick).scalars())
            if not got:
                return []
            conn.execute(update(O).where(O.c.id.in_(got)).values(
                claimed_by=self.sender, claimed_until=now + lease))
            rows = conn.execute(
                select(O.c.id, O.c.idempotency_key, O.c.kind, O.c.payload, O.c.created_at,
                       O.c.attempts).where(O.c.id.in_(got)).order_by(O.c.id)).all()
        return [Claimed(r.id, r.idempotency_key, r.kind, r.payload or {}, r.created_at,
                        r.attempts) for r in rows]

    # ---- settling ----
    def settle(self, s: Settlement, now: datetime) -> None:
        """Write what the server answered (one transaction). A delivered row is marked sent;
        its claim and error go; files are left to ``images`` (case.created) or done."""
        if not s:
            return
        mine = O.c.claimed_by == self.sender
        with self.engine.begin() as conn:
            if s.delivered:
                conn.execute(
                    update(O).where(O.c.id == bindparam("b_id"), O.c.sent_at.is_(None))
                    .values(sent_at=now, response=bindparam("b_response"),
                            attempts=O.c.attempts + 1, last_error=None, claimed_by=None,
                            claimed_until=None, files_removed_at=bindparam("b_files")),
                    [{"b_id": i, "b_response": resp, "b_files": None if files else now}
                     for i, resp, files in s.delivered])
            if s.retry:
                conn.execute(
                    update(O).where(O.c.id == bindparam("b_id"), O.c.sent_at.is_(None))
                    .values(attempts=O.c.attempts + 1, last_error=bindparam("b_error"),
                            next_attempt_at=bindparam("b_next"), claimed_by=None,
                            claimed_until=None),
                    [{"b_id": i, "b_error": e, "b_next": n} for i, e, n in s.retry])
            if s.failed:
                conn.execute(
                    update(O).where(O.c.id == bindparam("b_id"), O.c.sent_at.is_(None))
                    .values(attempts=O.c.attempts + 1, last_error=bindparam("b_error"),
                            claimed_by=None, claimed_until=None),
                    [{"b_id": i, "b_error": e} for i, e in s.failed])
            if s.parked:
                conn.execute(
                    update(O).where(O.c.id == bindparam("b_id"), O.c.sent_at.is_(None))
                    .values(attempts=O.c.attempts + 1, last_error=bindparam("b_error"),
                            parked_at=now, claimed_by=None, claimed_until=None),
                    [{"b_id": i, "b_error": e} for i, e in s.parked])
            if s.released:
                conn.execute(update(O).where(O.c.id.in_(s.released), mine)
                             .values(claimed_by=None, claimed_until=None))
        for i, _, _ in s.delivered:
            self._records.pop(i, None)
        for i, _ in s.parked:
            self._records.pop(i, None)

    def adopt_dead_claims(self, now: datetime, lease: timedelta) -> int:
        """Take over the rows claimed by a sender process of this machine that no longer exists
        (killed mid-send): this sender retries them at once, with the same kiosk token, so a
        record the server already stored is answered by a replay. (Freed for any sender, another
        kiosk's retry of the same key would meet a 409: the inbox is per kiosk.)"""
        host = socket.gethostname() + ":"
        with self.engine.connect() as conn:
            holders = list(conn.execute(
                select(O.c.claimed_by).where(_PENDING, O.c.claimed_by.like(host + "%"))
                .distinct()).scalars())
        dead = [h for h in holders if h != self.sender and not _alive(h.split(":")[1])]
        if not dead:
            return 0
        with self.engine.begin() as conn:
            result = conn.execute(update(O).where(_PENDING, O.c.claimed_by.in_(dead))
                                  .values(claimed_by=self.sender, claimed_until=now + lease))
        return int(result.rowcount)

    # ---- the technician's numbers ----
    def depth(self) -> Depth:
        with self.engine.connect() as conn:
            pending, oldest = conn.execute(
                select(func.count(), func.min(O.c.created_at)).where(_PENDING)).one()
            parked = conn.execute(select(func.count()).select_from(O).where(
                O.c.sent_at.is_(None), O.c.parked_at.is_not(None))).scalar_one()
            last = conn.execute(select(func.max(O.c.sent_at))).scalar()
            error = conn.execute(select(O.c.last_error).where(_PENDING)
                                 .order_by(O.c.id).limit(1)).scalar()
        return Depth(int(pending), int(parked), oldest, last, error)

    def parked(self, limit: int = 100) -> list[dict[str, Any]]:
        """Parked rows for the technician: id, kind, when, why (no payload: it holds personal
        data)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(O.c.id, O.c.kind, O.c.created_at, O.c.parked_at, O.c.last_error)
                .where(O.c.sent_at.is_(None), O.c.parked_at.is_not(None))
                .order_by(O.c.id).limit(limit)).all()
        return [{"id": r.id, "kind": r.kind, "created_at": r.created_at.isoformat(),
                 "parked_at": r.parked_at.isoformat(), "error": r.last_error} for r in rows]

    def unpark(self, ids: list[int] | None, now: datetime) -> int:
        """Put parked rows back in the queue (all when ``ids`` is None), due now."""
        cond = O.c.sent_at.is_(None) & O.c.parked_at.is_not(None)
        if ids is not None:
            cond = cond & O.c.id.in_(ids)
        with self.engine.begin() as conn:
            result = conn.execute(update(O).where(cond).values(
                parked_at=None, next_attempt_at=now, attempts=0))
        return int(result.rowcount)


def _alive(pid_text: str) -> bool:
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (ValueError, PermissionError, OverflowError):
        return True  # not ours to judge: let the lease run out
    return True
