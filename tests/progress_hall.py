"""The real hall server for the progress and rating tests: started on loopback (uvicorn in a
thread) over SQLite, with cases put in through the hall's own services, so what the kiosk reads
is exactly what ``kiosk/hall/api_reads.py`` answers.

Receipt tokens: the hall server is being changed (another branch) to store the kiosk's signed
``kiosk.tokens.case_token(case_id, secret)`` as the case's ``receipt_token``; ``add_case`` sets
it that way, so these tests read cases the way a receipt QR will at merge.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import update

from kiosk.hall.models import Case
from kiosk.hall.schemas import CaseIn
from kiosk.hall.services import cases, lockers
from kiosk.tokens import case_token
from tests.hall.conftest import SECRET, Hall, ThreadServer, start_hall

ITEM = "unemployment-registration"


@dataclass
class RunningHall:
    hall: Hall
    server: ThreadServer
    tmp: Path

    @property
    def url(self) -> str:
        return self.hall.url

    @property
    def token(self) -> str:
        return self.hall.tokens["K01"]

    def stop(self) -> None:
        self.server.stop()

    def close(self) -> None:
        self.server.stop()
        self.hall.app.state.engine.dispose()


def open_hall(tmp: Path, secret: bytes = SECRET) -> RunningHall:
    """The hall server with the kiosks' hall secret (receipt tokens, ID hashes)."""
    hall, server = start_hall(f"sqlite:///{tmp / 'hall.sqlite3'}", tmp, kiosks=("K01",),
                              secret=secret)
    return RunningHall(hall, server, tmp)


@dataclass(frozen=True)
class CaseRef:
    case_id: str
    number: str
    token: str


def add_case(running: Any, person_hash: str, *, items: Sequence[str] = (ITEM,),
             delivery: str = "window", statuses: Sequence[str] = (),
             owed: Sequence[tuple[str, str, date | None]] = (), locker: int | None = None,
             masked_name: str = "张*", submitted_at: datetime | None = None) -> CaseRef:
    """A case as a kiosk would have submitted it (``running``: a ``RunningHall`` or the
    browser tests' ``Hall``), moved through ``statuses`` by staff, with
    ``owed`` (material id, name, due date) told once (一次性告知) and, with ``locker``, the
    result deposited in that compartment (a pickup code issued)."""
    app = _app(running)
    settings = app.state.settings
    case_id = str(uuid.uuid4())
    body = CaseIn.model_validate({
        "case_id": case_id, "hall": "QZ01", "kiosk": "K01", "item_ids": list(items),
        "person_hash": person_hash, "masked_name": masked_name, "delivery": delivery,
        "submitted_at": (submitted_at or datetime.now(UTC)).isoformat(),
        "promised_date": "2026-06-10",
        "materials": [{"material_id": m, "name": n, "status": "owed",
                       "due_date": d.isoformat() if d else None} for m, n, d in owed]})
    token = case_token(case_id, settings.secret)
    with app.state.sessions.begin() as s:
        answer = cases.create_case(s, body, "K01", {}, settings)
        number = answer["case_number"]
        s.execute(update(Case).where(Case.case_id == case_id).values(receipt_token=token))
    for status in statuses:
        with app.state.sessions.begin() as s:
            cases.change_status(s, number, status, actor="clerk", note="")
    if locker is not None:
        with app.state.sessions.begin() as s:
            lockers.issue_pickup_code(s, number, locker, actor="clerk", settings=settings,
                                      notifier=None)
    return CaseRef(case_id, number, token)


def _app(running: Any) -> Any:
    """The hall app of a ``RunningHall`` or of the browser tests' ``Hall``."""
    return running.hall.app if isinstance(running, RunningHall) else running.app


def move(running: Any, number: str, status: str) -> None:
    with _app(running).state.sessions.begin() as s:
        cases.change_status(s, number, status, actor="clerk", note="")
