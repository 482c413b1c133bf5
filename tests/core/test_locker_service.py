"""The locker service on the simulated cabinet: deposit, pickup, codes, limits, faults."""

from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.lockers.codes import code_hmac, derive_code
from kiosk.lockers.journal import DOOR_FAULT_ALERT, DoorFault, Purpose, Settled
from kiosk.lockers.service import CodeVerdict
from tests.core.conftest import SECRET
from tests.core.locker_fixtures import CASE, LICENCE, make_cabinet


@pytest.fixture
def cab(engine, config, clock):
    return make_cabinet(engine, config, clock)


def test_deposit_then_pickup_opens_the_door_once_and_reports_each_step(cab) -> None:
    """Given staff deposited a case (door closed, item inside), when the applicant enters the
    derived code, then the same door opens once; door closed and empty completes the pickup,
    the hall hears locker.deposited then locker.picked_up, and the audit names each step."""
    item_id, code, door = cab.deposit()
    assert cab.service.item(item_id).expires_at == cab.clock.now() + timedelta(days=7)
    check = cab.service.check_code(code)
    assert check.verdict is CodeVerdict.OK and check.item.compartment == door
    before = cab.board.open_count
    opening = cab.service.open_pickup(item_id)
    assert cab.board.open_count == before + 1 and opening.compartment == door
    assert cab.service.journal.poll(opening.intent_id).result is Settled.PENDING
    cab.board.take_item(door)
    cab.board.close_door(door)
    assert cab.service.journal.poll(opening.intent_id).result is Settled.COMPLETED
    assert cab.outbox_kinds() == ["locker.deposited", "locker.picked_up"]
    actions = [a for _, a, _ in cab.audit()]
    assert actions == ["door.opened", "deposit.completed", "door.opened", "pickup.completed"]
    assert cab.audit()[1][0] == "staff:S01"


def test_a_code_replayed_after_pickup_is_used_and_opens_nothing(cab) -> None:
    """Given a completed pickup, when the same code is entered again, then it is USED and no
    door opens (a code opens its door once)."""
    item_id, code, door = cab.deposit()
    opening = cab.service.open_pickup(item_id)
    cab.board.take_item(door)
    cab.board.close_door(door)
    cab.service.journal.poll(opening.intent_id)
    opened = cab.board.open_count
    assert cab.service.check_code(code).verdict is CodeVerdict.USED
    assert cab.board.open_count == opened


def test_closing_without_taking_keeps_the_pickup_open_and_the_code_working(cab) -> None:
    """Given the door opened for a pickup, when it is closed with the item still inside (IR),
    then the outcome is NOT_TAKEN, the item is still held and the code still works."""
    item_id, code, door = cab.deposit()
    opening = cab.service.open_pickup(item_id)
    cab.board.close_door(door)
    assert cab.service.journal.poll(opening.intent_id).result is Settled.NOT_TAKEN
    assert cab.service.check_code(code).verdict is CodeVerdict.OK
    assert cab.outbox_kinds() == ["locker.deposited"]


def test_brute_force_rests_the_keypad_with_the_time_left(cab, config) -> None:
    """Given a held item, when wrong codes are entered up to the kiosk's limit, then the
    keypad rests (even for the right code) for the configured time, told in seconds left;
    after the cooling-off the right code works again."""
    _, code, _ = cab.deposit()
    limit = config.locker.kiosk_max_failures
    wrong = [f"{(int(code) + k) % 1_000_000:06d}" for k in range(1, limit + 1)]
    verdicts = [cab.service.check_code(w) for w in wrong]
    assert all(v.verdict is CodeVerdict.WRONG for v in verdicts)
    assert verdicts[-1].tries_left == 0
    resting = cab.service.check_code(code)
    assert resting.verdict is CodeVerdict.KIOSK_RESTING
    assert resting.wait_s == config.locker.kiosk_lockout_seconds
    cab.clock.advance(timedelta(seconds=config.locker.kiosk_lockout_seconds + 1))
    assert cab.service.check_code(code).verdict is CodeVerdict.OK


