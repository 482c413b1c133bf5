"""Several lock boards as one cabinet: the boards of a layout may mix families (8A and Kerong),
each on its own port or on one RS485 bus. Cabinet door k is door j of board i, boards taken in
the configured order ([devices.locker] first, then each [[locker.boards]]), so the core only
ever names cabinet doors (the compartment numbers of ``[locker] cabinets``).

A board that stops answering takes only its own doors away: ``door_states`` leaves them out
(the caller sees the door as unreadable) and reports the others; only when every board fails
does it raise. Never decides anything about compartments; never holds one board's lock while
talking to another.
"""

from __future__ import annotations

from drivers.base import DeviceError, Health, HealthState
from drivers.locker.base import DoorState, LockerBoard


class CabinetBoards(LockerBoard):
    def __init__(self, boards: list[LockerBoard], doors: list[int]) -> None:
        if not boards or len(boards) != len(doors) or any(n < 1 for n in doors):
            raise ValueError("a cabinet needs at least one board, each with its door count")
        self.boards = boards
        self._offsets: list[int] = []
        total = 0
        for n in doors:
            self._offsets.append(total)
            total += n
        self._doors = doors
        self.doors = total

    def locate(self, door: int) -> tuple[int, int]:
        """(board index, the board's own door number) of cabinet door ``door``."""
        if not 1 <= door <= self.doors:
            raise ValueError(f"door must be 1-{self.doors} in this cabinet, not {door}")
        for index in range(len(self.boards) - 1, -1, -1):
            if door > self._offsets[index]:
                return index, door - self._offsets[index]
        raise AssertionError("unreachable")

    def open(self) -> None:
        errors: list[DeviceError] = []
        for board in self.boards:
            try:
                board.open()
            except DeviceError as exc:
                errors.append(exc)
        if len(errors) == len(self.boards):
            raise errors[-1]

    def close(self) -> None:
        for board in self.boards:
            board.close()

    def health(self) -> Health:
        states = [b.health() for b in self.boards]
        down = [i + 1 for i, h in enumerate(states) if h.state is HealthState.OFFLINE]
        if len(down) == len(states):
            return Health(HealthState.OFFLINE, "; ".join(h.reason for h in states))
        if down:
            return Health(HealthState.DEGRADED, "lock board(s) "
                          + ", ".join(map(str, down)) + " not answering")
        worst = next((h for h in states if h.state is HealthState.DEGRADED), None)
        return worst or Health.ok()

    def open_door(self, door: int) -> None:
        index, local = self.locate(door)
        self.boards[index].open_door(local)

    def door_states(self) -> dict[int, DoorState]:
        out: dict[int, DoorState] = {}
        failed: DeviceError | None = None
        answered = 0
        for index, board in enumerate(self.boards):
            try:
                states = board.door_states()
            except DeviceError as exc:
                failed = exc
                continue
            answered += 1
            for local, state in states.items():
                if local <= self._doors[index]:
                    out[self._offsets[index] + local] = state
        if answered == 0 and failed is not None:
            raise failed
        return out

