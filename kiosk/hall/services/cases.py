"""Cases (办件): creation from a kiosk's submission, the status timeline, 一次性告知 (owed list).

Case numbers are ``SB<yyyymmdd>-<seq>`` per hall and local day of submission, from an atomic
upsert on ``hall_case_sequences`` inside the case's transaction (no duplicates, no gaps). The
receipt token is the kiosk's own ``case_token`` (case id signed with the hall secret), so the
QR printed before the server saw the case opens it here too. Every status change
writes a timeline row and an audit row. Never stores or returns a clear name or ID number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from kiosk.hall.audit import record
from kiosk.hall.models import Case, CaseEvent, CaseMaterial, CasePage, CaseSequence
from kiosk.hall.notify import Notifier, deliver
from kiosk.hall.schemas import CaseIn
from kiosk.hall.services.errors import CaseNotFound, RecordExists, TransitionRefused
from kiosk.hall.settings import HallSettings
from kiosk.tokens import case_token

STATUSES = ("received", "under_review", "more_needed", "approved", "rejected",
            "ready_for_pickup", "collected")
ALLOWED: dict[str, tuple[str, ...]] = {
    "received": ("under_review", "more_needed", "rejected"),
    "under_review": ("more_needed", "approved", "rejected"),
    "more_needed": ("under_review", "rejected"),
    "approved": ("ready_for_pickup", "collected"),
    "rejected": ("ready_for_pickup", "collected"),
    "ready_for_pickup": ("collected",),
    "collected": (),
}
STATUS_ZH = {"received": "已受理", "under_review": "审核中", "more_needed": "需补充材料",
             "approved": "已办结（准予）", "rejected": "已办结（不予）",
             "ready_for_pickup": "待领取", "collected": "已领取"}


@dataclass(frozen=True)
class StoredPage:
    """An uploaded page already on disk (``path`` relative to the files folder)."""

    file: str
    sha256: str
    size: int
    content_type: str
    path: str


@dataclass(frozen=True)
class OwedItem:
    material_id: str
    name: str
    due_date: date | None = None


@dataclass(frozen=True)
class PageView:
    id: int
    file: str
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class MaterialView:
    material_id: str
    name: str
    status: str
    due_date: date | None
    pages: list[PageView] = field(default_factory=list)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    status: str
    actor: str
    note: str


@dataclass(frozen=True)
class CaseSummary:
    case_number: str
    case_id: str
    status: str
    item_ids: list[str]
    masked_name: str
    delivery: str
    submitted_at: datetime
    promised_date: date | None
    repeat_of: str | None
    kiosk_id: str
    owed_count: int


@dataclass(frozen=True)
class CaseDetail(CaseSummary):
    receipt_token: str = ""
    bundle_id: str | None = None
    person_hash: str = ""
    materials: list[MaterialView] = field(default_factory=list)
    timeline: list[TimelineEntry] = field(default_factory=list)


def _next_seq(session: Session, hall: str, day: date) -> int:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    table = CaseSequence.__table__
    stmt = insert(table).values(hall=hall, day=day, last_seq=1).on_conflict_do_update(
        index_elements=["hall", "day"], set_={"last_seq": table.c.last_seq + 1},
    ).returning(table.c.last_seq)
    return int(session.execute(stmt).scalar_one())


def create_case(session: Session, case: CaseIn, kiosk_id: str, pages: dict[int, StoredPage],
                settings: HallSettings, *, now: datetime | None = None) -> dict[str, str]:
    """Store a submitted case; ``pages`` maps the index of each page in payload order (across
    materials) to its stored file. Returns the 201 answer."""
    case_id = str(case.case_id)
    if session.get(Case, case_id) is not None:
        raise RecordExists(f"case {case_id} was already received under another key",
                           "该办件已经收到")
    now = now or datetime.now(UTC)
    day = case.submitted_at.astimezone(settings.tz).date()
    number = f"SB{day:%Y%m%d}-{_next_seq(session, case.hall, day):04d}"
    repeat_of = case.repeat_of or _earlier_case(session, case.person_hash, case.item_ids)
    row = Case(case_id=case_id, case_number=number,
               receipt_token=case_token(case_id, settings.secret),
               hall=case.hall, kiosk_id=kiosk_id, item_ids=list(case.item_ids),
               bundle_id=case.bundle_id, person_hash=case.person_hash,
               masked_name=case.masked_name, delivery=case.delivery,
               submitted_at=case.submitted_at, promised_date=case.promised_date,
               repeat_of=repeat_of, status="received", updated_at=now)
    session.add(row)
    index = 0
    for m in case.materials:
        mat = CaseMaterial(case_id=case_id, material_id=m.material_id, name=m.name,
                           status=m.status, due_date=m.due_date, pages=[])
        for _ in m.pages:
            p = pages[index]
            index += 1
            mat.pages.append(CasePage(file=p.file, sha256=p.sha256, size=p.size,
                                      content_type=p.content_type, stored_path=p.path))
        session.add(mat)
    session.add(CaseEvent(case_id=case_id, at=now, status="received", actor=f"kiosk:{kiosk_id}",
                          note=""))
    return {"case_number": number, "case_id": case_id, "receipt_token": row.receipt_token}


def _earlier_case(session: Session, person_hash: str, item_ids: list[str]) -> str | None:
    """A repeated submission of the same item by the same person (一次性告知 failed): flag it."""
    rows = session.execute(select(Case.case_number, Case.item_ids).where(
        Case.person_hash == person_hash).order_by(Case.submitted_at.desc()).limit(50)).all()
    wanted = set(item_ids)
    return next((r.case_number for r in rows if wanted & set(r.item_ids)), None)


def _case(session: Session, case_number: str, *, lock: bool = False) -> Case:
    stmt = select(Case).where(Case.case_number == case_number)
    if lock:
        stmt = stmt.with_for_update()
    row = session.execute(stmt).scalar()
    if row is None:
        raise CaseNotFound(case_number)
    return row


def _owed_counts(session: Session, case_ids: list[str]) -> dict[str, int]:
    if not case_ids:
        return {}
    rows = session.execute(select(CaseMaterial.case_id, func.count()).where(
        CaseMaterial.case_id.in_(case_ids), CaseMaterial.status == "owed").group_by(
        CaseMaterial.case_id)).all()
    return {r[0]: int(r[1]) for r in rows}


def _summary_fields(row: Case, owed: int) -> dict[str, object]:
    return dict(case_number=row.case_number, case_id=row.case_id, status=row.status,
                item_ids=list(row.item_ids), masked_name=row.masked_name, delivery=row.delivery,
                submitted_at=row.submitted_at, promised_date=row.promised_date,
                repeat_of=row.repeat_of, kiosk_id=row.kiosk_id, owed_count=owed)


def list_cases(session: Session, *, status: str | None = None, item_id: str | None = None,
               day: date | None = None, person_hash: str | None = None, limit: int = 100,
               offset: int = 0) -> list[CaseSummary]:
    """Newest first. ``day`` filters on the date in the case number (local submission day)."""
    stmt = select(Case).order_by(Case.submitted_at.desc()).limit(limit).offset(offset)
    if status:
        stmt = stmt.where(Case.status == status)
    if person_hash:
        stmt = stmt.where(Case.person_hash == person_hash)
    if day:
        stmt = stmt.where(Case.case_number.like(f"SB{day:%Y%m%d}-%"))
    rows = list(session.execute(stmt).scalars())
    if item_id:  # item_ids is a JSON list: filtered here, portable across SQLite and PostgreSQL
        rows = [r for r in rows if item_id in r.item_ids]
    owed = _owed_counts(session, [r.case_id for r in rows])
    return [CaseSummary(**_summary_fields(r, owed.get(r.case_id, 0))) for r in rows]


def _detail(session: Session, row: Case) -> CaseDetail:
    mats = list(session.execute(select(CaseMaterial).where(
        CaseMaterial.case_id == row.case_id).order_by(CaseMaterial.id)).scalars())
    pages = list(session.execute(select(CasePage).where(
        CasePage.material_pk.in_([m.id for m in mats])).order_by(CasePage.id)).scalars()) \
        if mats else []
    events = session.execute(select(CaseEvent).where(
        CaseEvent.case_id == row.case_id).order_by(CaseEvent.at, CaseEvent.id)).scalars()
    materials = [MaterialView(m.material_id, m.name, m.status, m.due_date,
                              [PageView(p.id, p.file, p.sha256, p.size, p.content_type)
                               for p in pages if p.material_pk == m.id]) for m in mats]
    owed = sum(m.status == "owed" for m in mats)
    return CaseDetail(**_summary_fields(row, owed), receipt_token=row.receipt_token,
                      bundle_id=row.bundle_id, person_hash=row.person_hash,
                      materials=materials,
                      timeline=[TimelineEntry(e.at, e.status, e.actor, e.note) for e in events])


def get_case(session: Session, case_number: str) -> CaseDetail | None:
    row = session.execute(select(Case).where(Case.case_number == case_number)).scalar()
    return _detail(session, row) if row else None


def get_case_by_token(session: Session, receipt_token: str) -> CaseDetail | None:
    row = session.execute(select(Case).where(Case.receipt_token == receipt_token)).scalar()
    return _detail(session, row) if row else None


def change_status(session: Session, case_number: str, new_status: str, *, actor: str,
                  note: str, notifier: Notifier | None = None,
                  now: datetime | None = None) -> CaseDetail:
    row = _case(session, case_number, lock=True)
    if new_status not in ALLOWED.get(row.status, ()):
        raise TransitionRefused(row.status, new_status)
    now = now or datetime.now(UTC)
    old, row.status, row.updated_at = row.status, new_status, now
    session.add(CaseEvent(case_id=row.case_id, at=now, status=new_status, actor=actor,
                          note=note))
    record(session, actor, "case.status", case_number, {"from": old, "to": new_status}, at=now)
    session.flush()
    if new_status == "ready_for_pickup":
        deliver(notifier, "case.ready_for_pickup", case_number, row.person_hash,
                f"您的办件 {case_number} 已办结，可以领取。", {"delivery": row.delivery})
    return _detail(session, row)


def set_owed(session: Session, case_number: str, owed: list[OwedItem], *, actor: str,
             note: str, now: datetime | None = None) -> CaseDetail:
    """一次性告知: the complete list of what is still owed replaces the previous one. Materials
    no longer listed count as received."""
    row = _case(session, case_number, lock=True)
    now = now or datetime.now(UTC)
    mats = {m.material_id: m for m in session.execute(select(CaseMaterial).where(
        CaseMaterial.case_id == row.case_id)).scalars()}
    wanted = {o.material_id: o for o in owed}
    for mid, mat in mats.items():
        if mid not in wanted and mat.status == "owed":
            mat.status, mat.due_date = "received", None
    for mid, o in wanted.items():
        mat = mats.get(mid)
        if mat is None:
            session.add(CaseMaterial(case_id=row.case_id, material_id=mid, name=o.name,
                                     status="owed", due_date=o.due_date))
        else:
            mat.status, mat.due_date = "owed", o.due_date
    row.updated_at = now
    record(session, actor, "case.owed", case_number,
           {"owed": sorted(wanted), "note": note[:200]}, at=now)
    session.flush()
    return _detail(session, row)


def page_path(session: Session, case_number: str, page_id: int,
              files_dir: Path) -> Path | None:
    row = session.execute(select(CasePage.stored_path).join(
        CaseMaterial, CaseMaterial.id == CasePage.material_pk).join(
        Case, Case.case_id == CaseMaterial.case_id).where(
        Case.case_number == case_number, CasePage.id == page_id)).scalar()
    return files_dir / row if row else None
