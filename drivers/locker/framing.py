"""Streaming frame splitter shared by the lock-board protocols: bytes in, whole checked frames out.

A lock board's reply can arrive after line noise (RS485 turnaround glitches), split over several
reads, or corrupted. ``FrameParser`` keeps a small buffer, skips bytes until a frame head, waits
until the frame is complete, then lets the protocol check it. It is pure: it never touches a port,
never sleeps and never blocks, so it can be fed any bytes in any chunks (the tests throw random
bytes at it). It must never raise anything but ``ProtocolError`` subclasses, and never loop
without consuming input.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from drivers.base import ProtocolError

T = TypeVar("T")


class FrameParser(ABC):
    """Base of the per-protocol reply parsers: subclasses say how long a frame is and check it."""

    def __init__(self, heads: bytes) -> None:
        self._heads = frozenset(heads)
        self._buffer = bytearray()

    def feed(self, data: bytes) -> None:
        self._buffer += data

    def reset(self) -> None:
        """Forget a half-received frame (the line was unplugged or reopened)."""
        self._buffer.clear()

    @property
    def pending(self) -> int:
        """Bytes held back waiting for the rest of a frame (never more than one frame's worth)."""
        return len(self._buffer)

    def frames(self) -> Iterator[bytes]:
        """Yield every complete, checked frame in the buffer.

        A bad candidate raises its ``ProtocolError`` after only its first byte is dropped: the
        "head" may have been noise and a real frame may start inside it. Call ``frames()`` again
        (or use ``drain``) to go on after an error.
        """
        while True:
            self._skip_noise()
            if not self._buffer:
                return
            try:
                length = self._frame_length(self._buffer)
                if length is None or len(self._buffer) < length:
                    return
                frame = bytes(self._buffer[:length])
                self._check(frame)
            except ProtocolError:
                del self._buffer[0]
                raise
            del self._buffer[:length]
            yield frame

    def drain(self) -> tuple[list[bytes], list[ProtocolError]]:
        """Every frame and every error the buffered bytes hold, in order of discovery."""
        found: list[bytes] = []
        errors: list[ProtocolError] = []
        while True:
            try:
                for frame in self.frames():
                    found.append(frame)
                return found, errors
            except ProtocolError as exc:
                errors.append(exc)

    def _skip_noise(self) -> None:
        for index, byte in enumerate(self._buffer):
            if byte in self._heads:
                del self._buffer[:index]
                return
        self._buffer.clear()

    @abstractmethod
    def _frame_length(self, buffer: bytearray) -> int | None:
        """Length of the frame starting at ``buffer[0]`` (a head byte); None if more bytes are
        needed to tell. May raise ``ProtocolError`` when the start is impossible."""

    @abstractmethod
    def _check(self, frame: bytes) -> None:
        """Raise a ``ProtocolError`` subclass if ``frame`` is not a valid frame."""


@dataclass(frozen=True)
class Exchange(Generic[T]):
    """One round trip on the bus: what to send, how to cut the reply, what the reply means.

    ``decode`` raises ``ProtocolError`` for a valid frame that is not our answer; the transport
    then keeps listening until its deadline, because the real answer may still follow.
    """

    what: str  # for messages: "open door 3"
    request: bytes
    parser: FrameParser
    decode: Callable[[bytes], T]
