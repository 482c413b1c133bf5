"""The pickup code design end to end: a deposit at the kiosk's locker goes to the real hall
server through the outbox record; the server derives the same code from the item and the hall
secret and notifies the applicant; that code opens the kiosk's door; the code itself was never
in the outbox, the kiosk database or the server's inbox."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import select, text

from config.schema import Config
from kiosk.lockers.service import CaseRef
from kiosk.storage.models import OutboxMessage
from tests.core.conftest import SECRET as KIOSK_SECRET
from tests.core.locker_fixtures import make_cabinet
from tests.hall.conftest import SECRET as HALL_SECRET
from tests.hall.conftest import case_parts, case_payload, image_bytes, start_hall


@pytest.fixture
def hall(tmp_path) -> Iterator[object]:
    built, server = start_hall(f"sqlite:///{tmp_path / 'hall.sqlite3'}", tmp_path)
    yield built
    server.stop()
    built.app.state.engine.dispose()


def test_the_code_the_hall_sends_is_the_code_the_kiosk_accepts(hall, engine, config: Config,
                                                                 clock) -> None:
    """Given a case at the hall and staff depositing it at the kiosk, when the kiosk's
    locker.deposited record is posted as the sender posts it, then the applicant's notification
    carries a 6-digit code that the kiosk's keypad accepts, and no stored row holds it."""
    assert HALL_SECRET == KIOSK_SECRET  # one hall: the kiosk and its server share the secret
    cab = make_cabinet(engine, config, clock)
    with hall.client() as c:
        pages = {"p1.jpg": image_bytes()}
        created = c.post("/api/v1/cases", headers={"Idempotency-Key": str(uuid.uuid4())},
                         **case_parts(case_payload(pages), pages)).json()
        case = CaseRef(created["case_id"], created["case_number"],
                          ("unemployment-registration",))
        opening = cab.service.open_deposit("S", case, "S01")
        cab.board.put_item(opening.compartment)
        cab.board.close_door(opening.compartment)
        cab.service.journal.poll(opening.intent_id)
        with engine.connect() as conn:
            row = OutboxMessage(**conn.execute(select(OutboxMessage)).one()._mapping)
        answer = c.post("/api/v1/locker/events", headers={"Idempotency-Key": row.idempotency_key},
                        json={"kind": row.kind, "payload": row.payload,
                              "created_at": row.created_at.isoformat()})
    assert answer.status_code == 201 and answer.json()["pickup_code_issued"] is True
    sent = json.loads(hall.settings.notifications_path.read_text("utf-8").splitlines()[-1])
    code = sent["data"]["code"]
    assert len(code) == 6 and code.isdigit()
    assert cab.service.check_code(code).verdict.value == "ok"
    with engine.connect() as conn:
        kiosk_dump = json.dumps([list(map(str, r)) for t in ("locker_items", "outbox",
                                                            "audit_log")
                                 for r in conn.execute(text(f"SELECT * FROM {t}"))])
    with hall.app.state.engine.connect() as conn:
        inbox = json.dumps([list(map(str, r)) for r in conn.execute(
            text("SELECT * FROM hall_inbox"))])
    assert f'"{code}"' not in kiosk_dump and code not in inbox
