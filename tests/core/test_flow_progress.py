"""Progress lookup (办件查询) as a controller, without Kivy: ``ProgressFlow`` against the REAL
hall server on loopback (its kiosk read API over HTTP), a real SQLite kiosk database for the
cache, and a ``ManualClock`` for the age of what is shown when the server is down."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text

from kiosk.events import EventBus, call_now
from kiosk.flows.base import InlineWorker
from kiosk.flows.identity import CardProblem
from kiosk.flows.progress import ProgressFlow
from kiosk.flows.progress_state import CollectionKind, ProgressNoticeKind, ProgressStep
from kiosk.privacy import id_hash
from kiosk.progress.reader import HallReader
from kiosk.session import SessionKeeper
from kiosk.storage.models import CaseStatusCache
from kiosk.tokens import case_token, ticket_token
from tests.core.conftest import SECRET, make_card
from tests.hall.conftest import free_port
from tests.progress_hall import ITEM, RunningHall, add_case, move, open_hall

ID_NUMBER = "11010519491231002X"
PERSON = id_hash(ID_NUMBER, SECRET)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningHall]:
    hall = open_hall(tmp_path)
    yield hall
    hall.close()


class Kiosk:
    def __init__(self, flow: ProgressFlow, sessions: SessionKeeper, engine: Engine) -> None:
        self.flow, self.sessions, self.engine = flow, sessions, engine

    def cached(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(CaseStatusCache))
                       .scalar_one())


def kiosk_for(engine, config, catalogue, clock, reader: HallReader | None) -> Kiosk:
    bus = EventBus(call_now)
    sessions = SessionKeeper(bus)
    flow = ProgressFlow(bus=bus, worker=InlineWorker(call_now), clock=clock, config=config,
                        sessions=sessions, engine=engine, catalogue=catalogue,
                        secret=lambda: SECRET, reader=reader)
    return Kiosk(flow, sessions, engine)


@pytest.fixture
def kiosk(engine, config, catalogue, clock, running) -> Iterator[Kiosk]:
    k = kiosk_for(engine, config, catalogue, clock, HallReader(running.url, running.token, 3.0))
    yield k
    k.flow.close()


def receipt(token: str) -> str:
    return f"https://hall.example.gov.cn/case/{token}"


def test_a_receipt_qr_shows_the_case_with_its_timeline_owed_list_and_where_to_collect(
        kiosk: Kiosk, running: RunningHall, catalogue) -> None:
    """Given a case under review with one material owed under 容缺, when its receipt QR is
    scanned, then the case page shows the status, the timeline in order, the owed material
    with its deadline, that the result is not ready yet and at which windows, live."""
    ref = add_case(running, PERSON, statuses=("under_review",),
                   owed=(("household-register", "户口簿", date(2026, 6, 8)),))
    kiosk.flow.start()
    assert kiosk.flow.code_scanned(receipt(ref.token))
    state = kiosk.flow.state
    assert state.step is ProgressStep.CASE and state.live and not state.looking
    case = state.chosen
    assert case is not None and case.case_number == ref.number
    assert case.status == "under_review" and case.masked_name == "张*"
    assert [s.status for s in case.timeline] == ["received", "under_review"]
    assert [(o.name, o.due_date) for o in case.owed] == [("户口簿", date(2026, 6, 8))]
    assert state.collection is not None and state.collection.kind is CollectionKind.NOT_YET
    assert state.collection.windows == catalogue.item(ITEM).windows
    assert kiosk.flow.age_minutes(case) is None
    assert kiosk.cached() == 1


def test_a_result_in_the_locker_says_which_compartment_and_until_when(
        kiosk: Kiosk, running: RunningHall) -> None:
    """Given a case whose result staff put in locker compartment 7, when looked up, then the
    collection is the locker with compartment 7 and the code's last day (7 days on)."""
    ref = add_case(running, PERSON, delivery="locker",
                   statuses=("under_review", "approved", "ready_for_pickup"), locker=7)
    kiosk.flow.code_scanned(receipt(ref.token))
    collection = kiosk.flow.state.collection
    assert collection is not None and collection.kind is CollectionKind.LOCKER
    assert collection.compartment == 7 and collection.expires_on is not None
    assert kiosk.flow.state.chosen is not None and kiosk.flow.state.chosen.in_locker


@pytest.mark.parametrize(("delivery", "statuses", "kind"), [
    ("window", ("under_review", "approved", "ready_for_pickup"), CollectionKind.WINDOW),
    ("post", ("under_review", "approved"), CollectionKind.POST),
    ("window", ("rejected",), CollectionKind.NONE),
    ("window", ("under_review", "approved", "collected"), CollectionKind.COLLECTED),
])
def test_collection_follows_the_delivery_and_status(kiosk, running, delivery, statuses,
                                                    kind) -> None:
    """Given cases delivered each way, when looked up, then the collection says so."""
    ref = add_case(running, PERSON, delivery=delivery, statuses=statuses)
    kiosk.flow.code_scanned(receipt(ref.token))
    assert kiosk.flow.state.collection is not None
    assert kiosk.flow.state.collection.kind is kind


