"""A cabinet of mixed lock boards (an 8A and a Kerong) behind one interface, each on its own
pseudo-terminal, byte for byte: cabinet doors map onto each board's own doors, IR comes from
the Kerong board only, a silent board takes only its own doors away; and the factory builds
the cabinet from [devices.locker] plus [[locker.boards]]."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from config.schema import LockerDevice, LockerSettings
from drivers.base import DeviceTimeout, HealthState
from drivers.factory import build_devices
from drivers.locker.base import DoorState
from drivers.locker.board import SerialLockerBoard
from drivers.locker.cabinet import CabinetBoards
from drivers.locker.emulator import Emulator8A, EmulatorKerong
from kiosk.config import load_config


@pytest.fixture
def boards(tmp_path) -> Iterator[tuple[Emulator8A, EmulatorKerong, CabinetBoards]]:
    with Emulator8A(board=1, doors=4, link_dir=tmp_path) as a, \
            EmulatorKerong(board=2, doors=4, link_dir=tmp_path) as k:
        first = SerialLockerBoard(a.port, "8a", board=1, doors=4, timeout=0.3, retries=1)
        second = SerialLockerBoard(k.port, "kerong", board=2, doors=4, timeout=0.3, retries=1)
        cabinet = CabinetBoards([first, second], [4, 4])
        cabinet.open()
        yield a, k, cabinet  # type: ignore[misc]
        cabinet.close()


def test_cabinet_doors_map_onto_each_boards_own_doors_byte_for_byte(boards) -> None:
    """Given an 8A board (doors 1-4) then a Kerong board at DIP address 2 (doors 5-8), when
    cabinet doors 2 and 6 open, then the 8A board hears 8A 01 02 11 98 and the Kerong board
    02 21 31 03 57 (ADDR = board 2 << 4 | lock 2 - 1), each followed by its confirming query."""
    a, k, cabinet = boards
    cabinet.open_door(2)
    cabinet.open_door(6)
    assert a.requests[:2] == [bytes.fromhex("8A 01 02 11 98"), bytes.fromhex("80 01 02 33 B0")]
    assert k.requests[:2] == [bytes.fromhex("02 21 31 03 57"), bytes.fromhex("02 20 30 03 55")]
    assert a.is_open(2) and k.is_open(2) and not k.is_open(1)


def test_states_merge_with_ir_only_where_the_board_has_it(boards) -> None:
    """Given door 3 (8A) open and an item behind cabinet door 7 (Kerong lock 3), then the
    merged states say door 3 open with IR unknown and door 7 closed with an item."""
    a, k, cabinet = boards
    a.open_by_hand(3)
    k.put_item(3)
    states = cabinet.door_states()
    assert sorted(states) == list(range(1, 9))
    assert states[3] == DoorState(is_open=True, item_present=None)
    assert states[7] == DoorState(is_open=False, item_present=True)
    assert states[5] == DoorState(is_open=False, item_present=False)


def test_a_silent_board_takes_only_its_own_doors_away(boards) -> None:
    """Given the Kerong board silent, then its doors are left out of the states, the 8A doors
    are still reported, and the cabinet is degraded naming board 2; both silent: an error."""
    a, k, cabinet = boards
    k.silent = True
    states = cabinet.door_states()
    assert sorted(states) == [1, 2, 3, 4]
    health = cabinet.health()
    assert health.state is HealthState.DEGRADED and "2" in health.reason
    a.silent = True
    with pytest.raises(DeviceTimeout):
        cabinet.door_states()


def test_the_factory_builds_a_mixed_cabinet_from_the_config(tmp_path: Path) -> None:
    """Given [devices.locker] an 8A board of 24 doors and one [[locker.boards]] Kerong of 16
    (simulated here), then the locker device is a cabinet of 40 doors."""
    config = load_config(None)
    extra = LockerDevice(driver="simulated", settings=LockerSettings(doors=16))
    config = replace(config, locker=replace(config.locker, boards=[extra]))
    devices = build_devices(config, simulate=True, data_dir=tmp_path)
    cabinet = devices["locker"]
    assert isinstance(cabinet, CabinetBoards) and cabinet.doors == 40
    assert cabinet.locate(25) == (1, 1)
