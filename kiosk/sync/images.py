"""Deleting a case's material images from the kiosk once the hall server has them.

Photos of a citizen's documents may stay on the kiosk only until their delivery is confirmed,
plus ``[sync] image_retention_days``. This module removes them, and only them: the files named
by the ``path`` of each page of a ``case.created`` message whose ``sent_at`` is set (the server
answered 2xx). It must never touch the files of a message that is pending or parked, and never
delete anything before the row saying "delivered" is committed. A file already gone is fine.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, select, update

from kiosk.storage.models import OutboxMessage
from kiosk.sync.outbox import file_owner
from kiosk.sync.routes import CASE_CREATED, page_paths

log = logging.getLogger(__name__)
O = OutboxMessage.__table__  # noqa: E741
BATCH = 200


def remove_delivered_images(engine: Engine, now: datetime, retention: timedelta,
                            kiosk_id: str | None = None) -> int:
    """Delete the page files of cases delivered at least ``retention`` ago; returns how many
    files were deleted. Rows are marked (``files_removed_at``) so each case is done once.
    ``kiosk_id`` set (a shared database): only this kiosk's cases — the files are on its disk."""
    cutoff = now - retention
    removed = 0
    after = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                select(O.c.id, O.c.kind, O.c.payload).where(
                    O.c.files_removed_at.is_(None), O.c.sent_at.is_not(None),
                    O.c.sent_at <= cutoff, O.c.kind == CASE_CREATED, O.c.id > after)
                .order_by(O.c.id).limit(BATCH)).all()
        if not rows:
            return removed
        after = rows[-1].id
        done: list[int] = []
        for row in rows:
            if kiosk_id is not None and file_owner(row.kind, row.payload or {}) != kiosk_id:
                continue  # another kiosk's case: its files are on that kiosk's disk
            ok = True
            for path in page_paths(row.payload or {}):
                try:
                    path.unlink()
                    removed += 1
                except FileNotFoundError:
                    pass
                except OSError as exc:
                    ok = False  # tried again on the next sweep; the technician sees the log
                    log.warning("sync: cannot delete a delivered material image %s: %s",
                                path, exc.strerror)
            if ok:
                done.append(row.id)
        if done:
            with engine.begin() as conn:
                conn.execute(update(O).where(O.c.id == bindparam("b_id"))
                             .values(files_removed_at=now), [{"b_id": i} for i in done])
        if len(rows) < BATCH:
            return removed

