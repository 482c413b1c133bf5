"""Exactly once across processes: two ``kiosk hall serve`` processes on one database receive
the same Idempotency-Key at the same moment; the inbox's unique key decides, one record is
stored and both answers are the winner's. SQLite file and PostgreSQL."""

from __future__ import annotations

import threading
import uuid

import httpx

from kiosk.hall.auth import add_kiosk
from kiosk.hall.db import migrate_hall, open_engine, session_factory
from kiosk.hall.models import Case, CasePage, InboxEntry, TicketEvent
from tests.hall.conftest import case_parts, case_payload, image_bytes, issued
from tests.hall.procs import ServeProcess

ROUNDS = 8


def race(urls: list[str], token: str, send) -> list[httpx.Response]:
    """Fire ``send(client)`` at every server at once (a barrier releases all threads)."""
    barrier = threading.Barrier(len(urls))
    out: list[httpx.Response | BaseException] = [None] * len(urls)  # type: ignore[list-item]

    def go(i: int, url: str) -> None:
        with httpx.Client(base_url=url, timeout=60,
                          headers={"Authorization": f"Bearer {token}"}) as c:
            barrier.wait()
            try:
                out[i] = send(c)
            except BaseException as exc:  # reported by the assertion below
                out[i] = exc

    threads = [threading.Thread(target=go, args=(i, u)) for i, u in enumerate(urls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(isinstance(r, httpx.Response) for r in out), out
    return out  # type: ignore[return-value]


def test_two_processes_one_key_one_record(db_url, tmp_path):
    engine = open_engine(db_url)
    migrate_hall(engine)
    sessions = session_factory(engine)
    with sessions.begin() as s:
        token = add_kiosk(s, "K01")
    pages = {"p1.jpg": image_bytes("jpeg", 200, noise=True)}
    a, b = ServeProcess(db_url, tmp_path), ServeProcess(db_url, tmp_path)
    with a, b:
        for _ in range(ROUNDS):
            ticket, key = issued(), str(uuid.uuid4())
            answers = race([a.url, b.url], token, lambda c, t=ticket, k=key: c.post(
                "/api/v1/tickets/events", json=t, headers={"Idempotency-Key": k}))
            assert [r.status_code for r in answers] == [201, 201]
            assert answers[0].json() == answers[1].json()
            assert sorted("idempotent-replay" in r.headers for r in answers) == [False, True]
        for _ in range(ROUNDS // 2):
            case, key = case_payload(pages), str(uuid.uuid4())
            answers = race([a.url, b.url], token, lambda c, p=case, k=key: c.post(
                "/api/v1/cases", headers={"Idempotency-Key": k}, **case_parts(p, pages)))
            assert [r.status_code for r in answers] == [201, 201], [r.text for r in answers]
            assert answers[0].json() == answers[1].json()
            assert sorted("idempotent-replay" in r.headers for r in answers) == [False, True]
    with sessions() as s:
        from sqlalchemy import func, select

        def count(m: type) -> int:
            return int(s.execute(select(func.count()).select_from(m)).scalar_one())

        assert count(TicketEvent) == ROUNDS and count(Case) == ROUNDS // 2
        assert count(CasePage) == ROUNDS // 2 and count(InboxEntry) == ROUNDS + ROUNDS // 2
    stored = [p for p in (tmp_path / "files").rglob("*") if p.is_file()]
    assert len(stored) == ROUNDS // 2  # the loser's files are gone, the winner's kept
    engine.dispose()
