"""What every device has in common: typed errors, health, and injectable faults.

The kiosk never sees a ``SerialException`` or a USB error: drivers translate them into
``DeviceError`` subclasses whose message a technician can act on ("打印机缺纸 / printer out of
paper"), and report their health so the home screen can disable what does not work.
"""

from __future__ import annotations

import enum
from abc import ABC, abstractmethod
from dataclasses import dataclass


class DeviceError(Exception):
    """A device failed in a way the caller may show or log.

    ``message_zh`` is for the citizen or technician at the kiosk, ``str(error)`` (English) for
    logs and the technician's command line.
    """

    message_zh: str = "设备故障"

    def __init__(self, message: str, message_zh: str | None = None) -> None:
        super().__init__(message)
        if message_zh is not None:
            self.message_zh = message_zh


class DeviceTimeout(DeviceError):
    """The device did not answer in time (silent line, wrong baud rate, powered off)."""

    message_zh = "设备无响应"


class DeviceUnplugged(DeviceError):
    """The port disappeared or cannot be opened (cable pulled, USB adapter re-enumerated)."""

    message_zh = "设备未连接"


class ProtocolError(DeviceError):
    """The device answered with bytes that do not make a valid frame."""

    message_zh = "设备通信错误"


class HealthState(enum.StrEnum):
    OK = "ok"
    DEGRADED = "degraded"
    OFFLINE = "offline"


@dataclass(frozen=True)
class Health:
    state: HealthState
    reason: str = ""

    @classmethod
    def ok(cls) -> Health:
        return cls(HealthState.OK)


class Fault(enum.StrEnum):
    """Faults a simulator can be told to show, so demos and tests can break a device on purpose."""

    UNPLUGGED = "unplugged"
    TIMEOUT = "timeout"
    GARBAGE = "garbage"
    PAPER_OUT = "paper_out"
    PAPER_NEAR_END = "paper_near_end"
    JAMMED = "jammed"


class Device(ABC):
    """Lifecycle shared by all devices. ``open`` may raise ``DeviceError``; ``close`` never does."""

    kind: str = "device"

    @abstractmethod
    def open(self) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def health(self) -> Health:
        """Cheap, non-blocking: the last known state, not a new round trip."""
