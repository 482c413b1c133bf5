"""Ratings (好差评) as a controller, without Kivy: ``RatingFlow`` and ``RatingStore`` on a real
SQLite kiosk database — one rating per ticket or case, a change of mind in the same session
replaces it, another session is told it was rated, a bad rating asks about contact; the
``rating.created`` message is written when the session ends, checked against the hall server's
own schema, and delivered by the real sender to the REAL hall server, where a bad rating opens
a follow-up."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from kiosk.events import EventBus, call_now
from kiosk.flows.base import InlineWorker
from kiosk.flows.rating import RatingFlow
from kiosk.flows.rating_state import (
    GOOD_REASONS,
    POOR_REASONS,
    RatingNoticeKind,
    RatingStep,
)
from kiosk.flows.rating_store import AlreadyRated, RatingStore
from kiosk.hall.schemas import RatingIn
from kiosk.outbox import Outbox
from kiosk.session import SessionKeeper
from kiosk.storage.models import OutboxMessage, RatingRecord
from kiosk.tokens import case_token, ticket_token
from tests.core.conftest import SECRET

TICKET = "3f2b8a10-5c1d-4e2f-9a7b-0c1d2e3f4a5b"
CASE = "7d9e1f20-6a3b-4c5d-8e9f-1a2b3c4d5e6f"


class Kiosk:
    def __init__(self, flow: RatingFlow, sessions: SessionKeeper, engine: Engine,
                 store: RatingStore) -> None:
        self.flow, self.sessions, self.engine, self.store = flow, sessions, engine, store

    def messages(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(OutboxMessage.idempotency_key, OutboxMessage.kind,
                                       OutboxMessage.payload).order_by(OutboxMessage.id)).all()
        return [{"key": k, "kind": kind, "payload": p} for k, kind, p in rows]

    def ratings(self) -> list[Any]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(RatingRecord.__table__)).mappings().all())


def build(engine: Engine, config, clock, kiosk_id: str = "K01") -> Kiosk:
    bus = EventBus(call_now)
    sessions = SessionKeeper(bus)
    store = RatingStore(engine, Outbox("QZ01"), clock, hall="QZ01", kiosk_id=kiosk_id)
    flow = RatingFlow(bus=bus, worker=InlineWorker(call_now), config=config, sessions=sessions,
                      store=store, secret=lambda: SECRET)
    return Kiosk(flow, sessions, engine, store)


@pytest.fixture
def kiosk(engine, config, clock) -> Iterator[Kiosk]:
    k = build(engine, config, clock)
    yield k
    k.flow.close()


def test_a_good_rating_takes_a_face_and_submit_and_is_sent_when_the_session_ends(
        kiosk: Kiosk, clock) -> None:
    """Given a ticket offered for rating, when 非常满意 is tapped and then 提交, then the
    rating is committed before the thanks show, nothing is sent while the session lasts, and
    when it ends exactly one ``rating.created`` goes to the outbox, valid for the hall."""
    kiosk.flow.start("ticket", TICKET)
    kiosk.flow.choose_level(5)
    assert kiosk.flow.submit()
    assert kiosk.flow.state.step is RatingStep.THANKS and not kiosk.flow.state.replaced
    [row] = kiosk.ratings()
    assert (row["target_kind"], row["target_id"], row["level"]) == ("ticket", TICKET, 5)
    assert row["released_at"] is None and kiosk.messages() == []
    kiosk.flow.finish()
    [message] = kiosk.messages()
    assert message["kind"] == "rating.created"
    assert message["key"] == f"QZ01:rating:{row['rating_id']}"
    payload = message["payload"]
    assert payload == {"rating_id": row["rating_id"], "hall": "QZ01", "kiosk": "K01",
                       "target_kind": "ticket", "target_id": TICKET, "level": 5,
                       "reasons": [], "dimensions": {"overall": 5}, "contact_wanted": False,
                       "contact_phone_masked": None,
                       "at": clock.now().astimezone(UTC).isoformat()}
    RatingIn.model_validate(payload)  # exactly what the hall server accepts
    assert kiosk.flow.state.step is RatingStep.SCAN  # wiped with the session


def test_a_change_of_mind_in_the_same_session_replaces_the_rating(kiosk: Kiosk) -> None:
    """Given a rating just given, when the citizen taps 修改评价 and gives 不满意 with a
    reason, then the one row changes (same rating id) and one message with the new level is
    sent at the session's end — never a second rating."""
    kiosk.flow.start("case", CASE)
    kiosk.flow.choose_level(4)
    kiosk.flow.submit()
    [first] = kiosk.ratings()
    kiosk.flow.change()
    assert kiosk.flow.state.step is RatingStep.FACES and kiosk.flow.state.level == 4
    kiosk.flow.choose_level(2)
    kiosk.flow.toggle_reason(POOR_REASONS[3].label)
    assert kiosk.flow.submit(contact_wanted=True)
    assert kiosk.flow.state.step is RatingStep.THANKS and kiosk.flow.state.replaced
    [row] = kiosk.ratings()
    assert row["rating_id"] == first["rating_id"] and row["level"] == 2
    kiosk.flow.finish()
    [message] = kiosk.messages()
    assert message["payload"]["level"] == 2 and message["payload"]["contact_wanted"] is True
    assert message["payload"]["dimensions"] == {"overall": 2, "attitude": 2}


