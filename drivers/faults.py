"""The one map from an injected ``Fault`` to what a simulator shows: its health and its errors.

Every simulator (``drivers/<kind>/simulated.py``) mixes in ``SimulatedFaults`` (below) and
asks this table, through ``fault_health()`` and ``raise_for_faults()``, what an active fault means:
UNPLUGGED is offline and every call raises ``DeviceUnplugged``, TIMEOUT is offline with
``DeviceTimeout``, and so on. Where a kind really behaves differently (a silent scanner cannot
know it is broken; a printer that "times out" stops half-way through a job), the difference is a
``(kind, fault)`` row here, not a branch in the simulator. Faults whose error belongs to one call
(a garbled card read, an unreadable scan, paper out when printing) have no ``error`` here: the
simulator raises its kind's own error in that call.

The map is pure data and two lookups; the switchboard holds only which faults are on. Neither
may sleep or touch a device.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass

from drivers.base import (
    DeviceError,
    DeviceTimeout,
    DeviceUnplugged,
    Fault,
    Health,
    HealthState,
    ProtocolError,
)
from drivers.printer.base import PrinterOffline


@dataclass(frozen=True)
class FaultEffect:
    """``state``/``reason``: the health shown while the fault is active (``state`` None: not
    visible until the device is used); ``error``: raised by every call while it is active."""

    state: HealthState | None
    reason: str
    error: type[DeviceError] | None = None
    zh: str = "{device}故障"  # the error's message at the kiosk, ``{device}`` = the kind's name


# How the kiosk names each kind to a citizen or technician.
DEVICE_NAMES_ZH = {"idcard": "身份证阅读器", "scanner": "扫码器", "camera": "摄像头",
                   "printer": "打印机", "locker": "文件柜控制板"}


# The worst fault decides the health and the error: a pulled cable hides a paper problem.
SEVERITY = (Fault.UNPLUGGED, Fault.TIMEOUT, Fault.PAPER_OUT, Fault.GARBAGE, Fault.JAMMED,
            Fault.PAPER_NEAR_END)

FAULT_EFFECTS: dict[Fault, FaultEffect] = {
    Fault.UNPLUGGED: FaultEffect(HealthState.OFFLINE, "unplugged", DeviceUnplugged,
                                 "{device}未连接"),
    Fault.TIMEOUT: FaultEffect(HealthState.OFFLINE, "not answering", DeviceTimeout,
                               "{device}无响应"),
    Fault.GARBAGE: FaultEffect(HealthState.DEGRADED, "garbled replies"),
    Fault.PAPER_OUT: FaultEffect(HealthState.OFFLINE, "out of paper"),
    Fault.PAPER_NEAR_END: FaultEffect(HealthState.DEGRADED, "paper near end"),
    Fault.JAMMED: FaultEffect(HealthState.DEGRADED, "jammed door(s): all"),
}

# Where a kind differs from the row above.
KIND_EFFECTS: dict[tuple[str, Fault], FaultEffect] = {
    # a scanner that goes quiet looks like one nobody uses: codes are held back, nothing raised
    ("scanner", Fault.TIMEOUT): FaultEffect(HealthState.DEGRADED, "scanner silent"),
    # a lock board answering noise fails every call (a card reader or scanner fails per read)
    ("locker", Fault.GARBAGE): FaultEffect(HealthState.DEGRADED, "answers garbage",
                                           ProtocolError, "{device}通信错误"),
    # the printer interface promises PrinterError subclasses
    ("printer", Fault.UNPLUGGED): FaultEffect(HealthState.OFFLINE, "unplugged", PrinterOffline,
                                              "{device}未连接"),
    # a printer that stops answering does so in the middle of a job, not before
    ("printer", Fault.TIMEOUT): FaultEffect(None, "stops answering mid-job"),
}


def effect(kind: str, fault: Fault) -> FaultEffect:
    return KIND_EFFECTS.get((kind, fault), FAULT_EFFECTS[fault])


def fault_health(kind: str, faults: Iterable[Fault]) -> Health | None:
    """The health the worst visible active fault gives ``kind``; None when none shows."""
    active = set(faults)
    for fault in SEVERITY:
        if fault in active:
            shown = effect(kind, fault)
            if shown.state is not None:
                return Health(shown.state, f"simulated {kind}: {shown.reason}")
    return None


def raise_for_faults(kind: str, faults: Iterable[Fault]) -> None:
    """Raise the typed error of the worst active fault that fails every call, if any."""
    active = set(faults)
    for fault in SEVERITY:
        if fault in active:
            shown = effect(kind, fault)
            if shown.error is not None:
                raise shown.error(f"simulated {kind} {shown.reason} (Fault.{fault.name}, "
                                  f"injected from the sim panel or a test)",
                                  shown.zh.format(device=DEVICE_NAMES_ZH.get(kind, "设备")))


class SimulatedFaults:
    """Fault switchboard mixed into simulators; thread-safe because the sim panel (UI thread)
    flips faults while device worker threads read them. What a fault means (health, error) is
    looked up in the map above, the one map for every simulator, by the device's ``kind``."""

    def __init__(self) -> None:
        self._faults: set[Fault] = set()
        self._lock = threading.Lock()

    def inject(self, fault: Fault) -> None:
        with self._lock:
            self._faults.add(fault)

    def clear(self, fault: Fault | None = None) -> None:
        with self._lock:
            if fault is None:
                self._faults.clear()
            else:
                self._faults.discard(fault)

    def active(self, fault: Fault) -> bool:
        with self._lock:
            return fault in self._faults

    def faults(self) -> frozenset[Fault]:
        with self._lock:
            return frozenset(self._faults)

    def fault_health(self) -> Health | None:
        """The health the active faults give this simulator; None when no fault shows."""
        return fault_health(getattr(self, "kind", "device"), self.faults())

    def raise_for_faults(self) -> None:
        """Raise the typed error an active fault gives every call (unplugged, timeout, …)."""
        raise_for_faults(getattr(self, "kind", "device"), self.faults())
