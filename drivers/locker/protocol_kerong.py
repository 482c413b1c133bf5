"""The Kerong CU16 lock-board protocol: request frames, reply parsing, decoding.

Requests are ``02 ADDR CMD 03 SUM`` with SUM = sum of the preceding bytes & 0xFF
(``02 00 31 03 36`` unlocks lock 1 of board 0). ``31`` unlocks the lock at ADDR, ``30`` reads the
board's state. The state reply is 9 bytes ``02 ADDR 35 L1-8 L9-16 IR1-8 IR9-16 03 SUM``: one
latch bit per lock (bit 0 of L1-8 = lock 1) and one infrared "item present" bit per compartment
(1 = something inside). The latch polarity is a parameter, ``open_bit``, as for the 8A boards.

How ADDR names a board and a lock differs between boards; the ``addressing`` setting picks:

* ``board_high_nibble`` (default, the CU16 DIP-switch scheme): ADDR = (board << 4) | (lock - 1),
  board 0-15 as set on the DIP switch; reading the state uses ADDR = board << 4.
* ``lock_only``: ADDR = lock - 1 with one board per bus; the board number is ignored and reading
  the state uses ADDR = 00.

An unlock may be answered with a state frame (used as a first hint), with a short
``02 ADDR 31 03 SUM`` ack, or not at all: the transport always confirms with a state read.

Pure: no I/O, no clocks. Must never raise anything but ``ProtocolError`` subclasses on bad input.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from drivers.locker.base import ChecksumError, DoorState, MalformedFrame, UnexpectedReply
from drivers.locker.framing import Exchange, FrameParser

STX = 0x02
ETX = 0x03
CMD_READ_STATE = 0x30
CMD_UNLOCK = 0x31
CMD_STATE = 0x35  # the state reply
STATE_LENGTH = 9
SHORT_LENGTH = 5
MAX_LOCKS = 16


def checksum(data: bytes) -> int:
    return sum(data) & 0xFF


def request(addr: int, cmd: int) -> bytes:
    if not 0 <= addr <= 0xFF or not 0 <= cmd <= 0xFF:
        raise ValueError(f"Kerong ADDR/CMD out of range: {addr}, {cmd}")
    body = bytes([STX, addr, cmd, ETX])
    return body + bytes([checksum(body)])


def unlock_request(addr: int) -> bytes:
    return request(addr, CMD_UNLOCK)


def read_state_request(addr: int) -> bytes:
    return request(addr, CMD_READ_STATE)


def state_reply(addr: int, latch_bits: int, ir_bits: int) -> bytes:
    """Build a state reply (the emulator answers with this; bits: bit 0 = lock 1)."""
    body = (bytes([STX, addr, CMD_STATE]) + latch_bits.to_bytes(2, "little")
            + ir_bits.to_bytes(2, "little") + bytes([ETX]))
    return body + bytes([checksum(body)])


class Addressing(enum.StrEnum):
    BOARD_HIGH_NIBBLE = "board_high_nibble"
    LOCK_ONLY = "lock_only"


def lock_address(addressing: Addressing, board: int, lock: int) -> int:
    if not 1 <= lock <= MAX_LOCKS:
        raise ValueError(f"Kerong lock must be 1-{MAX_LOCKS}, not {lock}")
    if addressing is Addressing.LOCK_ONLY:
        return lock - 1
    return (board << 4) | (lock - 1)


def board_address(addressing: Addressing, board: int) -> int:
    return 0 if addressing is Addressing.LOCK_ONLY else board << 4


def split_address(addressing: Addressing, addr: int, board: int) -> tuple[int, int]:
    """(board, lock) named by ``addr``; under ``lock_only`` the board is always ``board``."""
    if addressing is Addressing.LOCK_ONLY:
        return board, (addr & 0x0F) + 1
    return addr >> 4, (addr & 0x0F) + 1


class ReplyParserKerong(FrameParser):
    """Cuts Kerong frames (9-byte state replies, 5-byte short frames) out of a byte stream."""

    def __init__(self) -> None:
        super().__init__(bytes([STX]))

    def _frame_length(self, buffer: bytearray) -> int | None:
        if len(buffer) < 3:
            return None
        return STATE_LENGTH if buffer[2] == CMD_STATE else SHORT_LENGTH

    def _check(self, frame: bytes) -> None:
        if frame[-2] != ETX:
            raise MalformedFrame(f"Kerong frame {frame.hex(' ')}: byte {len(frame) - 1} is "
                                 f"{frame[-2]:02X}, expected ETX {ETX:02X}")
        if checksum(frame[:-1]) != frame[-1]:
            raise ChecksumError(
                f"Kerong frame {frame.hex(' ')}: checksum {frame[-1]:02X}, expected "
                f"{checksum(frame[:-1]):02X} (noise on the RS485 line or wrong baud rate?)")


@dataclass(frozen=True)
class KerongState:
    """A state reply: index 0 is lock 1."""

    addr: int
    latch_open: tuple[bool, ...]
    item_present: tuple[bool, ...]


def decode_state(frame: bytes, open_bit: int = 1) -> KerongState:
    """Decode a checked 9-byte state reply."""
    if len(frame) != STATE_LENGTH or frame[0] != STX or frame[2] != CMD_STATE:
        raise UnexpectedReply(f"not a Kerong state reply: {frame.hex(' ')}")
    latch = int.from_bytes(frame[3:5], "little")
    ir = int.from_bytes(frame[5:7], "little")
    return KerongState(
        addr=frame[1],
        latch_open=tuple(((latch >> i) & 1) == open_bit for i in range(MAX_LOCKS)),
        item_present=tuple(bool((ir >> i) & 1) for i in range(MAX_LOCKS)))


class ProtocolKerong:
    """The round trips the transport needs for one Kerong board with ``doors`` locks."""

    name = "kerong"

    def __init__(self, board: int = 0, doors: int = MAX_LOCKS, open_bit: int = 1,
                 addressing: str = Addressing.BOARD_HIGH_NIBBLE) -> None:
        if open_bit not in (0, 1):
            raise ValueError(f"open_bit must be 1 or 0, not {open_bit!r}")
        try:
            self.addressing = Addressing(addressing)
        except ValueError:
            choices = ", ".join(a.value for a in Addressing)
            raise ValueError(f"Kerong addressing must be one of {choices}, "
                             f"not {addressing!r}") from None
        if self.addressing is Addressing.BOARD_HIGH_NIBBLE and not 0 <= board <= 0x0F:
            raise ValueError(f"Kerong board address must be 0-15 (DIP switch), not {board}")
        if not 1 <= doors <= MAX_LOCKS:
            raise ValueError(f"a Kerong CU16 board has at most {MAX_LOCKS} locks, not {doors}")
        self.board, self.doors, self.open_bit = board, doors, open_bit

    def _state(self, frame: bytes) -> KerongState:
        state = decode_state(frame, self.open_bit)
        board, _ = split_address(self.addressing, state.addr, self.board)
        if board != self.board:
            raise UnexpectedReply(f"Kerong state reply {frame.hex(' ')} is from board {board}, "
                                  f"expected board {self.board}")
        return state

    def _open_ack(self, frame: bytes, door: int) -> bool | None:
        if frame[2] == CMD_STATE:
            return self._state(frame).latch_open[door - 1]
        if frame[2] == CMD_UNLOCK:
            return None  # a bare ack says nothing about the latch
        raise UnexpectedReply(f"Kerong reply {frame.hex(' ')} does not answer an unlock")

    def open_exchange(self, door: int) -> Exchange[bool | None]:
        addr = lock_address(self.addressing, self.board, door)
        return Exchange(f"open door {door}", unlock_request(addr), ReplyParserKerong(),
                        lambda f: self._open_ack(f, door))

    def door_exchange(self, door: int) -> Exchange[DoorState]:
        def decode(frame: bytes) -> DoorState:
            state = self._state(frame)
            return DoorState(state.latch_open[door - 1], state.item_present[door - 1])

        return Exchange(f"query door {door}",
                        read_state_request(board_address(self.addressing, self.board)),
                        ReplyParserKerong(), decode)

    def board_exchange(self) -> Exchange[dict[int, DoorState]]:
        def decode(frame: bytes) -> dict[int, DoorState]:
            state = self._state(frame)
            return {door: DoorState(state.latch_open[door - 1], state.item_present[door - 1])
                    for door in range(1, self.doors + 1)}

        return Exchange("query all doors",
                        read_state_request(board_address(self.addressing, self.board)),
                        ReplyParserKerong(), decode)
