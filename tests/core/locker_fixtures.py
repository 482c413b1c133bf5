"""A locker service on a migrated SQLite database with the simulated cabinet, for core tests."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine, select

from drivers.locker.simulated import SimulatedLocker
from kiosk.alerts import Alerts
from kiosk.clock import ManualClock
from kiosk.lockers.codes import derive_code
from kiosk.lockers.doors import DirectDoors
from kiosk.lockers.journal import Settled
from kiosk.lockers.service import CaseRef, LockerService
from kiosk.outbox import Outbox
from kiosk.storage.models import AuditEntry, OutboxMessage
from tests.core.conftest import SECRET

CASE = CaseRef("c-0001", "SB20260105-0001", ("unemployment-registration",), "张*", "ab" * 32)
LICENCE = CaseRef("c-0002", "SB20260105-0002", ("business-licence",), "李*", "cd" * 32)


@dataclass
class Cabinet:
    service: LockerService
    board: SimulatedLocker
    clock: ManualClock
    engine: Engine

    def deposit(self, case: CaseRef = CASE, size: str = "S") -> tuple[str, str, int]:
        """Staff put a case in and close the door; returns (item id, pickup code, door)."""
        opening = self.service.open_deposit(size, case, "S01")
        assert opening is not None and opening.item_id is not None
        self.board.put_item(opening.compartment)
        self.board.close_door(opening.compartment)
        settled = self.service.journal.poll(opening.intent_id)
        assert settled.result is Settled.COMPLETED
        return opening.item_id, derive_code(SECRET, opening.item_id), opening.compartment

    def outbox_kinds(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(OutboxMessage.kind).order_by(
                OutboxMessage.id)).scalars())

    def audit(self) -> list[tuple[str, str, str]]:
        with self.engine.connect() as conn:
            return [(r.actor, r.action, r.subject) for r in conn.execute(
                select(AuditEntry).order_by(AuditEntry.id))]


def make_cabinet(engine: Engine, config, clock: ManualClock,
                 board: SimulatedLocker | None = None) -> Cabinet:
    board = board or SimulatedLocker(doors=24)
    board.open()
    service = LockerService(engine, config, clock, SECRET, Outbox(config.hall.code),
                            Alerts(engine, config.kiosk.id, clock), DirectDoors(board))
    return Cabinet(service, board, clock, engine)