def test_an_id_card_lists_the_persons_cases_and_opening_one_reads_its_detail(
        kiosk: Kiosk, running: RunningHall) -> None:
    """Given two cases of the card holder and one of someone else, when the card is tapped,
    then the list has exactly the holder's two (masked name only), and opening one reads its
    timeline from the hall; the card itself is not kept in the flow's state."""
    first = add_case(running, PERSON, statuses=("under_review",))
    second = add_case(running, PERSON, items=("employment-registration",))
    add_case(running, id_hash("110105198001010019", SECRET))
    kiosk.flow.start()
    assert kiosk.flow.card_inserted(make_card(ID_NUMBER))
    state = kiosk.flow.state
    assert state.step is ProgressStep.LIST and state.by_card and state.masked_name == "张*"
    assert {c.case_number for c in state.cases} == {first.number, second.number}
    assert not any(c.detailed for c in state.cases)
    assert ID_NUMBER not in repr(state) and "张三" not in repr(state)
    assert kiosk.flow.open_case(first.case_id)
    chosen = kiosk.flow.state.chosen
    assert kiosk.flow.state.step is ProgressStep.CASE and chosen is not None
    assert chosen.detailed and [s.status for s in chosen.timeline] == ["received",
                                                                       "under_review"]
    kiosk.flow.back_to_list()
    assert kiosk.flow.state.step is ProgressStep.LIST


def test_server_down_shows_the_last_known_state_and_how_old_it_is(
        kiosk: Kiosk, running: RunningHall, clock) -> None:
    """Given a case looked up once while the hall answered, when the hall server is down
    25 minutes later, then the same receipt shows the last known status, not live, aged 25
    minutes; and the card lookup shows the cached list the same way."""
    ref = add_case(running, PERSON, statuses=("under_review",),
                   owed=(("household-register", "户口簿", None),))
    kiosk.flow.code_scanned(receipt(ref.token))
    kiosk.flow.start()
    kiosk.flow.card_inserted(make_card(ID_NUMBER))
    running.stop()
    clock.advance(timedelta(minutes=25))
    kiosk.flow.start()
    kiosk.flow.code_scanned(receipt(ref.token))
    state = kiosk.flow.state
    assert state.step is ProgressStep.CASE and not state.live
    assert state.chosen is not None and state.chosen.status == "under_review"
    assert [o.name for o in state.chosen.owed] == ["户口簿"]  # the detailed answer was kept
    assert kiosk.flow.age_minutes(state.chosen) == 25
    kiosk.flow.start()
    kiosk.flow.card_inserted(make_card(ID_NUMBER))
    assert kiosk.flow.state.step is ProgressStep.CASE and not kiosk.flow.state.live
    assert kiosk.flow.age_minutes() == 25


def test_a_stale_cache_is_replaced_by_the_halls_newer_answer(
        kiosk: Kiosk, running: RunningHall, clock) -> None:
    """Given a case cached while under review, when staff approve it and the hall answers
    again, then the live answer (approved) is shown and cached, and a later outage shows
    approved with the age of that second answer."""
    ref = add_case(running, PERSON, statuses=("under_review",))
    kiosk.flow.code_scanned(receipt(ref.token))
    move(running, ref.number, "approved")
    clock.advance(timedelta(hours=2))
    kiosk.flow.start()
    kiosk.flow.code_scanned(receipt(ref.token))
    assert kiosk.flow.state.chosen is not None
    assert kiosk.flow.state.chosen.status == "approved" and kiosk.flow.state.live
    running.stop()
    clock.advance(timedelta(minutes=3))
    kiosk.flow.start()
    kiosk.flow.code_scanned(receipt(ref.token))
    assert kiosk.flow.state.chosen is not None
    assert kiosk.flow.state.chosen.status == "approved" and not kiosk.flow.state.live
    assert kiosk.flow.age_minutes(kiosk.flow.state.chosen) == 3


def test_server_down_and_nothing_known_says_so(engine, config, catalogue, clock) -> None:
    """Given no hall server listening and an empty cache, when a genuine receipt is scanned,
    then the citizen is told the hall cannot be reached (not "no such case")."""
    reader = HallReader(f"http://127.0.0.1:{free_port()}", "token", 1.0)
    k = kiosk_for(engine, config, catalogue, clock, reader)
    k.flow.code_scanned(receipt(case_token("5b0e8a52-7f43-4c0e-9d7e-2f1f4b6a0c11", SECRET)))
    notice = k.flow.state.notice
    assert notice is not None and notice.kind is ProgressNoticeKind.UNREACHABLE
    assert k.flow.state.step is ProgressStep.START and not k.flow.state.looking


def test_an_unknown_case_is_not_found(kiosk: Kiosk) -> None:
    """Given a receipt token signed by this hall for a case the hall does not have, when
    scanned, then the notice is "not found" (the hall answered)."""
    kiosk.flow.code_scanned(receipt(case_token("0d6ad3a0-2c36-4bd8-8c0b-6fa1b1c64f43",
                                               SECRET)))
    notice = kiosk.flow.state.notice
    assert notice is not None and notice.kind is ProgressNoticeKind.NOT_FOUND


