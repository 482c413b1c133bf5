"""Cases submitted at this kiosk that the hall server may not know yet (自助申报 commits a case
locally first; the outbox carries it later), shown in a progress lookup as 已提交，等待上传.

The ``local_cases`` table belongs to the submission journey (migration 0003, built alongside
this one). This module reads it only when it exists and only the columns it needs, so progress
lookup works before and after that journey is merged; any database error reads as "no local
cases" rather than a broken lookup. Never writes.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from kiosk.progress.views import CaseView, OwedMaterial

log = logging.getLogger(__name__)

_CASES = text(
    "SELECT case_id, local_ref, item_ids, masked_name, delivery, submitted_at, promised_date "
    "FROM local_cases WHERE {where} ORDER BY submitted_at DESC")
_OWED = text("SELECT material_id, name, due_date FROM local_case_materials "
             "WHERE case_id = :case_id AND status = 'owed' ORDER BY position")


def local_cases(engine: Engine, *, person_hash: str | None = None,
                case_id: str | None = None) -> list[CaseView]:
    """This kiosk's own cases of a person (or the one case), newest first; [] without the
    table. The caller drops those the hall has already answered for."""
    if person_hash is None and case_id is None:
        return []
    try:
        if not inspect(engine).has_table("local_cases"):
            return []
        where, value = (("person_hash = :v", person_hash) if person_hash is not None
                        else ("case_id = :v", case_id))
        with engine.connect() as conn:
            rows = conn.execute(text(_CASES.text.format(where=where)), {"v": value}).all()
            out = []
            for r in rows:
                owed = tuple(OwedMaterial(str(o.name), _as_date(o.due_date), str(o.material_id))
                             for o in conn.execute(_OWED, {"case_id": r.case_id}))
                out.append(CaseView(
                    case_id=str(r.case_id), case_number="", status="submitted",
                    item_ids=_items(r.item_ids),
                    masked_name=str(r.masked_name or ""), delivery=str(r.delivery),
                    submitted_at=_as_instant(r.submitted_at),
                    promised_date=_as_date(r.promised_date), owed_count=len(owed), owed=owed,
                    detailed=True, local_only=True, local_ref=str(r.local_ref or "")))
            return out
    except (SQLAlchemyError, ValueError, TypeError) as exc:
        log.warning("local cases unreadable: %s", type(exc).__name__)
        return []


def _items(value: object) -> tuple[str, ...]:
    if isinstance(value, str):  # JSON read through plain SQL on SQLite is its text
        value = json.loads(value)
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _as_date(value: object) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _as_instant(value: object) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        raise TypeError("submitted_at is not a time")
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # stored as UTC