def test_every_code_of_a_brute_force_run_is_refused(cab, config) -> None:
    """Given one held item, when an attacker walks the code space, then at most the kiosk's
    limit of guesses is even looked at before the keypad rests."""
    cab.deposit()
    looked = 0
    for n in range(200):
        verdict = cab.service.check_code(f"{n:06d}").verdict
        if verdict is CodeVerdict.KIOSK_RESTING:
            break
        looked += 1
    assert looked <= config.locker.kiosk_max_failures


def test_an_expired_code_is_told_and_the_item_stays_for_staff(cab, config) -> None:
    """Given a deposit 8 days ago (keeping 7), then the code is EXPIRED (not merely wrong), the
    item is still held and listed for staff to take back."""
    item_id, code, _ = cab.deposit()
    cab.clock.advance(timedelta(days=config.locker.keeping_days, seconds=1))
    assert cab.service.check_code(code).verdict is CodeVerdict.EXPIRED
    assert [i.id for i in cab.service.expired()] == [item_id]


def test_a_certificate_needs_the_applicants_card_and_wrong_cards_rest_the_code(cab,
                                                                               config) -> None:
    """Given a business licence (ID check), when the code is right but wrong cards are tapped,
    then each is WRONG_PERSON until the code rests; the right card then waits out the rest."""
    item_id, code, _ = cab.deposit(LICENCE)
    check = cab.service.check_code(code)
    assert check.verdict is CodeVerdict.OK and check.item.needs_id
    for left in range(config.locker.code_max_failures - 1, 0, -1):
        assert cab.service.check_owner(item_id, "ee" * 32).tries_left == left
    assert cab.service.check_owner(item_id, "ee" * 32).verdict is CodeVerdict.CODE_RESTING
    assert cab.service.check_owner(item_id, LICENCE.person_hash).verdict is \
        CodeVerdict.CODE_RESTING
    cab.clock.advance(timedelta(seconds=config.locker.code_lockout_seconds + 1))
    assert cab.service.check_owner(item_id, LICENCE.person_hash).verdict is CodeVerdict.OK


def test_a_jammed_door_goes_out_of_service_and_the_next_one_is_used(cab) -> None:
    """Given door 1 jammed, when staff deposit, then door 1 fails (out of service, alert,
    deposit cancelled) and a retry gets another compartment of the size."""
    cab.board.jam(1)
    with pytest.raises(DoorFault):
        cab.service.open_deposit("S", CASE, "S01")
    assert 1 in cab.service.out_of_service()
    assert DOOR_FAULT_ALERT in [a.kind for a in cab.service.journal.alerts.open()]
    again = cab.service.open_deposit("S", CASE, "S01")
    assert again is not None and again.compartment == 2


def test_a_jammed_pickup_door_keeps_the_item_flagged_never_lost(cab) -> None:
    """Given a held item whose door then jams, when the pickup opens it, then the door is out
    of service, the item is still held (for staff) and the code is not used up."""
    item_id, code, door = cab.deposit()
    cab.board.jam(door)
    with pytest.raises(DoorFault):
        cab.service.open_pickup(item_id)
    assert door in cab.service.out_of_service()
    assert cab.service.check_code(code).verdict is CodeVerdict.OK


def test_a_drop_off_with_nothing_put_in_is_not_received(cab) -> None:
    """Given a night drop-off door opened, when it closes on an empty compartment (IR), then
    nothing is received and the compartment is free again."""
    opening = cab.service.open_dropoff("M", person_hash="ab" * 32, masked_name="张*",
                                       case_id=None, service_item="unemployment-registration")
    assert opening is not None
    cab.board.close_door(opening.compartment)
    assert cab.service.journal.poll(opening.intent_id).result is Settled.NOTHING_PUT
    assert opening.compartment in cab.service.free_compartments("M")
    assert cab.outbox_kinds() == []


