"""A document locker in pure Python for the demo, the sim panel and core tests.

It behaves like a confirmed board: ``open_door`` opens the door or raises ``DoorJammed``; the sim
panel plays the citizen with ``close_door``, ``put_item`` and ``take_item``. Faults: a door can be
jammed one by one (``jam``) or all at once (``Fault.JAMMED``); ``Fault.UNPLUGGED``,
``Fault.TIMEOUT`` and ``Fault.GARBAGE`` make every call fail like a real board would (health and
errors as ``drivers.faults`` maps them).

Thread-safe (the UI thread presses panel buttons while the device thread polls). Must never touch
a port, sleep, or import Kivy.
"""

from __future__ import annotations

import threading

from drivers.base import Fault, Health, HealthState
from drivers.faults import SimulatedFaults
from drivers.locker.base import DoorJammed, DoorState, LockerBoard


class SimulatedLocker(LockerBoard, SimulatedFaults):
    def __init__(self, doors: int = 24, *, infrared: bool = True) -> None:
        SimulatedFaults.__init__(self)
        if doors < 1:
            raise ValueError("a locker has at least one door")
        self.doors = doors
        self.infrared = infrared  # False: behave like an 8A board without item sensors
        self._state_lock = threading.Lock()
        self._open: set[int] = set()
        self._items: set[int] = set()
        self._jammed: set[int] = set()
        self._opened = False
        self.open_count = 0  # doors actually opened, for counters and tests

    def open(self) -> None:
        self._fail_if_broken()
        self._opened = True

    def close(self) -> None:
        self._opened = False

    def health(self) -> Health:
        shown = self.fault_health()
        if shown is not None and shown.state is HealthState.OFFLINE:
            return shown
        with self._state_lock:
            jammed = sorted(self._jammed)
        if jammed:  # doors jammed one by one from the sim panel, named
            which = ", ".join(map(str, jammed))
            return Health(HealthState.DEGRADED, f"simulated locker: jammed door(s): {which}")
        if shown is not None:
            return shown
        if not self._opened:
            return Health(HealthState.OFFLINE, "not opened")
        return Health.ok()

    # ---- the board ----------------------------------------------------------------------
    def open_door(self, door: int) -> None:
        self._check_door(door)
        self._fail_if_broken()
        with self._state_lock:
            if door in self._jammed or self.active(Fault.JAMMED):
                raise DoorJammed(f"simulated locker door {door} is jammed (sim panel fault)",
                                 f"{door}号柜门无法打开，已暂停使用并通知工作人员")
            self._open.add(door)
            self.open_count += 1

    def door_states(self) -> dict[int, DoorState]:
        self._fail_if_broken()
        with self._state_lock:
            return {door: DoorState(door in self._open,
                                    (door in self._items) if self.infrared else None)
                    for door in range(1, self.doors + 1)}

    # ---- the sim panel --------------------------------------------------------------------
    def close_door(self, door: int) -> None:
        self._check_door(door)
        with self._state_lock:
            self._open.discard(door)

    def put_item(self, door: int) -> None:
        self._check_door(door)
        with self._state_lock:
            self._items.add(door)

    def take_item(self, door: int) -> None:
        self._check_door(door)
        with self._state_lock:
            self._items.discard(door)

    def jam(self, door: int) -> None:
        self._check_door(door)
        with self._state_lock:
            self._jammed.add(door)

    def unjam(self, door: int) -> None:
        with self._state_lock:
            self._jammed.discard(door)

    def _check_door(self, door: int) -> None:
        if not 1 <= door <= self.doors:
            raise ValueError(f"door must be 1-{self.doors}, not {door}")

    def _fail_if_broken(self) -> None:
        self.raise_for_faults()
