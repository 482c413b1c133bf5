"""Committing a self-service submission on the kiosk: images on disk, then ONE transaction.

``CaseStore.commit`` writes the draft's page images into ``<data_dir>/cases/.<case_id>.partial``
(folder 0700, files 0600), fsyncs every file and the folder, renames it to
``<data_dir>/cases/<case_id>`` and fsyncs the parent; only then does one transaction insert the
case, its materials and pages, an audit row and the ``case.created`` outbox message (payload
exactly as the hall contract says, each page's absolute ``path`` for the sender). A transaction
that fails removes the folder; a crash between the rename and the commit leaves a folder no row
names, which ``sweep_orphans`` deletes at start. The screen says "submitted" only after
``commit`` returned: nothing waits for the network. The per-kiosk daily reference
(``K01-20261201-003``) is what the receipt shows until the hall server's number follows.

Never logs or stores a clear name or ID number (``person_hash`` and the masked name only), and
never deletes a folder a committed case names.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, func, insert, select

from config.schema import Config
from kiosk.cases.model import (
    CaseDraft,
    CaseReceipt,
    CommittedCase,
    OpenCase,
    OwedLine,
    ReceivedLine,
)
from kiosk.clock import Clock, local_now
from kiosk.i18n import Names
from kiosk.outbox import Outbox
from kiosk.storage.models import (
    AuditEntry,
    LocalCase,
    LocalCaseMaterial,
    LocalCasePage,
    OutboxMessage,
)
from kiosk.tokens import case_token
from kiosk.workdays import HallCalendar

log = logging.getLogger(__name__)

CASES_DIR = "cases"
PARTIAL = ".partial"
CASE_CREATED = "case.created"


def new_case_id() -> str:
    return str(uuid.uuid4())


def page_file(material_no: int, page_no: int) -> str:
    """``m1-p1.jpg``: what the hall contract allows as a file name (no directories, ASCII)."""
    return f"m{material_no}-p{page_no}.jpg"


@dataclass(frozen=True)
class _Written:
    file: str
    path: Path
    sha256: str
    size: int


class CaseStore:
    """Commits submissions for one kiosk and answers "is a case of this person still open?"."""

    def __init__(self, engine: Engine, config: Config, clock: Clock, outbox: Outbox,
                 data_dir: Path, secret: bytes) -> None:
        self.engine = engine
        self.config = config
        self.clock = clock
        self.outbox = outbox
        self.root = Path(data_dir).resolve() / CASES_DIR
        self.secret = secret
        self.tz = ZoneInfo(config.hall.timezone)
        self.calendar = HallCalendar.from_config(config)

    # ---- dates ----------------------------------------------------------------------------
    def today(self) -> date:
        return local_now(self.clock, self.tz).date()

    def owed_due(self, day: date) -> date:
        """When a material owed under commitment (容缺) must be handed in."""
        return self.calendar.add_working_days(day, self.config.submission.owed_working_days)

    def progress_url(self, case_id: str) -> str:
        return f"{self.config.hall.progress_url.rstrip('/')}/{case_token(case_id, self.secret)}"

    # ---- repeat check ---------------------------------------------------------------------
    def open_cases(self, person_hash: str, item_ids: tuple[str, ...]) -> list[OpenCase]:
        """This person's cases for any of ``item_ids`` still open: not past their promised date
        by more than ``[submission] open_case_days`` (the kiosk cannot see the server's status
        offline, so it errs on the side of asking). Newest first."""
        keep = timedelta(days=self.config.submission.open_case_days)
        today = self.today()
        wanted = set(item_ids)
        c = LocalCase.__table__.c
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(c.case_id, c.local_ref, c.item_ids, c.submitted_at, c.promised_date,
                       c.service_date).where(c.person_hash == person_hash)
                .order_by(c.submitted_at.desc()).limit(50)).all()
            found = [r for r in rows if wanted & set(r.item_ids or ())
                     and (r.promised_date or r.service_date) + keep >= today]
            numbers = self._server_numbers(conn, [r.case_id for r in found])
        return [OpenCase(r.case_id, r.local_ref, tuple(r.item_ids), r.submitted_at,
                         numbers.get(r.case_id)) for r in found]

    def _server_numbers(self, conn: Connection, case_ids: list[str]) -> dict[str, str]:
        """The hall server's case numbers of cases it has answered for (the outbox keeps it)."""
        if not case_ids:
            return {}
        o = OutboxMessage.__table__.c
        keys = {self.outbox.key(f"case:{cid}"): cid for cid in case_ids}
        rows = conn.execute(select(o.idempotency_key, o.response)
                            .where(o.idempotency_key.in_(list(keys)))).all()
        out: dict[str, str] = {}
        for row in rows:
            number = (row.response or {}).get("case_number")
            if isinstance(number, str) and number:
                out[keys[row.idempotency_key]] = number
        return out

    # ---- commit ---------------------------------------------------------------------------
    def commit(self, draft: CaseDraft) -> CommittedCase:
        """Images on disk (fsynced), then the case, audit row and outbox message in one
        transaction. Raises on any failure, leaving neither files nor rows behind."""
        at = local_now(self.clock, self.tz)
        day = at.date()
        folder = self._write_images(draft)
        try:
            with self.engine.begin() as conn:
                seq = self._next_seq(conn, day)
                local_ref = f"{self.config.kiosk.id}-{day:%Y%m%d}-{seq:03d}"
                receipt = self._record(conn, draft, folder, at, seq, local_ref)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        log.info("case %s committed (%d items, %d pages)", local_ref, len(draft.plan.items),
                 draft.page_count)
        return CommittedCase(draft.case_id, local_ref, str(folder), receipt)

    def _next_seq(self, conn: Connection, day: date) -> int:
        c = LocalCase.__table__.c
        last = conn.execute(select(func.max(c.seq)).where(
            c.kiosk_id == self.config.kiosk.id, c.service_date == day)).scalar()
        return int(last or 0) + 1

    def _write_images(self, draft: CaseDraft) -> Path:
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        final = self.root / draft.case_id
        partial = self.root / f".{draft.case_id}{PARTIAL}"
        if final.exists():
            raise FileExistsError(f"case folder {final} already exists")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(mode=0o700)
        try:
            for m_no, material in enumerate(draft.materials, start=1):
                for p_no, jpeg in enumerate(material.pages, start=1):
                    _write_synced(partial / page_file(m_no, p_no), jpeg)
            _fsync_dir(partial)
            os.rename(partial, final)
            _fsync_dir(self.root)
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            raise
        return final

    def _record(self, conn: Connection, draft: CaseDraft, folder: Path, at: datetime,
                seq: int, local_ref: str) -> CaseReceipt:
        plan = draft.plan
        day = at.date()
        promised = plan.promised_date(day, self.calendar)
        due = self.owed_due(day)
        conn.execute(insert(LocalCase.__table__).values(
            case_id=draft.case_id, hall=self.config.hall.code, kiosk_id=self.config.kiosk.id,
            service_date=day, seq=seq, local_ref=local_ref, item_ids=list(plan.item_ids),
            bundle_id=plan.bundle_id, person_hash=draft.person_hash,
            masked_name=draft.masked_name, delivery=draft.delivery, submitted_at=at,
            promised_date=promised,
            repeat_of=draft.repeat_of.case_id if draft.repeat_of else None,
            files_dir=str(folder)))
        materials: list[dict[str, object]] = []
        received: list[ReceivedLine] = []
        owed: list[OwedLine] = []
        for m_no, material in enumerate(draft.materials, start=1):
            req = material.request
            status = "owed" if material.owed else "received"
            row_id = conn.execute(insert(LocalCaseMaterial.__table__).values(
                case_id=draft.case_id, position=m_no, material_id=req.id, name=req.name,
                status=status, due_date=due if material.owed else None)
                .returning(LocalCaseMaterial.__table__.c.id)).scalar_one()
            pages: list[dict[str, object]] = []
            for p_no, jpeg in enumerate(material.pages, start=1):
                written = _Written(page_file(m_no, p_no), folder / page_file(m_no, p_no),
                                   hashlib.sha256(jpeg).hexdigest(), len(jpeg))
                conn.execute(insert(LocalCasePage.__table__).values(
                    material_row=row_id, position=p_no, file=written.file,
                    sha256=written.sha256, size=written.size))
                pages.append({"file": written.file, "sha256": written.sha256,
                              "path": str(written.path)})
            materials.append({"material_id": req.id, "name": req.name, "status": status,
                              "due_date": due.isoformat() if material.owed else None,
                              "pages": pages})
            name = Names(req.name, req.name_en)
            if material.owed:
                owed.append(OwedLine(name, due))
            else:
                received.append(ReceivedLine(name, len(material.pages)))
        repeat_number = draft.repeat_of.number if draft.repeat_of else None
        payload: dict[str, object] = {
            "case_id": draft.case_id, "hall": self.config.hall.code,
            "kiosk": self.config.kiosk.id, "item_ids": list(plan.item_ids),
            "bundle_id": plan.bundle_id, "person_hash": draft.person_hash,
            "masked_name": draft.masked_name, "delivery": draft.delivery,
            "submitted_at": at.isoformat(), "promised_date": promised.isoformat(),
            "repeat_of": repeat_number, "materials": materials,
        }
        conn.execute(insert(AuditEntry.__table__).values(
            at=at, hall=self.config.hall.code, actor=self.config.kiosk.id,
            action="case.submitted", subject=draft.case_id,
            detail={"local_ref": local_ref, "item_ids": list(plan.item_ids),
                    "pages": draft.page_count, "owed": len(owed),
                    "repeat_of": draft.repeat_of.case_id if draft.repeat_of else None}))
        self.outbox.add(conn, f"case:{draft.case_id}", CASE_CREATED, payload, at)
        receipt = CaseReceipt(
            case_id=draft.case_id, local_ref=local_ref, submitted_at=at,
            masked_name=draft.masked_name,
            bundle=Names(plan.item.name, plan.item.name_en) if plan.bundle_id else None,
            items=tuple(Names(i.name, i.name_en) for i in plan.items),
            received=tuple(received), owed=tuple(owed), promised_date=promised,
            delivery=draft.delivery, progress_url=self.progress_url(draft.case_id),
            repeat_of=repeat_number)
        return receipt

    # ---- housekeeping ---------------------------------------------------------------------
    def sweep_orphans(self) -> int:
        """Delete image folders no committed case names (a crash between the files and the
        transaction, or a half-written ``.partial``). Returns how many were removed."""
        if not self.root.is_dir():
            return 0
        c = LocalCase.__table__.c
        with self.engine.connect() as conn:
            known = set(conn.execute(select(c.case_id).where(
                c.kiosk_id == self.config.kiosk.id)).scalars())
        removed = 0
        for entry in self.root.iterdir():
            if not entry.is_dir() or entry.name in known:
                continue
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
        if removed:
            log.warning("removed %d uncommitted case image folder(s)", removed)
        return removed


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