def test_staff_empty_a_drop_off_and_take_back_an_expired_item(cab, config) -> None:
    """Given a received drop-off and an expired pickup, when staff open each and close the
    door on an empty compartment, then both are removed and reported."""
    drop = cab.service.open_dropoff("M", person_hash="ab" * 32, masked_name="张*",
                                    case_id=None, service_item=None)
    cab.board.put_item(drop.compartment)
    cab.board.close_door(drop.compartment)
    assert cab.service.journal.poll(drop.intent_id).result is Settled.COMPLETED
    item_id, _, door = cab.deposit()
    cab.clock.advance(timedelta(days=config.locker.keeping_days + 1))
    for held, purpose in ((cab.service.held("dropoff")[0].id, Purpose.EMPTY),
                          (item_id, Purpose.TAKE_BACK)):
        opening = cab.service.open_removal(held, purpose, "S01")
        cab.board.take_item(opening.compartment)
        cab.board.close_door(opening.compartment)
        assert cab.service.journal.poll(opening.intent_id).result is Settled.COMPLETED
    assert cab.service.held() == []
    assert cab.outbox_kinds()[-2:] == ["locker.emptied", "locker.taken_back"]


def test_codes_are_stored_only_hashed(cab, engine) -> None:
    """Given a deposit, then the database holds the code's HMAC and no column holds the code."""
    from sqlalchemy import text

    item_id, code, _ = cab.deposit()
    with engine.connect() as conn:
        dump = "\n".join(str(tuple(r)) for t in ("locker_items", "outbox", "audit_log")
                         for r in conn.execute(text(f"SELECT * FROM {t}")))
    assert code_hmac(code, SECRET) in dump and code not in dump.replace(
        code_hmac(code, SECRET), "")
    assert derive_code(SECRET, item_id) == code


def test_the_cabinet_is_laid_out_from_the_boards_when_none_is_configured() -> None:
    """Given no [locker] cabinets and 16 doors, then one cabinet A of 16 compartments in
    columns SSSMML, SSSMML, SSSM; a configured layout is taken as written, with places."""
    from config.schema import CabinetConfig, LockerConfig
    from kiosk.lockers.cabinet import Cabinet

    cabinet = Cabinet.from_config(LockerConfig(), 16)
    assert cabinet.numbers() == list(range(1, 17)) and cabinet.columns == 3
    assert [cabinet.get(n).size for n in (1, 4, 6, 16)] == ["S", "M", "L", "M"]
    two = Cabinet.from_config(LockerConfig(cabinets=[
        CabinetConfig(name="A", columns=["SML"]), CabinetConfig(name="B", columns=["LL"])]), 24)
    b2 = two.get(5)
    assert (b2.cabinet, b2.place_column, b2.place_row, b2.size) == ("B", 1, 2, "L")
    assert two.cabinet_starts == (0, 1)
    assert [c.number for c in two.fitting("M")] == [2, 3, 4, 5]


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_workers_racing_for_free_doors_never_share_one(db, request, config, clock) -> None:
    """Given two threads opening drop-off doors at once (on SQLite and PostgreSQL), then every
    opening gets its own compartment: the database's partial unique indexes refuse a second
    live item or a second open intent per door, and the loser moves to the next free one."""
    import threading

    from kiosk.storage import make_engine, migrate

    url = request.getfixturevalue("sqlite_url" if db == "sqlite" else "pg_url")
    engine = make_engine(url)
    migrate(engine)
    cab = make_cabinet(engine, config, clock)
    doors: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def work() -> None:
        try:
            start.wait()
            for _ in range(6):
                opening = cab.service.open_dropoff("S", person_hash="ab" * 32,
                                                   masked_name="张*", case_id=None,
                                                   service_item=None)
                assert opening is not None
                doors.append(opening.compartment)
        except BaseException as exc:  # handed to the test thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    engine.dispose()
    assert errors == [] and len(doors) == 12 and len(set(doors)) == 12
