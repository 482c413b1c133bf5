"""Owns the kiosk's devices: opens them, polls them on worker threads, watches their health.

Devices are reached only through their interfaces (``drivers/<kind>/base.py``); which class is
behind each one (real or simulated) is decided by ``drivers.factory`` from the configuration.
Worker threads publish events on the bus; they never touch the UI. Slow operations (printing,
opening a door) go through ``run_job`` so the screen never freezes, and each device has a lock so
a job and a poll never interleave bytes on one serial line. A device that fails is reopened with
backoff: a pulled cable plugged back in comes back without a restart.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from drivers.base import Device, DeviceError, Health, HealthState, ProtocolError
from drivers.idcard.base import CardReadError, IdCardReader
from drivers.locker.base import DoorState, LockerBoard
from drivers.scanner.base import CodeScanner
from kiosk.events import (
    CardInserted,
    CardRemoved,
    CardUnreadable,
    CodeScanned,
    DeviceHealthChanged,
    DoorChanged,
    EventBus,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

MAX_BACKOFF_S = 10.0


class DeviceManager:
    def __init__(self, devices: Mapping[str, Device], bus: EventBus, *, poll_s: float = 0.25,
                 health_s: float = 2.0, door_poll_s: float = 1.0) -> None:
        self._devices = dict(devices)
        self._bus = bus
        self._poll_s, self._health_s, self._door_poll_s = poll_s, health_s, door_poll_s
        self._locks = {kind: threading.RLock() for kind in self._devices}
        self._health: dict[str, Health] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._jobs = ThreadPoolExecutor(max_workers=2, thread_name_prefix="device-job")
        self._doors: dict[int, DoorState] = {}

    # ---- access -------------------------------------------------------------------------
    def get(self, kind: str) -> Device | None:
        return self._devices.get(kind)

    def kinds(self) -> list[str]:
        return list(self._devices)

    def health(self, kind: str) -> Health:
        if kind not in self._devices:
            return Health(HealthState.OFFLINE, "not configured")
        return self._health.get(kind, Health(HealthState.OFFLINE, "not started"))

    def is_usable(self, kind: str) -> bool:
        return self.health(kind).state is not HealthState.OFFLINE

    def lock(self, kind: str) -> threading.RLock:
        return self._locks[kind]

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        for kind, device in self._devices.items():
            self._try_open(kind, device)
        loops: list[tuple[str, Callable[[], None]]] = [("device-health", self._health_loop)]
        for kind, device in self._devices.items():
            if isinstance(device, IdCardReader):
                loops.append((f"device-{kind}", lambda d=device, k=kind: self._card_loop(k, d)))
            elif isinstance(device, CodeScanner):
                loops.append((f"device-{kind}", lambda d=device, k=kind: self._scan_loop(k, d)))
            elif isinstance(device, LockerBoard):
                loops.append((f"device-{kind}", lambda d=device, k=kind: self._door_loop(k, d)))
        for name, target in loops:
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=3.0)
        self._threads.clear()
        self._jobs.shutdown(wait=True, cancel_futures=True)
        for kind, device in self._devices.items():
            with self._locks[kind]:
                try:
                    device.close()
                except Exception:  # closing must never stop the shutdown of the others
                    log.exception("closing %s failed", kind)

    # ---- jobs ---------------------------------------------------------------------------
    def run_job(self, kind: str, job: Callable[[Device], T]) -> Future[T]:
        """Run ``job(device)`` on a worker thread holding the device's lock.

        The caller gets a Future; screens attach a callback and hop back to the UI thread.
        A ``DeviceError`` is stored in the Future and also updates the device's health."""

        def run() -> T:
            device = self._devices[kind]
            with self._locks[kind]:
                try:
                    return job(device)
                finally:
                    self._note_health(kind, device.health())

        return self._jobs.submit(run)

    # ---- loops --------------------------------------------------------------------------
    def _try_open(self, kind: str, device: Device) -> bool:
        with self._locks[kind]:
            try:
                device.close()
                device.open()
            except DeviceError as exc:
                log.warning("%s could not be opened: %s", kind, exc)
                self._note_health(kind, Health(HealthState.OFFLINE, str(exc)))
                return False
            self._note_health(kind, device.health())
            return True

    def _note_health(self, kind: str, health: Health) -> None:
        if self._health.get(kind) != health:
            self._health[kind] = health
            log.info("device %s is %s %s", kind, health.state.value, health.reason)
            self._bus.publish(DeviceHealthChanged(kind, health))

    def _health_loop(self) -> None:
        backoff = {kind: 1.0 for kind in self._devices}
        next_try = {kind: 0.0 for kind in self._devices}
        elapsed = 0.0
        while not self._stop.wait(self._health_s):
            elapsed += self._health_s
            for kind, device in self._devices.items():
                health = device.health()
                if health.state is HealthState.OFFLINE and elapsed >= next_try[kind]:
                    if self._try_open(kind, device):
                        backoff[kind] = 1.0
                    else:
                        next_try[kind] = elapsed + backoff[kind]
                        backoff[kind] = min(backoff[kind] * 2, MAX_BACKOFF_S)
                else:
                    self._note_health(kind, health)

    def _guarded(self, kind: str, device: Device, step: Callable[[], None]) -> None:
        """One poll step; a device failure marks health and waits instead of spinning."""
        if self.health(kind).state is HealthState.OFFLINE:
            self._stop.wait(self._poll_s)
            return
        try:
            with self._locks[kind]:
                step()
        except CardReadError as exc:
            self._bus.publish(CardUnreadable(str(exc), exc.message_zh))
            self._stop.wait(self._poll_s)
        except ProtocolError as exc:
            # One garbled frame (a smudged code, line noise) says nothing about the next one:
            # keep the device in service, marked degraded until the watchdog sees it healthy.
            log.warning("%s sent a bad frame: %s", kind, exc)
            self._note_health(kind, Health(HealthState.DEGRADED, str(exc)))
            self._stop.wait(self._poll_s)
        except DeviceError as exc:
            log.warning("%s failed: %s", kind, exc)
            self._note_health(kind, Health(HealthState.OFFLINE, str(exc)))
            self._stop.wait(self._poll_s)

    def _card_loop(self, kind: str, reader: IdCardReader) -> None:
        holding = False

        def step() -> None:
            nonlocal holding
            if holding:
                if not reader.card_present():
                    holding = False
                    self._bus.publish(CardRemoved())
                return
            card = reader.read_card(timeout=self._poll_s)
            if card is not None:
                holding = True
                self._bus.publish(CardInserted(card))

        while not self._stop.is_set():
            self._guarded(kind, reader, step)
            if holding:
                self._stop.wait(self._poll_s)

    def _scan_loop(self, kind: str, scanner: CodeScanner) -> None:
        def step() -> None:
            code = scanner.read_code(timeout=self._poll_s)
            if code is not None:
                self._bus.publish(CodeScanned(code))

        while not self._stop.is_set():
            self._guarded(kind, scanner, step)

    def _door_loop(self, kind: str, board: LockerBoard) -> None:
        def step() -> None:
            states = board.door_states()
            for door, state in states.items():
                if self._doors.get(door) != state:
                    self._doors[door] = state
                    self._bus.publish(DoorChanged(door, state))

        while not self._stop.is_set():
            self._guarded(kind, board, step)
            self._stop.wait(self._door_poll_s)

    def door_state(self, door: int) -> DoorState | None:
        return self._doors.get(door)
