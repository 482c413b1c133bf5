"""Staff at the locker without Kivy: card or QR plus PIN (hashed, rested after wrong PINs),
deposit a scanned case (the hall record that makes the server send the code), empty a drop-off,
take back an expired item; the case lookup against a hall server answering over HTTP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from kiosk.events import EventBus, call_now
from kiosk.flows.base import InlineWorker
from kiosk.flows.locker_staff import StaffFlow, StaffStep
from kiosk.lockers.cases import CaseDirectory
from kiosk.lockers.codes import pin_matches
from kiosk.lockers.journal import DoorFault, Settled
from kiosk.lockers.staff import StaffDesk
from kiosk.privacy import id_hash
from kiosk.session import SessionKeeper
from kiosk.storage.models import LockerStaff, OutboxMessage
from kiosk.sync.settings import SyncSettings
from kiosk.tokens import case_token
from tests.core.conftest import SECRET, make_card
from tests.core.locker_fixtures import Cabinet, make_cabinet

STAFF_CARD = make_card(id_number="110105194912310038", name="王五")
CASE_ID = "0b6c1c9e-3f0e-4a43-9d0b-1d1c5a7e2f10"
VIEW = {"case_number": "SB20260105-0007", "case_id": CASE_ID,
        "item_ids": ["business-licence"], "masked_name": "李*", "status": "ready_for_pickup"}


def hall_transport(seen: list[str]) -> httpx.MockTransport:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        assert request.headers["authorization"] == "Bearer t0ken"
        if request.url.path.startswith("/api/v1/cases/by-token/") or \
                request.url.path == "/api/v1/cases/SB20260105-0007":
            return httpx.Response(200, json=VIEW)
        if request.url.path == "/api/v1/cases":
            owner = request.url.params["person_hash"] == id_hash(make_card().id_number, SECRET)
            return httpx.Response(200, json={"cases": [VIEW] if owner else []})
        return httpx.Response(404, json={"detail": "no"})
    return httpx.MockTransport(answer)


@pytest.fixture
def staff(engine, config, clock) -> Iterator[tuple[StaffFlow, Cabinet, list[str]]]:
    bus = EventBus(call_now)
    cab = make_cabinet(engine, config, clock)
    desk = StaffDesk(engine, config.locker, clock, SECRET)
    desk.add("S01", "2468", card_hash=id_hash(STAFF_CARD.id_number, SECRET),
             qr_text="STAFF:S01:9f8e")
    seen: list[str] = []
    settings = SyncSettings("http://hall.test", "t0ken", "K01", 2, 5, 60, 0, 60)
    cases = CaseDirectory(SECRET, settings, transport=hall_transport(seen))
    cab.service.owner_check = cases.belongs_to
    flow = StaffFlow(bus=bus, worker=InlineWorker(call_now), sessions=SessionKeeper(bus),
                     service=cab.service, desk=desk, cases=cases, secret=lambda: SECRET)
    yield flow, cab, seen
    flow.close()
    cases.close()


def sign_in(flow: StaffFlow, pin: str = "2468") -> None:
    flow.start()
    assert flow.card_inserted(STAFF_CARD)
    assert flow.state.step is StaffStep.PIN
    for d in pin:
        flow.press(d)
    flow.submit_pin()


def test_pins_are_stored_hashed_and_wrong_ones_rest_the_card(staff, engine, config,
                                                              clock) -> None:
    """Given staff S01, then the PIN is not stored clear; wrong PINs say tries left and the
    limit rests the card in minutes; after the rest the right PIN signs in."""
    flow, _, _ = staff
    with engine.connect() as conn:
        stored = conn.execute(select(LockerStaff.pin_hash)).scalar_one()
    # stored as scrypt$<salt>$<digest> of the PIN: never the PIN itself. (Not a substring
    # test: 96 random hex digits contain "2468" about one run in 700, as a full run showed.)
    scheme, salt, digest = stored.split("$")
    assert scheme == "scrypt" and "2468" not in (salt, digest)
    assert len(salt) == 32 and len(digest) == 64 and int(salt + digest, 16) >= 0
    assert pin_matches("2468", stored) and not pin_matches("2469", stored)
    for left in range(config.locker.staff_max_failures - 1, 0, -1):
        sign_in(flow, "1111")
        assert flow.state.notice.tries_left == left
    sign_in(flow, "1111")
    assert flow.state.notice.heading == "密码错误次数过多"
    assert flow.state.notice.minutes == config.locker.staff_lockout_seconds // 60
    sign_in(flow)
    assert flow.state.step is StaffStep.PIN  # still resting: the right PIN waits too
    clock.advance(timedelta(seconds=config.locker.staff_lockout_seconds + 1))
    sign_in(flow)
    assert (flow.state.step, flow.state.staff_id) == (StaffStep.MENU, "S01")


def test_a_staff_qr_signs_in_and_a_stranger_card_does_not(staff) -> None:
    """Given the sign-in step, then a citizen's card is 'not staff' and the staff QR leads to
    the PIN."""
    flow, _, _ = staff
    flow.start()
    flow.card_inserted(make_card())
    assert flow.state.notice.heading == "不是工作人员卡"
    assert flow.code_scanned("STAFF:S01:9f8e")
    assert flow.state.step is StaffStep.PIN


def test_deposit_a_scanned_case_reports_it_for_the_pickup_code(staff, engine) -> None:
    """Given staff signed in, when they scan a case receipt QR, choose S and put the licence
    in, then the door closes DEPOSITED, the item needs the applicant's card (a licence), the
    hall record names the case and the item (never a code), and the audit names S01."""
    flow, cab, seen = staff
    sign_in(flow)
    flow.choose_deposit()
    assert flow.code_scanned("https://hall.example.gov.cn/case/" + case_token(CASE_ID, SECRET))
    assert flow.state.case.case_number == "SB20260105-0007"
    flow.deposit()
    door = flow.state.compartment
    assert flow.state.step is StaffStep.DOOR_OPEN and door is not None
    cab.board.put_item(door)
    cab.board.close_door(door)
    flow.tick(10.0)
    assert (flow.state.step, flow.state.result) == (StaffStep.RESULT, Settled.COMPLETED)
    (item,) = cab.service.held("pickup")
    assert item.needs_id and item.case_id == CASE_ID
    with engine.connect() as conn:
        message = OutboxMessage(**conn.execute(select(OutboxMessage)).one()._mapping)
    assert message.kind == "locker.deposited"
    assert (message.payload["case_id"], message.payload["item"]) == (CASE_ID, item.id)
    assert not any(k in json.dumps(message.payload) for k in ("code\"", "pickup_code"))
    assert ("staff:S01", "deposit.completed", f"locker:door:{door}") in cab.audit()
    assert any(p.startswith("/api/v1/cases/by-token/") for p in seen)


def test_a_certificate_is_checked_against_the_hall_when_the_kiosk_has_no_hash(staff) -> None:
    """Given a deposited licence whose applicant's hash the kiosk does not know, then the
    owner check asks the hall server: the applicant's card matches, a stranger's does not."""
    flow, cab, _ = staff
    sign_in(flow)
    flow.choose_deposit()
    flow.code_scanned("SB20260105-0007")
    flow.deposit()
    cab.board.put_item(flow.state.compartment)
    cab.board.close_door(flow.state.compartment)
    flow.tick(10.0)
    (item,) = cab.service.held("pickup")
    assert cab.service.check_owner(item.id, id_hash(STAFF_CARD.id_number, SECRET)).verdict \
        .value == "wrong_person"
    assert cab.service.check_owner(item.id, id_hash(make_card().id_number, SECRET)).verdict \
        .value == "ok"


def test_staff_empty_drop_offs_and_take_back_expired_items(staff, config, clock) -> None:
    """Given a drop-off and an expired pickup, when staff choose each list and open the item,
    then the door closing on an empty compartment completes it; the lists empty out."""
    flow, cab, _ = staff
    drop = cab.service.open_dropoff("M", person_hash="ab" * 32, masked_name="张*",
                                    case_id=None, service_item=None)
    cab.board.put_item(drop.compartment)
    cab.board.close_door(drop.compartment)
    cab.service.journal.poll(drop.intent_id)
    cab.deposit()
    clock.advance(timedelta(days=config.locker.keeping_days + 1))
    sign_in(flow)
    for choose in (flow.choose_empty, flow.choose_take_back):
        choose()
        (item,) = flow.state.items
        flow.open_item(item.id)
        door = flow.state.compartment
        cab.board.take_item(door)
        cab.board.close_door(door)
        flow.tick(20.0 + door)
        assert flow.state.result is Settled.COMPLETED
        flow.back_to_menu()
    assert cab.service.held() == []


def test_the_case_directory_alone_still_reads_a_receipt_qr() -> None:
    """Given no hall server, then a receipt QR gives its case id, a barcode its number, and
    anything else nothing; ownership cannot be told."""
    cases = CaseDirectory(SECRET)
    ref = cases.lookup(case_token(CASE_ID, SECRET))
    assert ref is not None and ref.case_id == CASE_ID
    assert cases.lookup("SB20260105-0007").case_number == "SB20260105-0007"
    assert cases.lookup("hello") is None
    assert cases.belongs_to("SB20260105-0007", "ab" * 32) is None


def test_staff_see_faulty_doors_and_what_they_hold(staff) -> None:
    """Given a held item whose door then jams, when staff open the faulty-door list, then it
    names that door as holding something (flagged for them, never lost), and opens nothing."""
    flow, cab, _ = staff
    item_id, _, door = cab.deposit()
    cab.board.jam(door)
    with pytest.raises(DoorFault):
        cab.service.open_pickup(item_id)
    sign_in(flow)
    flow.choose_faults()
    assert flow.state.faults == ((door, flow.state.faults[0][1], True),)
    opened = cab.board.open_count
    flow.open_item(item_id)
    assert cab.board.open_count == opened and flow.state.step is StaffStep.LIST
