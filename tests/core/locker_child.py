"""A kiosk process for the locker kill -9 test: one door step at a time against a lock board on a
pseudo-terminal, printing each step after it is done and then waiting to be told to go on (or
to be killed right there). ``recover`` finishes or rolls back whatever a killed run left.

Run as ``python -m tests.core.locker_child DB_URL PORT FAMILY ACTION [ITEM_ID]`` with ACTION
``deposit`` | ``dropoff`` | ``pickup`` | ``recover``.
"""

from __future__ import annotations

import json
import sys
import time

from drivers.locker.board import SerialLockerBoard
from kiosk.alerts import Alerts
from kiosk.clock import SystemClock
from kiosk.config import load_config
from kiosk.lockers.doors import DirectDoors
from kiosk.lockers.journal import Purpose
from kiosk.lockers.service import CaseRef, LockerService
from kiosk.outbox import Outbox
from kiosk.storage import make_engine, migrate

SECRET = b"locker-durability-secret-0000000"
CASE = CaseRef("c-0001", "SB20260105-0001", ("unemployment-registration",), "张*", "ab" * 32)


def step(name: str) -> None:
    print(name, flush=True)
    sys.stdin.readline()  # the parent says "go on" (or kills us here)


def main(url: str, port: str, family: str, action: str, item_id: str = "") -> None:
    engine = make_engine(url)
    migrate(engine)
    config = load_config(None)
    clock = SystemClock()
    board = SerialLockerBoard(port, protocol=family, board=0 if family == "kerong" else 1,
                              doors=16, timeout=0.3)
    board.open()
    service = LockerService(engine, config, clock, SECRET, Outbox(config.hall.code),
                            Alerts(engine, config.kiosk.id, clock), DirectDoors(board))
    journal = service.journal
    if action == "recover":
        print(json.dumps([s.result.value for s in journal.recover()]), flush=True)
        return
    print("ready", flush=True)
    if action == "pickup":
        item = service.item(item_id)
        opening = journal.begin(item.compartment, Purpose.PICKUP, service.actor, item_id=item_id)
    else:
        number = service.free_compartments("S")[0]
        new_item = dict(kind="pickup", case_id=CASE.case_id, case_number=CASE.case_number,
                        item_id=CASE.service_items[0], person_hash=CASE.person_hash,
                        masked_name=CASE.masked_name) if action == "deposit" else dict(
            kind="dropoff", person_hash="ab" * 32, masked_name="张*")
        purpose = Purpose.DEPOSIT if action == "deposit" else Purpose.DROPOFF
        opening = journal.begin(number, purpose, "staff:S01", new_item=new_item)
    print(f"item {opening.item_id} door {opening.compartment}", flush=True)
    step("intended")
    board.open_door(opening.compartment)
    step("commanded")
    journal._opened(opening.intent_id, opening.compartment, opening.purpose.value)
    step("opened")
    while True:  # the person at the door closes it
        state = board.door_states()[opening.compartment]
        if not state.is_open:
            break
        time.sleep(0.05)
    step("closed")
    settled = journal.settle(opening.intent_id, state)
    print(f"settled {settled.result.value}", flush=True)
    step("done")


if __name__ == "__main__":
    main(*sys.argv[1:])
