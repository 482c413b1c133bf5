"""A real lock board on an RS485 bus: the thin serial transport under the 8A and Kerong protocols.

Opening a door is never trusted to the board's acknowledgement: boards in the field carry out an
open and stay silent, or answer with noise. Each attempt clears stale input, sends the open, then
CONFIRMS by reading the lock; a failed attempt closes and reopens the port before the next one
(USB–RS485 adapters that lost sync recover that way); only after every attempt does the door count
as jammed. The line is the shared ``drivers.serial_transport.SerialTransport``, which turns every
way a pulled adapter shows up into ``DeviceUnplugged``; silence becomes ``DeviceTimeout``;
callers never see pyserial.

Must never decide anything about compartments or pickups (that is the core's business) and never
hold the bus lock while sleeping.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from typing import Any, TypeVar

import serial

from drivers.base import (
    DeviceError,
    DeviceTimeout,
    DeviceUnplugged,
    Health,
    HealthState,
    ProtocolError,
)
from drivers.locker.base import DoorJammed, DoorState, LockerBoard
from drivers.locker.framing import Exchange
from drivers.locker.protocol_8a import Protocol8A
from drivers.locker.protocol_kerong import Addressing, ProtocolKerong
from drivers.serial_transport import SerialTransport

T = TypeVar("T")
PROTOCOLS = ("8a", "kerong")
READ_SLICE_S = 0.05  # longest a single read blocks, so the deadline is kept to within this


class SerialLockerBoard(LockerBoard):
    def __init__(self, port: str, protocol: str = "8a", board: int = 1, doors: int | None = None,
                 baud: int = 9600, timeout: float = 0.5, open_bit: int = 1, retries: int = 3,
                 addressing: str = Addressing.BOARD_HIGH_NIBBLE) -> None:
        if protocol == "8a":
            self.protocol: Protocol8A | ProtocolKerong = Protocol8A(
                board, 24 if doors is None else doors, open_bit)
        elif protocol == "kerong":
            self.protocol = ProtocolKerong(board, 16 if doors is None else doors, open_bit,
                                           addressing)
        else:
            raise ValueError(f"locker protocol must be one of {', '.join(PROTOCOLS)}, "
                             f"not {protocol!r}")
        if retries < 1:
            raise ValueError("retries must be at least 1")
        self.port_url, self.board, self.baud = port, board, baud
        self.timeout, self.retries = timeout, retries
        self.doors = self.protocol.doors
        self._line = SerialTransport(
            port, device="locker board", message_zh="文件柜控制板未连接",
            open_hint="is the USB–RS485 adapter plugged in and the port name right (kiosk "
                      "device ports)?",
            lost_hint="check the USB–RS485 adapter and its cable",
            baudrate=baud, bytesize=serial.EIGHTBITS, parity=serial.PARITY_NONE,
            stopbits=serial.STOPBITS_ONE, timeout=min(timeout, READ_SLICE_S),
            write_timeout=max(timeout, 1.0))
        self._bus = threading.RLock()  # one exchange at a time on a half-duplex line
        self._health = Health(HealthState.OFFLINE, "not opened")
        self._jammed: set[int] = set()

    @classmethod
    def from_config(cls, driver: str, port: str, baud: int, timeout: float,
                    settings: Mapping[str, Any]) -> SerialLockerBoard:
        """Build from ``[devices.locker]`` (driver = "8a" | "kerong", settings = {board, doors,
        open_bit, retries, addressing})."""
        return cls(port, protocol=driver, board=int(settings.get("board", 1)),
                   doors=int(settings["doors"]) if "doors" in settings else None,
                   baud=baud, timeout=timeout, open_bit=int(settings.get("open_bit", 1)),
                   retries=int(settings.get("retries", 3)),
                   addressing=str(settings.get("addressing", Addressing.BOARD_HIGH_NIBBLE)))

    # ---- lifecycle ----------------------------------------------------------------------
    def open(self) -> None:
        with self._bus:
            self._ensure_port()
            self._set_health(Health.ok())

    def close(self) -> None:
        with self._bus:
            self._drop_port()
            self._set_health(Health(HealthState.OFFLINE, "closed"))

    def health(self) -> Health:
        return self._health

    @property
    def jammed_doors(self) -> frozenset[int]:
        """Doors whose last open failed with the board saying "still closed"."""
        return frozenset(self._jammed)

    # ---- doors --------------------------------------------------------------------------
    def open_door(self, door: int) -> None:
        self._check_door(door)
        with self._bus:
            said_closed = 0
            notes: list[str] = []
            last_error: DeviceError | None = None
            for attempt in range(1, self.retries + 1):
                if attempt > 1:
                    self._drop_port()  # the next exchange reopens it
                try:
                    ack = self._exchange(self.protocol.open_exchange(door))
                    if ack is False:
                        notes.append(f"attempt {attempt}: board acknowledged 'still closed'")
                except DeviceUnplugged as exc:
                    last_error = exc
                    continue
                except (DeviceTimeout, ProtocolError) as exc:
                    # The known field failure: the latch opened but the board never answered.
                    notes.append(f"attempt {attempt}: no valid ack ({type(exc).__name__})")
                try:
                    state = self._exchange(self.protocol.door_exchange(door))
                except (DeviceTimeout, DeviceUnplugged, ProtocolError) as exc:
                    last_error = exc
                    continue
                if state.is_open:
                    self._jammed.discard(door)
                    self._set_health(self._ok_health())
                    return
                said_closed += 1
            if said_closed:
                self._jammed.add(door)
                self._set_health(self._ok_health())
                detail = "; ".join(notes)
                raise DoorJammed(
                    f"locker board {self.board} door {door} is still closed after "
                    f"{self.retries} attempts on {self.port_url} ({detail or 'acks said open'}); "
                    f"take the door out of service and check its latch and wiring",
                    f"{door}号柜门无法打开，已暂停使用并通知工作人员")
            assert last_error is not None
            self._set_health(Health(HealthState.OFFLINE, str(last_error)))
            raise last_error

    def door_states(self) -> dict[int, DoorState]:
        with self._bus:
            last_error: DeviceError | None = None
            for attempt in range(1, self.retries + 1):
                if attempt > 1:
                    self._drop_port()
                try:
                    states = self._exchange(self.protocol.board_exchange())
                except (DeviceTimeout, DeviceUnplugged, ProtocolError) as exc:
                    last_error = exc
                    continue
                self._set_health(self._ok_health())
                return states
            assert last_error is not None
            self._set_health(Health(HealthState.OFFLINE, str(last_error)))
            raise last_error

    # ---- transport ----------------------------------------------------------------------
    def _exchange(self, exchange: Exchange[T]) -> T:
        """Send one request and wait for its answer until ``timeout``; bad frames on the way are
        remembered but do not end the wait, because the real answer may follow the noise."""
        line, doing = self._line, exchange.what
        error: ProtocolError | None = None
        line.reset_input(doing=doing)  # a late answer to the previous command is not ours
        line.write(exchange.request, doing=doing)
        line.flush(doing=doing)
        deadline = time.monotonic() + self.timeout
        while True:
            frames, errors = exchange.parser.drain()
            error = errors[-1] if errors else error
            for frame in frames:
                try:
                    return exchange.decode(frame)
                except ProtocolError as exc:
                    error = exc
            if time.monotonic() >= deadline:
                break
            exchange.parser.feed(line.read_available(doing=doing))
        if error is not None:
            raise type(error)(f"locker board {self.board} on {self.port_url}, {exchange.what}: "
                              f"{error}", "文件柜控制板通信错误")
        raise DeviceTimeout(
            f"locker board {self.board} on {self.port_url} did not answer {exchange.what} "
            f"within {self.timeout:g} s; check RS485 wiring (A/B), the board address and "
            f"baud rate {self.baud}", "文件柜控制板无响应")

    def _ensure_port(self) -> None:
        self._line.open()

    def _drop_port(self) -> None:
        self._line.close()

    def _check_door(self, door: int) -> None:
        if not 1 <= door <= self.doors:
            raise ValueError(f"door must be 1-{self.doors} on this board, not {door}")

    def _ok_health(self) -> Health:
        if self._jammed:
            doors = ", ".join(str(d) for d in sorted(self._jammed))
            return Health(HealthState.DEGRADED, f"jammed door(s): {doors}")
        return Health.ok()

    def _set_health(self, health: Health) -> None:
        self._health = health
