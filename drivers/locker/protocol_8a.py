"""The "8A" lock-board protocol (common Chinese boards): request frames, reply parsing, decoding.

Every request is 5 bytes ``HEAD BOARD LOCK FUNC CK`` with CK = XOR of the first four bytes:
open ``8A bb ll 11 CK``, query one lock ``80 bb ll 33 CK``, query all locks ``80 bb 00 33 CK``.
Replies: ``8A bb ll ss CK`` (open), ``80 bb ll ss CK`` (query one), ``80 bb s1 s2 s3 33 CK``
(query all, one bit per lock, s1 bit 0 = lock 1 … s3 bit 7 = lock 24).

The state polarity differs between board models, so it is a parameter, ``open_bit``: the value
of a lock's bit that means "open". A status byte ``11`` counts as bit 1 and ``00`` as bit 0, and
the same polarity applies to every state the board reports (open ack, query one, query all).

Pure: no I/O, no clocks. Must never raise anything but ``ProtocolError`` subclasses on bad input.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import reduce

from drivers.locker.base import ChecksumError, DoorState, MalformedFrame, UnexpectedReply
from drivers.locker.framing import Exchange, FrameParser

HEAD_OPEN = 0x8A
HEAD_QUERY = 0x80
FUNC_OPEN = 0x11
FUNC_QUERY = 0x33
STATUS_SET = 0x11  # bit value 1
STATUS_CLEAR = 0x00  # bit value 0
MAX_LOCKS = 24  # three state bytes in the query-all reply


def checksum(data: bytes) -> int:
    return reduce(lambda a, b: a ^ b, data, 0)


def _frame(*body: int) -> bytes:
    for value in body:
        if not 0 <= value <= 0xFF:
            raise ValueError(f"8A frame byte out of range: {value}")
    return bytes(body) + bytes([checksum(bytes(body))])


def open_request(board: int, lock: int) -> bytes:
    """``8A bb ll 11 CK``; lock 0 opens every lock of the board."""
    return _frame(HEAD_OPEN, board, lock, FUNC_OPEN)


def query_request(board: int, lock: int) -> bytes:
    return _frame(HEAD_QUERY, board, lock, FUNC_QUERY)


def query_all_request(board: int) -> bytes:
    return _frame(HEAD_QUERY, board, 0, FUNC_QUERY)


class ReplyKind(enum.Enum):
    """The reply the master waits for. Needed for framing: a query-one reply (5 bytes) and a
    query-all reply (7 bytes) start with the same head byte."""

    OPEN = (HEAD_OPEN, 5)
    QUERY_ONE = (HEAD_QUERY, 5)
    QUERY_ALL = (HEAD_QUERY, 7)

    @property
    def head(self) -> int:
        return self.value[0]

    @property
    def length(self) -> int:
        return self.value[1]


class ReplyParser8A(FrameParser):
    """Cuts the awaited reply out of a byte stream and checks its checksum and layout."""

    def __init__(self, kind: ReplyKind) -> None:
        super().__init__(bytes([kind.head]))
        self.kind = kind

    def _frame_length(self, buffer: bytearray) -> int | None:
        return self.kind.length

    def _check(self, frame: bytes) -> None:
        if checksum(frame[:-1]) != frame[-1]:
            raise ChecksumError(
                f"8A reply {frame.hex(' ')}: checksum {frame[-1]:02X}, expected "
                f"{checksum(frame[:-1]):02X} (noise on the RS485 line or wrong baud rate?)")
        if self.kind is ReplyKind.QUERY_ALL and frame[5] != FUNC_QUERY:
            raise MalformedFrame(f"8A query-all reply {frame.hex(' ')}: byte 6 is "
                                 f"{frame[5]:02X}, expected {FUNC_QUERY:02X}")


@dataclass(frozen=True)
class LockReport:
    """A board's word on one lock (open ack or query-one reply)."""

    board: int
    lock: int
    is_open: bool


@dataclass(frozen=True)
class BoardReport:
    """A query-all reply: ``is_open[0]`` is lock 1 … ``is_open[23]`` is lock 24."""

    board: int
    is_open: tuple[bool, ...]


