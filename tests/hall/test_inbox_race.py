"""The inbox's unique key decides a race, deterministically: B looks the key up while A's claim
is not yet committed (so B finds nothing), then B's insert hits the constraint, B's work never
runs, and B answers A's stored answer. PostgreSQL, where a read does not wait for a writer."""

from __future__ import annotations

import threading

import pytest

from kiosk.hall import inbox
from kiosk.hall.db import migrate_hall, open_engine, session_factory

pytestmark = pytest.mark.postgres
WAIT_S = 30


def test_the_loser_of_the_insert_reads_the_winners_answer(pg_server, monkeypatch):
    engine = open_engine(pg_server.create_database())
    migrate_hall(engine)
    sessions = session_factory(engine)
    a_claimed, b_looked = threading.Event(), threading.Event()
    b_work_ran = threading.Event()
    real_find = inbox.lookup

    def find(*args: object, **kw: object) -> inbox.Answer | None:
        found = real_find(*args, **kw)  # type: ignore[arg-type]
        if threading.current_thread().name == "B" and not b_looked.is_set():
            b_looked.set()
        return found

    monkeypatch.setattr(inbox, "lookup", find)

    def work_a(_s: object) -> tuple[int, dict[str, object]]:
        a_claimed.set()
        assert b_looked.wait(WAIT_S), "B never looked the key up"
        return 201, {"ticket_id": "t-1"}

    def work_b(_s: object) -> tuple[int, dict[str, object]]:
        b_work_ran.set()
        return 201, {"ticket_id": "t-2"}

    answers: dict[str, inbox.Answer] = {}

    def run(name: str, work: object) -> None:
        answers[name] = inbox.handle(sessions, key="K", kiosk_id="K01", endpoint="x",
                                     digest="d" * 64, work=work)  # type: ignore[arg-type]

    a = threading.Thread(target=run, args=("A", work_a), name="A")
    a.start()
    assert a_claimed.wait(WAIT_S)
    b = threading.Thread(target=run, args=("B", work_b), name="B")
    b.start()
    a.join(WAIT_S)
    b.join(WAIT_S)
    assert answers["A"] == inbox.Answer(201, {"ticket_id": "t-1"})
    assert answers["B"] == inbox.Answer(201, {"ticket_id": "t-1"}, replay=True)
    assert not b_work_ran.is_set()
    engine.dispose()