@pytest.mark.parametrize("code", [
    "https://hall.example.gov.cn/case/forged.AAAAAAAAAAAAAAAAAAAAAA",
    receipt(case_token("5b0e8a52-7f43-4c0e-9d7e-2f1f4b6a0c11", b"another-hall-secret-0123456789")),
    f"https://hall.example.gov.cn/q/{ticket_token('5b0e8a52', SECRET)}",  # a ticket, not a case
    "", "x" * 5000])
def test_a_code_that_is_not_a_receipt_of_this_hall_is_refused_without_asking(
        engine, config, catalogue, clock, code) -> None:
    """Given forged, foreign, ticket or junk codes, when scanned, then "not a receipt" at
    once: nothing is looked up (the reader points nowhere, so asking would say unreachable)."""
    k = kiosk_for(engine, config, catalogue, clock,
                  HallReader(f"http://127.0.0.1:{free_port()}", "token", 1.0))
    assert not k.flow.code_scanned(code)
    notice = k.flow.state.notice
    assert notice is not None and notice.kind is ProgressNoticeKind.NOT_A_RECEIPT


def test_a_card_failing_its_check_digit_is_refused_and_an_expired_one_still_looks_up(
        kiosk: Kiosk, running: RunningHall) -> None:
    """Given a misread number and an expired card, when tapped, then the first is refused
    with the reason and the second lists its holder's cases (reading one's own progress
    needs no valid card)."""
    misread = replace(make_card("110105194912310021"), id_number_valid=False)
    assert not kiosk.flow.card_inserted(misread)
    notice = kiosk.flow.state.notice
    assert notice is not None and notice.card is not None
    assert notice.card.problem is CardProblem.BAD_CHECK_DIGIT
    add_case(running, PERSON)
    expired = replace(make_card(ID_NUMBER), valid_until=date(2020, 1, 1))
    assert kiosk.flow.card_inserted(expired)
    assert kiosk.flow.state.step is ProgressStep.CASE


def test_a_card_already_read_on_home_is_used_at_once(kiosk: Kiosk, running) -> None:
    """Given the card was tapped on home (it is in the session), when progress starts, then
    the lookup runs without another tap."""
    add_case(running, PERSON)
    kiosk.sessions.current.card = make_card(ID_NUMBER)
    kiosk.flow.start()
    assert kiosk.flow.state.step is ProgressStep.CASE and kiosk.flow.state.by_card


def test_the_session_ending_wipes_what_was_shown(kiosk: Kiosk, running) -> None:
    """Given a case on screen, when the session ends, then the flow is back at the start
    with no case, no name."""
    add_case(running, PERSON)
    kiosk.flow.card_inserted(make_card(ID_NUMBER))
    kiosk.sessions.end("timeout")
    state = kiosk.flow.state
    assert state.step is ProgressStep.START and state.cases == () and state.chosen is None
    assert state.masked_name == ""


def _local_cases_table(engine: Engine) -> None:
    """One case committed at this kiosk by the submission journey (tables of revision 0003),
    not yet at the hall."""
    with engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO local_cases VALUES ('9a1f2d3c-0000-4000-8000-000000000001', 'QZ01', "
            "'K01', '2026-01-05', 1, 'K01-20260105-001', '[\"unemployment-registration\"]', "
            "NULL, :p, '张*', 'window', '2026-01-05 01:00:00.000000', '2026-01-12', NULL, '/x')"),
            {"p": PERSON})
        conn.execute(text(
            "INSERT INTO local_case_materials VALUES (1, '9a1f2d3c-0000-4000-8000-000000000001', "
            "0, 'household-register', '户口簿', 'owed', '2026-01-10')"))


def test_a_standalone_kiosk_shows_its_own_cases(engine, config, catalogue, clock) -> None:
    """Given no hall server configured, when a card is tapped, then nothing is found until
    this kiosk has local cases; with one, it is shown as submitted here, with its owed list."""
    k = kiosk_for(engine, config, catalogue, clock, None)
    assert k.flow.state.standalone
    k.flow.card_inserted(make_card(ID_NUMBER))
    notice = k.flow.state.notice
    assert notice is not None and notice.kind is ProgressNoticeKind.NOT_FOUND
    _local_cases_table(engine)
    k.flow.start()
    k.flow.card_inserted(make_card(ID_NUMBER))
    case = k.flow.state.chosen
    assert case is not None and case.local_only and case.status == "submitted"
    assert case.local_ref == "K01-20260105-001"
    assert [(o.name, o.due_date) for o in case.owed] == [("户口簿", date(2026, 1, 10))]


def test_a_case_not_yet_at_the_hall_is_listed_with_the_halls_cases(
        kiosk: Kiosk, running: RunningHall, engine) -> None:
    """Given one case at the hall and one committed here but not synced, when the card is
    tapped, then both are listed, the local one first."""
    add_case(running, PERSON)
    _local_cases_table(engine)
    kiosk.flow.card_inserted(make_card(ID_NUMBER))
    cases = kiosk.flow.state.cases
    assert kiosk.flow.state.step is ProgressStep.LIST
    assert [c.local_only for c in cases] == [True, False]