def _status_bit(frame: bytes, status: int) -> int:
    if status == STATUS_SET:
        return 1
    if status == STATUS_CLEAR:
        return 0
    raise UnexpectedReply(f"8A reply {frame.hex(' ')}: status byte {status:02X} is neither "
                          f"{STATUS_SET:02X} nor {STATUS_CLEAR:02X}")


def decode_lock_reply(frame: bytes, open_bit: int = 1) -> LockReport:
    """Decode an open ack or a query-one reply (a checked 5-byte frame)."""
    if len(frame) != 5 or frame[0] not in (HEAD_OPEN, HEAD_QUERY):
        raise MalformedFrame(f"not an 8A lock reply: {frame.hex(' ')}")
    bit = _status_bit(frame, frame[3])
    return LockReport(board=frame[1], lock=frame[2], is_open=bit == open_bit)


def decode_board_reply(frame: bytes, open_bit: int = 1) -> BoardReport:
    """Decode a query-all reply (a checked 7-byte frame) into 24 lock states."""
    if len(frame) != 7 or frame[0] != HEAD_QUERY or frame[5] != FUNC_QUERY:
        raise MalformedFrame(f"not an 8A query-all reply: {frame.hex(' ')}")
    bits = int.from_bytes(frame[2:5], "little")  # s1 is the low byte: lock 1 = s1 bit 0
    return BoardReport(board=frame[1],
                       is_open=tuple(((bits >> i) & 1) == open_bit for i in range(MAX_LOCKS)))


def _check_polarity(open_bit: int) -> None:
    if open_bit not in (0, 1):
        raise ValueError(f"open_bit must be 1 or 0, not {open_bit!r}")


class Protocol8A:
    """The round trips the transport needs for one 8A board with ``doors`` locks."""

    name = "8a"

    def __init__(self, board: int = 1, doors: int = MAX_LOCKS, open_bit: int = 1) -> None:
        _check_polarity(open_bit)
        if not 0 <= board <= 0xFF:
            raise ValueError(f"8A board address must be 0-255, not {board}")
        if not 1 <= doors <= MAX_LOCKS:
            raise ValueError(f"an 8A board reports at most {MAX_LOCKS} locks, not {doors}")
        self.board, self.doors, self.open_bit = board, doors, open_bit

    def _expect_lock(self, frame: bytes, door: int) -> bool:
        report = decode_lock_reply(frame, self.open_bit)
        if (report.board, report.lock) != (self.board, door):
            raise UnexpectedReply(f"8A reply {frame.hex(' ')} is about board {report.board} lock "
                                  f"{report.lock}, expected board {self.board} lock {door}")
        return report.is_open

    def open_exchange(self, door: int) -> Exchange[bool | None]:
        # An adapter that echoes our request makes "8A bb ll 11 CK" look like a reply saying
        # "open": the ack is never trusted alone, the transport always queries afterwards.
        return Exchange(f"open door {door}", open_request(self.board, door),
                        ReplyParser8A(ReplyKind.OPEN), lambda f: self._expect_lock(f, door))

    def door_exchange(self, door: int) -> Exchange[DoorState]:
        return Exchange(f"query door {door}", query_request(self.board, door),
                        ReplyParser8A(ReplyKind.QUERY_ONE),
                        lambda f: DoorState(is_open=self._expect_lock(f, door)))

    def board_exchange(self) -> Exchange[dict[int, DoorState]]:
        return Exchange("query all doors", query_all_request(self.board),
                        ReplyParser8A(ReplyKind.QUERY_ALL), self._decode_all)

    def _decode_all(self, frame: bytes) -> dict[int, DoorState]:
        report = decode_board_reply(frame, self.open_bit)
        if report.board != self.board:
            raise UnexpectedReply(f"8A query-all reply {frame.hex(' ')} is from board "
                                  f"{report.board}, expected board {self.board}")
        return {door: DoorState(is_open=report.is_open[door - 1])
                for door in range(1, self.doors + 1)}