def test_scanning_the_same_ticket_again_in_the_session_shows_the_earlier_choice(
        kiosk: Kiosk) -> None:
    """Given a rating of a ticket in this session, when the ticket's QR is scanned again,
    then the faces show the earlier level and reasons, ready to change."""
    kiosk.flow.start("ticket", TICKET)
    kiosk.flow.choose_level(5)
    kiosk.flow.toggle_reason(GOOD_REASONS[1].label)
    kiosk.flow.submit()
    kiosk.flow.start_scan()
    assert kiosk.flow.code_scanned(f"https://hall.example.gov.cn/q/{ticket_token(TICKET, SECRET)}")
    state = kiosk.flow.state
    assert state.step is RatingStep.FACES and state.level == 5
    assert state.reasons == (GOOD_REASONS[1].label,)


def test_another_session_is_told_the_target_was_rated(kiosk: Kiosk) -> None:
    """Given a ticket rated in a session that ended, when the next citizen starts a rating of
    it, then they are told it was rated already and nothing changes."""
    kiosk.flow.start("ticket", TICKET)
    kiosk.flow.choose_level(1)
    kiosk.flow.submit(contact_wanted=True)
    kiosk.flow.finish()
    kiosk.flow.start("ticket", TICKET)
    state = kiosk.flow.state
    assert state.step is RatingStep.SCAN and state.target_id is None
    assert state.notice is not None and state.notice.kind is RatingNoticeKind.ALREADY_RATED
    assert [r["level"] for r in kiosk.ratings()] == [1] and len(kiosk.messages()) == 1


def test_a_rating_held_by_another_kiosks_session_is_refused(engine, config, clock,
                                                            kiosk: Kiosk) -> None:
    """Given one kiosk's citizen rated a case and is still at that kiosk, when another kiosk
    on the same database saves a rating of the same case, then it is refused (the database's
    unique target decides)."""
    kiosk.flow.start("case", CASE)
    kiosk.flow.choose_level(3)
    kiosk.flow.submit()
    other = build(engine, config, clock, kiosk_id="K02")
    with pytest.raises(AlreadyRated):
        other.store.save(other.sessions.current.id, "case", CASE, 5, [], {"overall": 5},
                         False)
    other.flow.start("case", CASE)
    notice = other.flow.state.notice
    assert notice is not None and notice.kind is RatingNoticeKind.ALREADY_RATED


def test_a_bad_rating_carries_its_reasons_dimensions_and_the_contact_answer(
        kiosk: Kiosk) -> None:
    """Given 非常不满意 with two reasons, when submitted wanting contact, then the message has
    level 1, the reasons in the hall's words, each reason's dimension and contact wanted."""
    kiosk.flow.start("case", CASE)
    kiosk.flow.choose_level(1)
    for reason in (POOR_REASONS[1], POOR_REASONS[0]):
        kiosk.flow.toggle_reason(reason.label)
    kiosk.flow.submit(contact_wanted=True)
    kiosk.flow.finish()
    [message] = kiosk.messages()
    payload = message["payload"]
    assert payload["level"] == 1 and payload["contact_wanted"] is True
    assert payload["reasons"] == [POOR_REASONS[0].label, POOR_REASONS[1].label]
    assert payload["dimensions"] == {"overall": 1, "efficiency": 1}
    RatingIn.model_validate(payload)


def test_a_good_rating_never_asks_for_contact_and_reasons_follow_the_face(kiosk: Kiosk) -> None:
    """Given 满意 with a good reason, when the face changes to 不满意 the good reason is
    dropped, and back at 满意 a submit asking contact records none."""
    kiosk.flow.start("ticket", TICKET)
    kiosk.flow.choose_level(4)
    kiosk.flow.toggle_reason(GOOD_REASONS[0].label)
    kiosk.flow.choose_level(2)
    assert kiosk.flow.state.reasons == ()
    kiosk.flow.toggle_reason(GOOD_REASONS[0].label)  # not offered for a bad rating
    assert kiosk.flow.state.reasons == ()
    kiosk.flow.choose_level(4)
    kiosk.flow.submit(contact_wanted=True)
    kiosk.flow.finish()
    assert kiosk.messages()[0]["payload"]["contact_wanted"] is False


