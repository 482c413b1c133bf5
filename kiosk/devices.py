"""Owns the kiosk's devices: opens them, polls them on worker threads, watches their health.

Devices are reached only through their interfaces (``drivers/<kind>/base.py``); which class is
behind each one (real or simulated) is decided by ``drivers.factory`` from the configuration.
Worker threads publish events on the bus; they never touch the UI. Slow operations (printing,
opening a door) go through ``run_job`` so the screen never freezes, and each device has a lock so
a job and a poll never interleave bytes on one serial line. A device that fails is reopened with
backoff: a pulled cable plugged back in comes back without a restart.

Supervision: a thread never dies unreported. Expected device failures (``DeviceError``) are
handled inside the poll loops; anything else (a driver bug, a platform quirk nobody mapped)
ends the loop through ``_supervised``, which marks the device offline with the reason; the
watchdog (the health loop) then reopens the device and starts a new loop. The health loop guards
each of its own rounds so it cannot die either. Every health change goes through ``_set_health``
(log + ``DeviceHealthChanged``). This module must never touch the UI or import Kivy.
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
from drivers.printer.base import ReceiptPrinter
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
    """``poll_s``: how long one reader/scanner wait lasts; ``health_s``: the watchdog's period;
    ``door_poll_s`` / ``status_poll_s``: how often the locker's doors / the printer's paper and
    presence are asked (an idle printer that is unplugged is noticed within that)."""

    def __init__(self, devices: Mapping[str, Device], bus: EventBus, *, poll_s: float = 0.25,
                 health_s: float = 2.0, door_poll_s: float = 1.0,
                 status_poll_s: float = 5.0) -> None:
        self._devices = dict(devices)
        self._bus = bus
        self._poll_s, self._health_s, self._door_poll_s = poll_s, health_s, door_poll_s
        self._status_poll_s = status_poll_s
        self._locks = {kind: threading.RLock() for kind in self._devices}
        self._health: dict[str, Health] = {}
        self._health_lock = threading.RLock()  # compare, store and publish as one step
        self._stop = threading.Event()
        self._loops: dict[str, Callable[[], None]] = {}  # thread name -> loop body
        self._threads: dict[str, threading.Thread] = {}
        self._spawn_lock = threading.Lock()
        self._jobs = ThreadPoolExecutor(max_workers=2, thread_name_prefix="device-job")
        self._doors: dict[int, DoorState] = {}
        self.restarts = 0  # poll loops the watchdog had to start again (diagnostics, tests)

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

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> None:
        self._stop.clear()
        for kind, device in self._devices.items():
            self._try_open(kind, device)
        for kind, device in self._devices.items():
            self._set_loop(kind, device)
        self._spawn("device-health", self._health_loop)
        for kind in self._loops:
            self._spawn(f"device-{kind}", self._supervised(kind))

    def _set_loop(self, kind: str, device: Device) -> None:
        if isinstance(device, IdCardReader):
            self._loops[kind] = lambda: self._card_loop(kind, device)
        elif isinstance(device, CodeScanner):
            self._loops[kind] = lambda: self._scan_loop(kind, device)
        elif isinstance(device, LockerBoard):
            self._loops[kind] = lambda: self._door_loop(kind, device)
        elif isinstance(device, ReceiptPrinter):
            self._loops[kind] = lambda: self._printer_loop(kind, device)
        else:
            self._loops.pop(kind, None)

    def replace(self, kind: str, device: Device, join_s: float = 3.0) -> None:
        """Put ``device`` in place of the fitted device of ``kind`` (the technician changed its
        settings), without a restart: the old one is closed between two poll steps (under the
        device's lock), its loop ends, the new one is opened and polled by a new loop. Blocks
        up to ``join_s`` for the old loop: call it off the UI thread."""
        if kind not in self._devices:
            raise KeyError(f"no {kind} is fitted; enabling one takes a restart")
        name = f"device-{kind}"
        with self._locks[kind]:
            old = self._devices[kind]
            self._devices[kind] = device
            self._set_loop(kind, device)
            try:
                old.close()
            except Exception:  # a broken old driver must not keep the new one out
                log.exception("closing the old %s failed", kind)
        log.info("device %s replaced by %s", kind, type(device).__name__)
        stale = self._threads.get(name)
        if stale is not None and stale is not threading.current_thread():
            stale.join(timeout=join_s)  # it ends after its current step (see _current)
        self._try_open(kind, device)
        if "device-health" in self._threads:  # started: poll the new device
            self._spawn_if_dead(kind)

    def _spawn_if_dead(self, kind: str) -> bool:
        """Start the kind's loop unless one is running (the watchdog and ``replace`` both
        may; the lock keeps it to one thread)."""
        name = f"device-{kind}"
        with self._spawn_lock:
            thread = self._threads.get(name)
            if (kind not in self._loops or self._stop.is_set()
                    or (thread is not None and thread.is_alive())):
                return False
            self._spawn(name, self._supervised(kind))
            return True

    def _current(self, kind: str, device: Device) -> bool:
        """Whether ``device`` is still the one fitted for ``kind`` (a loop of a replaced device
        ends instead of polling a closed port)."""
        return self._devices.get(kind) is device and not self._stop.is_set()

    def stop(self) -> None:
        self._stop.set()
        for thread in list(self._threads.values()):
            thread.join(timeout=3.0)
        self._threads.clear()
        self._jobs.shutdown(wait=True, cancel_futures=True)
        for kind, device in self._devices.items():
            with self._locks[kind]:
                try:
                    device.close()
                except Exception:  # closing must never stop the shutdown of the others
                    log.exception("closing %s failed", kind)

    def _spawn(self, name: str, target: Callable[[], None]) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        self._threads[name] = thread
        thread.start()

    # ---- jobs ---------------------------------------------------------------------------
    def run_job(self, kind: str, job: Callable[[Device], T]) -> Future[T]:
        """Run ``job(device)`` on a worker thread holding the device's lock.

        The caller gets a Future (with the job's exception, if any); screens attach a callback
        and hop back to the UI thread. A ``DeviceError`` updates the device's health from the
        device; any other exception marks the device offline with the reason."""

        def run() -> T:
            device = self._devices[kind]
            with self._locks[kind]:
                try:
                    result = job(device)
                except DeviceError:
                    self._set_health(kind, self._read_health(kind, device))
                    raise
                except Exception as exc:
                    self._fail(kind, "a job", exc)
                    raise
                self._set_health(kind, self._read_health(kind, device))
                return result

        return self._jobs.submit(run)

    # ---- health -------------------------------------------------------------------------
    def _set_health(self, kind: str, health: Health) -> None:
        """The one place a device's health changes: stored, logged and published once."""
        with self._health_lock:
            if self._health.get(kind) == health:
                return
            self._health[kind] = health
            log.info("device %s is %s %s", kind, health.state.value, health.reason)
            self._bus.publish(DeviceHealthChanged(kind, health))

    def _read_health(self, kind: str, device: Device) -> Health:
        """The device's own health; a driver whose ``health()`` raises is offline for that."""
        try:
            return device.health()
        except Exception as exc:
            log.error("%s: health() failed", kind, exc_info=exc)
            return Health(HealthState.OFFLINE,
                          f"the health check failed: {type(exc).__name__}: {exc}")

    def _fail(self, kind: str, where: str, exc: BaseException) -> None:
        # Driver messages never carry card data (drivers' rule), so the reason can be shown.
        log.error("%s failed unexpectedly in %s", kind, where, exc_info=exc)
        self._set_health(kind, Health(HealthState.OFFLINE,
                                      f"{where} failed: {type(exc).__name__}: {exc}"))

    def _try_open(self, kind: str, device: Device) -> bool:
        with self._locks[kind]:
            try:
                device.close()
                device.open()
            except DeviceError as exc:
                log.warning("%s could not be opened: %s", kind, exc)
                self._set_health(kind, Health(HealthState.OFFLINE, str(exc)))
                return False
            except Exception as exc:
                self._fail(kind, "opening", exc)
                return False
            # opened: it answers, even if its own health is offline (a printer out of paper),
            # so the reopen doubles as that device's status poll without growing the backoff
            self._set_health(kind, self._read_health(kind, device))
            return True

    def _health_loop(self) -> None:
        """The watchdog: reopens offline devices with backoff, restarts ended poll loops."""
        backoff = {kind: 1.0 for kind in self._devices}
        next_try = {kind: 0.0 for kind in self._devices}
        elapsed = 0.0
        while not self._stop.wait(self._health_s):
            elapsed += self._health_s
            for kind, device in self._devices.items():
                try:
                    self._watch(kind, device, elapsed, backoff, next_try)
                except Exception as exc:  # one broken driver must not stop watching the others
                    self._fail(kind, "the health check", exc)

    def _watch(self, kind: str, device: Device, elapsed: float, backoff: dict[str, float],
               next_try: dict[str, float]) -> None:
        thread = self._threads.get(f"device-{kind}")
        if thread is not None and not thread.is_alive() and self._spawn_if_dead(kind):
            log.warning("the %s loop had ended; starting it again", kind)
            self.restarts += 1
        health = self._read_health(kind, device)
        offline = HealthState.OFFLINE in (health.state, self.health(kind).state)
        if not offline:
            backoff[kind] = 1.0
            self._set_health(kind, health)
        elif elapsed >= next_try[kind]:
            if self._try_open(kind, device):
                backoff[kind] = 1.0
            else:
                next_try[kind] = elapsed + backoff[kind]
                backoff[kind] = min(backoff[kind] * 2, MAX_BACKOFF_S)

    # ---- loops --------------------------------------------------------------------------
    def _supervised(self, kind: str) -> Callable[[], None]:
        """The thread body: run the kind's loop; whatever ends it is reported, never lost."""
        loop = self._loops[kind]

        def run() -> None:
            try:
                loop()
            except Exception as exc:
                self._fail(kind, "the polling loop", exc)

        return run

    def _guarded(self, kind: str, step: Callable[[], None], device: Device | None = None) -> None:
        """One poll step; a device failure marks health and waits instead of spinning.

        Only ``DeviceError`` is expected here; anything else leaves the loop (see
        ``_supervised``) so the watchdog reopens the device and restarts the loop."""
        if self.health(kind).state is HealthState.OFFLINE:
            self._stop.wait(self._poll_s)
            return
        try:
            with self._locks[kind]:
                if device is not None and self._devices.get(kind) is not device:
                    return  # replaced while this loop waited for the lock
                step()
        except CardReadError as exc:
            self._bus.publish(CardUnreadable(str(exc), exc.message_zh))
            self._stop.wait(self._poll_s)
        except ProtocolError as exc:
            # One garbled frame (a smudged code, line noise) says nothing about the next one:
            # keep the device in service, marked degraded until the watchdog sees it healthy.
            log.warning("%s sent a bad frame: %s", kind, exc)
            self._set_health(kind, Health(HealthState.DEGRADED, str(exc)))
            self._stop.wait(self._poll_s)
        except DeviceError as exc:
            log.warning("%s failed: %s", kind, exc)
            self._set_health(kind, Health(HealthState.OFFLINE, str(exc)))
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

        while self._current(kind, reader):
            self._guarded(kind, step, reader)
            if holding:
                self._stop.wait(self._poll_s)

    def _scan_loop(self, kind: str, scanner: CodeScanner) -> None:
        def step() -> None:
            code = scanner.read_code(timeout=self._poll_s)
            if code is not None:
                self._bus.publish(CodeScanned(code))

        while self._current(kind, scanner):
            self._guarded(kind, step, scanner)

    def _door_loop(self, kind: str, board: LockerBoard) -> None:
        def step() -> None:
            states = board.door_states()
            for door, state in states.items():
                if self._doors.get(door) != state:
                    self._doors[door] = state
                    self._bus.publish(DoorChanged(door, state))

        while self._current(kind, board):
            self._guarded(kind, step, board)
            self._stop.wait(self._door_poll_s)

    def _printer_loop(self, kind: str, printer: ReceiptPrinter) -> None:
        # A printer is silent between jobs: without asking, a pulled cable or an empty roll would
        # only show when a citizen's ticket fails. Asking refreshes the printer's own health.
        def step() -> None:
            printer.paper_status()
            self._set_health(kind, self._read_health(kind, printer))

        while not self._stop.wait(self._status_poll_s) and self._current(kind, printer):
            self._guarded(kind, step, printer)
