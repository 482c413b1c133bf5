"""Document locker lock boards: open a door with confirmation, read every door's state."""

from __future__ import annotations

from abc import abstractmethod
from dataclasses import dataclass

from drivers.base import Device, DeviceError, ProtocolError


@dataclass(frozen=True)
class DoorState:
    is_open: bool
    item_present: bool | None = None  # None where the board has no infrared sensor


class DoorJammed(DeviceError):
    """The latch did not open after every retry: the door goes out of service."""

    message_zh = "柜门无法打开，已通知工作人员"


class ChecksumError(ProtocolError):
    """A frame arrived whole but its checksum does not match (line noise, wrong baud rate)."""


class MalformedFrame(ProtocolError):
    """Bytes that start like a frame but break its fixed layout (missing end byte, bad marker)."""


class UnexpectedReply(ProtocolError):
    """A well-formed frame that is not the answer we asked for (another board, unknown status,
    an RS485 adapter echoing our own request)."""


class LockerBoard(Device):
    kind = "locker"

    @abstractmethod
    def open_door(self, door: int) -> None:
        """Open ``door`` (1-based), confirm by querying it; ``DoorJammed`` if it stays shut."""

    @abstractmethod
    def door_states(self) -> dict[int, DoorState]:
        """State of every door on the board, keyed by 1-based door number."""