def test_submit_without_a_face_or_twice_does_nothing(engine, config, clock) -> None:
    """Given the faces with none chosen, 提交 does nothing; given a commit running (a real
    worker would still be busy), a second 提交 is ignored."""
    k = build(engine, config, clock)
    k.flow.start("ticket", TICKET)
    assert not k.flow.submit()
    k.flow.choose_level(5)
    k.flow._change(saving=True)  # as while the first commit runs
    assert not k.flow.submit()
    assert k.ratings() == []


@pytest.mark.parametrize(("text", "kind", "target"), [
    (f"https://hall.example.gov.cn/q/{ticket_token(TICKET, SECRET)}", "ticket", TICKET),
    (f"https://hall.example.gov.cn/rate?hall=QZ01&t={TICKET}", "ticket", TICKET),
    (f"https://hall.example.gov.cn/case/{case_token(CASE, SECRET)}", "case", CASE),
])
def test_the_home_tile_takes_a_ticket_or_receipt_qr(kiosk: Kiosk, text, kind, target) -> None:
    """Given the rating tile's scan step, when a ticket's queue QR, its rating QR or a case
    receipt QR is scanned, then the faces show for that ticket or case."""
    kiosk.flow.start_scan()
    assert kiosk.flow.code_scanned(text)
    state = kiosk.flow.state
    assert (state.step, state.target_kind, state.target_id) == (RatingStep.FACES, kind, target)


@pytest.mark.parametrize("text", [
    "https://hall.example.gov.cn/q/forged.AAAAAAAAAAAAAAAAAAAAAA",
    "https://hall.example.gov.cn/rate?hall=OTHER&t=abc", "hello", ""])
def test_a_code_naming_nothing_of_this_hall_is_refused(kiosk: Kiosk, text) -> None:
    kiosk.flow.start_scan()
    assert not kiosk.flow.code_scanned(text)
    notice = kiosk.flow.state.notice
    assert notice is not None and notice.kind is RatingNoticeKind.NOT_A_CODE
    assert kiosk.flow.state.step is RatingStep.SCAN


def test_ratings_held_when_the_kiosk_stopped_are_sent_at_the_next_start(engine, config,
                                                                         clock) -> None:
    """Given a rating committed by a kiosk process that died before its session ended, when
    the kiosk starts again, then the rating goes to the outbox once."""
    store = RatingStore(engine, Outbox("QZ01"), clock, hall="QZ01", kiosk_id="K01")
    store.save("dead-session", "ticket", TICKET, 2, [], {"overall": 2}, True)
    k = build(engine, config, clock)
    assert [m["payload"]["target_id"] for m in k.messages()] == [TICKET]
    k.flow.close()
    build(engine, config, clock).flow.close()
    assert len(k.messages()) == 1


def test_a_session_left_open_does_not_hold_a_rating_for_ever(kiosk: Kiosk, clock) -> None:
    """Given a rating of a session that is somehow still open, when another session ends
    more than 30 minutes later, then the rating is sent anyway."""
    kiosk.flow.start("ticket", TICKET)
    kiosk.flow.choose_level(5)
    kiosk.flow.submit()
    session = kiosk.sessions.current.id
    assert kiosk.store.release(keep_session=session) == 0
    clock.advance(timedelta(minutes=31))
    assert kiosk.store.release(keep_session=session) == 1


def test_a_bad_rating_reaches_the_real_hall_and_opens_a_follow_up(
        kiosk: Kiosk, engine, tmp_path: Path) -> None:
    """Given 不满意 with contact wanted, when the session ends and the kiosk's real sender
    drains its outbox to the REAL hall server, then the hall has the rating once with a
    follow-up whose contact deadline is set."""
    from kiosk.clock import SystemClock
    from kiosk.config import load_config
    from kiosk.hall.services.ratings import list_bad_ratings
    from kiosk.sync.worker import SyncWorker
    from tests.progress_hall import open_hall

    hall = open_hall(tmp_path)
    try:
        kiosk.flow.start("case", CASE)
        kiosk.flow.choose_level(2)
        kiosk.flow.submit(contact_wanted=True)
        kiosk.flow.finish()
        site = tmp_path / "site.toml"
        site.write_text(f'[kiosk]\nid = "K01"\ndata_dir = "{tmp_path / "var"}"\n\n'
                        f'[sync]\nurl = "{hall.url}"\ntoken = "{hall.token}"\n',
                        encoding="utf-8")
        sender = SyncWorker(engine, load_config(site), SystemClock())
        try:
            assert sender.drain(30)
        finally:
            sender.stop(5)
        with hall.hall.app.state.sessions() as s:
            [follow_up] = list_bad_ratings(s)
        assert (follow_up.target_kind, follow_up.target_id, follow_up.level) == ("case", CASE, 2)
        assert follow_up.contact_due is not None and follow_up.contacted_at is None
        assert uuid.UUID(follow_up.rating_id)
    finally:
        hall.close()
