"""kill -9 at every step of a deposit, a night drop-off and a pickup, against a lock-board
emulator on a pseudo-terminal: after a restart the state is consistent, nothing is lost, and no
door was ever opened twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from drivers.locker.emulator import Emulator8A, EmulatorKerong, LockerBoardEmulator
from kiosk.storage import make_engine
from kiosk.storage.models import LockerCompartment, LockerIntent, LockerItem, OutboxMessage

ROOT = Path(__file__).resolve().parents[2]
STEPS = ("intended", "commanded", "opened", "closed", "done")


@pytest.fixture
def kerong(tmp_path) -> Iterator[EmulatorKerong]:
    with EmulatorKerong(board=0, doors=16, link_dir=tmp_path) as emu:
        yield emu  # type: ignore[misc]


class Child:
    def __init__(self, url: str, emu: LockerBoardEmulator, action: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.core.locker_child", url, emu.port, emu.family, action,
             *args], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def line(self) -> str:
        assert self.proc.stdout is not None
        text = self.proc.stdout.readline()
        assert text, "the child ended early"
        return text.strip()

    def go(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()

    def kill(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


def run(url: str, emu: LockerBoardEmulator, action: str, *args: str,
        kill_at: str | None = None, at_door=None) -> tuple[str, int]:
    """Run a step-by-step child, playing the person at the door; kill -9 at ``kill_at``."""
    child = Child(url, emu, action, *args)
    assert child.line() == "ready"
    _, item, _, door = child.line().split()
    for name in STEPS:
        got = child.line()
        if got.startswith("settled"):
            got = child.line()
        assert got == name
        if name == "opened" or (name == "commanded" and kill_at == "commanded"):
            if at_door is not None:
                at_door(int(door))
            emu.close_door(int(door))
        if name == kill_at:
            child.kill()
            return item, int(door)
        child.go()
    child.proc.wait(timeout=10)
    return item, int(door)


def recover(url: str, emu: LockerBoardEmulator) -> list[str]:
    out = subprocess.run([sys.executable, "-m", "tests.core.locker_child", url, emu.port,
                          emu.family, "recover"], cwd=ROOT, capture_output=True, text=True,
                         timeout=30, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def rows(url: str) -> tuple[list[LockerItem], list[LockerIntent], list[str], list[int]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        items = [LockerItem(**r._mapping) for r in conn.execute(select(LockerItem))]
        intents = [LockerIntent(**r._mapping) for r in conn.execute(select(LockerIntent))]
        kinds = list(conn.execute(select(OutboxMessage.kind).order_by(OutboxMessage.id))
                     .scalars())
        out = list(conn.execute(select(LockerCompartment.number).where(
            LockerCompartment.out_of_service_at.is_not(None))).scalars())
    engine.dispose()
    return items, intents, kinds, out


@pytest.mark.parametrize("kill_at", STEPS)
@pytest.mark.parametrize("action", ["deposit", "dropoff"])
def test_kill_9_at_every_step_of_a_deposit(sqlite_url, kerong, kill_at, action) -> None:
    """Given staff (or a citizen) putting an item in, when the kiosk is killed at ``kill_at``
    (the person still puts the item in and closes the door), then the restart completes the
    deposit from the door and IR sensors: one held item, one hall record, one opening."""
    run(sqlite_url, kerong, action, kill_at=kill_at, at_door=kerong.put_item)
    settled = recover(sqlite_url, kerong)
    items, intents, kinds, out = rows(sqlite_url)
    assert kerong.open_requests == (0 if kill_at == "intended" else 1)
    if kill_at == "intended":  # the command never went out: nothing was received
        assert [i.state for i in items] == ["cancelled"] and kinds == []
        assert settled == ["nothing_put"]
    else:
        assert [i.state for i in items] == ["held"]
        assert kinds == [f"locker.{'deposited' if action == 'deposit' else 'dropped_off'}"]
    assert all(i.state in ("done", "rolled_back") for i in intents) and out == []
    assert recover(sqlite_url, kerong) == []  # a second restart finds nothing to do
    assert kerong.open_requests == (0 if kill_at == "intended" else 1)


@pytest.mark.parametrize("kill_at", STEPS)
def test_kill_9_at_every_step_of_a_pickup(sqlite_url, kerong, kill_at) -> None:
    """Given a deposited case, when the pickup is killed at ``kill_at`` (the citizen takes the
    item and closes the door when it opens), then after the restart the item is picked up
    exactly when the door really opened, reported once, and no door opened twice."""
    item, _ = run(sqlite_url, kerong, "deposit", at_door=kerong.put_item)
    opens = kerong.open_requests
    run(sqlite_url, kerong, "pickup", item, kill_at=kill_at, at_door=kerong.remove_item)
    recover(sqlite_url, kerong)
    items, intents, kinds, out = rows(sqlite_url)
    assert kerong.open_requests == opens + (0 if kill_at == "intended" else 1)
    if kill_at == "intended":
        assert [i.state for i in items] == ["held"] and kinds == ["locker.deposited"]
    else:
        assert [(i.state, i.removal) for i in items] == [("removed", "picked_up")]
        assert kinds == ["locker.deposited", "locker.picked_up"]
    assert all(i.state in ("done", "rolled_back") for i in intents) and out == []
    recover(sqlite_url, kerong)
    assert kerong.open_requests == opens + (0 if kill_at == "intended" else 1)


def test_kill_9_after_the_command_on_a_board_without_ir_flags_the_door(sqlite_url,
                                                                       tmp_path) -> None:
    """Given an 8A board (no item sensor), when a deposit is killed after the open command and
    the door is closed again, then the restart cannot tell what is inside: it never re-sends
    the open, rolls the step back, and takes the door out of service for staff to check."""
    with Emulator8A(board=1, doors=16, link_dir=tmp_path) as emu:
        run(sqlite_url, emu, "deposit", kill_at="commanded", at_door=emu.put_item)
        assert recover(sqlite_url, emu) == ["rolled_back"]
        items, intents, kinds, out = rows(sqlite_url)
        assert emu.open_requests == 1
        assert [i.state for i in items] == ["cancelled"] and kinds == []
        assert [i.state for i in intents] == ["rolled_back"] and out == [1]
