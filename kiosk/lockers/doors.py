"""How the locker service reaches the doors: open one, read one, through the board's interface.

``BoardDoors`` goes through ``DeviceManager.run_job`` (the device's lock, its health updated by
every answer); ``DirectDoors`` calls a board directly (the kill -9 test's child process, the
benchmark). Never decides anything about what a compartment holds.
"""

from __future__ import annotations

from typing import Protocol

from drivers.base import Device, DeviceError
from drivers.locker.base import DoorState, LockerBoard
from kiosk.devices import DeviceManager

JOB_TIMEOUT_S = 30.0  # a board with every retry used is far quicker than this


class DoorPort(Protocol):
    def open(self, number: int) -> None:
        """Open the door and confirm it (``DoorJammed`` or another ``DeviceError`` if not)."""

    def state(self, number: int) -> DoorState: ...


class NotALockerBoard(DeviceError):
    message_zh = "文件柜未配置"


class DoorNotReported(DeviceError):
    """The board serving this door left it out of its answer (that board is not answering)."""

    message_zh = "文件柜控制板无响应"


def _state_of(states: dict[int, DoorState], number: int) -> DoorState:
    if number not in states:
        raise DoorNotReported(f"locker door {number} was not reported by its board")
    return states[number]


def _board(device: Device) -> LockerBoard:
    if not isinstance(device, LockerBoard):
        raise NotALockerBoard(f"{type(device).__name__} is not a locker board")
    return device


class DirectDoors:
    def __init__(self, board: LockerBoard) -> None:
        self.board = board

    def open(self, number: int) -> None:
        self.board.open_door(number)

    def state(self, number: int) -> DoorState:
        return _state_of(self.board.door_states(), number)


class BoardDoors:
    def __init__(self, devices: DeviceManager) -> None:
        self.devices = devices

    def open(self, number: int) -> None:
        if "locker" not in self.devices.kinds():
            raise NotALockerBoard("no locker board is configured")
        self.devices.run_job("locker", lambda d: _board(d).open_door(number)).result(
            JOB_TIMEOUT_S)

    def state(self, number: int) -> DoorState:
        if "locker" not in self.devices.kinds():
            raise NotALockerBoard("no locker board is configured")
        return self.devices.run_job(
            "locker", lambda d: _state_of(_board(d).door_states(), number)).result(JOB_TIMEOUT_S)
