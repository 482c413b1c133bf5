"""The idempotent inbox: each kiosk write is stored once per ``Idempotency-Key``.

A repeat with the same body hash gets the first status and body again; a repeat with a different
body is a 409. Two requests with one key at the same moment race on the inbox's primary key: the
first insert wins, the loser's transaction fails on the constraint (on PostgreSQL it waits for
the winner's commit first) and it reads the winner's answer. Only successful writes are stored:
a refused request leaves nothing behind and may be corrected and sent again.
Never stores anything in the inbox that the answer would not show (no codes, no personal data).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.hall.models import InboxEntry

MAX_KEY_CHARS = 160


class InboxConflict(Exception):
    """The key was used before for a different request (or by another kiosk)."""


@dataclass(frozen=True)
class Answer:
    status_code: int
    body: dict[str, Any]
    replay: bool = False


def canonical_hash(value: object, *extra: str) -> str:
    """sha256 of the request as data (sorted keys, no whitespace), so a re-serialised retry of
    the same payload hashes the same; ``extra`` adds e.g. uploaded files' hashes."""
    blob = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    h = hashlib.sha256(blob.encode("utf-8"))
    for part in extra:
        h.update(b"\n" + part.encode("utf-8"))
    return h.hexdigest()


def _replay(entry: InboxEntry, kiosk_id: str, digest: str) -> Answer:
    if entry.kiosk_id != kiosk_id or entry.body_sha256 != digest:
        raise InboxConflict("this Idempotency-Key was already used for a different request")
    return Answer(entry.status_code, dict(entry.response), replay=True)


def lookup(session: Session, key: str, kiosk_id: str, digest: str) -> Answer | None:
    """The stored answer for ``key`` (a replay), None when the key is new; raises
    ``InboxConflict`` when the key was used for another request."""
    entry = session.get(InboxEntry, key)
    return _replay(entry, kiosk_id, digest) if entry is not None else None


def find(sessions: sessionmaker[Session], key: str, kiosk_id: str, digest: str) -> Answer | None:
    with sessions() as session:
        return lookup(session, key, kiosk_id, digest)


def handle(sessions: sessionmaker[Session], *, key: str, kiosk_id: str, endpoint: str,
           digest: str, work: Callable[[Session], tuple[int, dict[str, Any]]],
           after_commit: Callable[[], None] | None = None,
           on_failure: Callable[[], None] | None = None) -> Answer:
    """Answer a write exactly once: replay, conflict, or run ``work`` in one transaction with
    the inbox row. ``on_failure`` undoes side effects outside the database (moved files)."""
    try:
        with sessions.begin() as session:
            # looked up in the write's own transaction: one connection per request, not two
            found = lookup(session, key, kiosk_id, digest)
            if found is not None:
                return found
            entry = InboxEntry(key=key, kiosk_id=kiosk_id, endpoint=endpoint, body_sha256=digest,
                               status_code=0, response={}, received_at=datetime.now(UTC))
            session.add(entry)
            session.flush()  # the race is decided here, before any other row is written
            status, body = work(session)
            entry.status_code, entry.response = status, body
    except IntegrityError:
        if on_failure:
            on_failure()
        found = find(sessions, key, kiosk_id, digest)
        if found is not None:
            return found
        raise InboxConflict("this record was already received under another "
                            "Idempotency-Key") from None
    except BaseException:
        if on_failure:
            on_failure()
        raise
    if after_commit:
        after_commit()
    return Answer(status, body)
