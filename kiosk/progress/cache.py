"""The last answer the hall server gave about each case, kept for lookups while it is away.

Every successful lookup stores the server's kiosk view per case (``case_status_cache``), with the
time it was fetched; when the server cannot be reached the flow shows what is here and how old
it is (更新于 N 分钟前). Rows carry what the server's view carries — the masked name, the
status, the owed list — and the ``person_hash`` the lookup was made with, never an ID number.
A summary never overwrites a detailed answer's timeline and owed list while it confirms the
same state (status, owed count, locker). Rows older than ``cache_days`` are deleted on every write.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, delete, select

from kiosk.progress.views import CaseView
from kiosk.storage.models import CaseStatusCache


@dataclass(frozen=True)
class Cached:
    view: CaseView
    fetched_at: datetime


class CaseCache:
    def __init__(self, engine: Engine, keep_days: int) -> None:
        self.engine = engine
        self.keep = timedelta(days=keep_days)

    def store(self, answers: Iterable[dict[str, Any]], fetched_at: datetime, *,
              person_hash: str | None = None) -> None:
        """Remember the server's answers (already parsed once by the caller)."""
        table = CaseStatusCache.__table__
        with self.engine.begin() as conn:
            for data in answers:
                view = CaseView.from_json(data)
                old = conn.execute(select(table).where(
                    table.c.case_id == view.case_id)).mappings().first()
                if old is not None and old["detailed"] and not view.detailed \
                        and _same_state(old["view"], view):
                    # The detailed answer says more about the same state, which the hall has
                    # just confirmed: keep it, as of now, and learn whose case it is.
                    conn.execute(table.update().where(table.c.case_id == view.case_id).values(
                        fetched_at=fetched_at,
                        person_hash=person_hash or old["person_hash"]))
                    continue
                row = {"case_number": view.case_number,
                       "person_hash": person_hash or (old["person_hash"] if old else None),
                       "masked_name": view.masked_name, "status": view.status,
                       "detailed": view.detailed, "view": data, "fetched_at": fetched_at}
                if old is None:
                    conn.execute(table.insert().values(case_id=view.case_id, **row))
                else:
                    conn.execute(table.update().where(
                        table.c.case_id == view.case_id).values(**row))
            if self.keep:
                conn.execute(delete(table).where(table.c.fetched_at < fetched_at - self.keep))

    def case(self, case_id: str) -> Cached | None:
        rows = self._read(CaseStatusCache.case_id == case_id)
        return rows[0] if rows else None

    def by_number(self, case_number: str) -> Cached | None:
        rows = self._read(CaseStatusCache.case_number == case_number)
        return rows[0] if rows else None

    def of_person(self, person_hash: str) -> list[Cached]:
        """Newest submission first, like the server's list."""
        rows = self._read(CaseStatusCache.person_hash == person_hash)
        return sorted(rows, key=lambda c: c.view.submitted_at, reverse=True)

    def _read(self, where: Any) -> list[Cached]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(CaseStatusCache.view, CaseStatusCache.fetched_at)
                                .where(where)).all()
        out = []
        for view, fetched_at in rows:
            try:
                out.append(Cached(CaseView.from_json(view), fetched_at))
            except ValueError:  # a row from an older server version: not worth a crash
                continue
        return out


def _same_state(stored: dict[str, Any], view: CaseView) -> bool:
    try:
        before = CaseView.from_json(stored)
    except ValueError:
        return False
    return (before.status, before.owed_count, before.locker) == (
        view.status, view.owed_count, view.locker)
