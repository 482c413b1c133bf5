"""Lock-board emulators (8A and Kerong) on a real pseudo-terminal, for tests and bench work.

Each emulator plays one board of a cabinet: every door has a latch/door sensor (open or closed)
and an optional item in its compartment. It answers byte for byte on the master side of the
shared ``drivers.pty_link.PtyLink`` (an ``os.openpty`` pair served from a thread), so the driver
under test opens a real tty path. ``port`` is a symlink (like ``/dev/serial/by-id/…``) that
``replug()`` points at a fresh pseudo-terminal, so a driver can reconnect by name after
``unplug()``.

Faults reproduce what boards do in the field: noise before replies, replies split across reads,
corrupted checksums, silence, a jammed latch (open acknowledged as still closed), a board that
opens but does not answer, a board deaf to the first N requests, and a pulled cable.

Test equipment only: the kiosk never imports this module. It must never block its caller, and
every byte received is recorded so tests can assert exact requests.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from drivers.locker import protocol_8a as p8a
from drivers.locker import protocol_kerong as pk
from drivers.locker.framing import FrameParser
from drivers.pty_link import PtyLink


@dataclass
class Compartment:
    is_open: bool = False
    item: bool = False


class _RequestParser(FrameParser):
    """Requests are 5 bytes for both families; bad ones are ignored, as real boards do."""

    def _frame_length(self, buffer: bytearray) -> int | None:
        return 5

    def _check(self, frame: bytes) -> None:
        pass  # the family's ``_valid`` decides


class LockerBoardEmulator:
    """Common machinery: the pty, the thread, the cabinet, the faults and the request log."""

    family = ""
    request_heads = b""

    def __init__(self, board: int, doors: int, open_bit: int = 1,
                 link_dir: str | os.PathLike[str] | None = None) -> None:
        self.board, self.doors, self.open_bit = board, doors, open_bit
        self.compartments = {door: Compartment() for door in range(1, doors + 1)}
        # faults, set by tests at any time
        self.noise = b""  # written before every reply
        self.split_replies = False  # one byte per write, with a gap
        self.bad_checksum_replies = 0  # the next N replies carry a wrong checksum
        self.silent = False  # neither acts nor answers (powered off, wrong address)
        self.jammed: set[int] = set()  # open acknowledged as "still closed"; door stays shut
        self.mute_open = False  # opens the door but does not answer the open (field failure)
        self.deaf_requests = 0  # ignores the next N requests entirely
        self._lock = threading.Condition()
        self._received = bytearray()
        self._requests: list[bytes] = []
        self._parser = _RequestParser(self.request_heads)  # used on the link's thread only
        name = f"tty{self.family.upper()}{board}"
        self.link = PtyLink(None if link_dir is None else Path(link_dir) / name, name=name,
                            on_data=self._on_data, on_reset=self._parser.reset,
                            thread_name=f"locker-emu-{self.family}")
        self.port = self.link.port

    # ---- lifecycle ----------------------------------------------------------------------
    def start(self) -> LockerBoardEmulator:
        self.link.start()
        return self

    def unplug(self) -> None:
        """Pull the cable: the board stops and the pseudo-terminal goes away."""
        self.link.unplug()

    def replug(self) -> None:
        self.link.plug()

    def stop(self) -> None:
        self.link.stop()

    def __enter__(self) -> LockerBoardEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- cabinet hooks ------------------------------------------------------------------
    def close_door(self, door: int) -> None:
        with self._lock:
            self.compartments[door].is_open = False

    def open_by_hand(self, door: int) -> None:
        """A door forced open (or a latch released with the service key)."""
        with self._lock:
            self.compartments[door].is_open = True

    def put_item(self, door: int) -> None:
        with self._lock:
            self.compartments[door].item = True

    def remove_item(self, door: int) -> None:
        with self._lock:
            self.compartments[door].item = False

    def is_open(self, door: int) -> bool:
        with self._lock:
            return self.compartments[door].is_open

    def inject(self, data: bytes) -> None:
        """Write bytes nobody asked for (a late reply, line noise) towards the driver."""
        self._send(data, split=False)

    # ---- what the board heard -----------------------------------------------------------
    @property
    def received(self) -> bytes:
        with self._lock:
            return bytes(self._received)

    @property
    def requests(self) -> list[bytes]:
        """Every well-formed request frame received, in order, acted on or not."""
        with self._lock:
            return list(self._requests)

    @property
    def open_requests(self) -> int:
        """How many open (unlock) requests the board received, answered or not."""
        return sum(1 for r in self.requests if self._is_open_request(r))

    def wait_for_requests(self, n: int, timeout: float = 2.0) -> bool:
        with self._lock:
            return self._lock.wait_for(lambda: len(self._requests) >= n, timeout)

    # ---- the board ----------------------------------------------------------------------
    def _on_data(self, data: bytes) -> None:
        with self._lock:
            self._received += data
        parser = self._parser
        parser.feed(data)
        for frame in parser.drain()[0]:
            if not self._valid(frame):
                continue
            with self._lock:
                self._requests.append(frame)
                self._lock.notify_all()
                if self.deaf_requests > 0:
                    self.deaf_requests -= 1
                    continue
                if self.silent:
                    continue
                reply = self._answer(frame)
                if reply is None:
                    continue
                if self.bad_checksum_replies > 0:
                    self.bad_checksum_replies -= 1
                    reply = reply[:-1] + bytes([reply[-1] ^ 0x5A])
                split = self.split_replies
                data = self.noise + reply
            self._send(data, split)

    def _send(self, data: bytes, split: bool) -> None:
        # a False from send means unplugged while answering: the bytes are lost, as on a wire
        if split:
            for i in range(len(data)):
                self.link.send(data[i:i + 1])
                time.sleep(0.003)  # a gap on the wire, so the driver reads the pieces apart
        else:
            self.link.send(data)

    def _open(self, door: int) -> bool:
        """Carry out an open on the cabinet; returns whether the latch is open afterwards."""
        if door not in self.jammed:
            self.compartments[door].is_open = True
        return self.compartments[door].is_open

    def _bit(self, is_open: bool) -> int:
        return self.open_bit if is_open else 1 - self.open_bit

    def _valid(self, frame: bytes) -> bool:
        raise NotImplementedError

    def _is_open_request(self, frame: bytes) -> bool:
        raise NotImplementedError

    def _answer(self, frame: bytes) -> bytes | None:
        """The reply to a well-formed request (called with the lock held)."""
        raise NotImplementedError


class Emulator8A(LockerBoardEmulator):
    family = "8a"
    request_heads = bytes([p8a.HEAD_OPEN, p8a.HEAD_QUERY])

    def __init__(self, board: int = 1, doors: int = 24, open_bit: int = 1,
                 link_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__(board, doors, open_bit, link_dir)

    def _valid(self, frame: bytes) -> bool:
        return p8a.checksum(frame[:4]) == frame[4]

    def _is_open_request(self, frame: bytes) -> bool:
        return frame[0] == p8a.HEAD_OPEN and frame[3] == p8a.FUNC_OPEN

    def _status(self, is_open: bool) -> int:
        return p8a.STATUS_SET if self._bit(is_open) else p8a.STATUS_CLEAR

    def _answer(self, frame: bytes) -> bytes | None:
        head, board, lock, func = frame[:4]
        if board != self.board:
            return None  # another board on the bus
        if head == p8a.HEAD_OPEN and func == p8a.FUNC_OPEN:
            if lock == 0:
                opened = all([self._open(d) for d in self.compartments])
            elif lock in self.compartments:
                opened = self._open(lock)
            else:
                return None
            if self.mute_open:
                return None
            return p8a._frame(p8a.HEAD_OPEN, board, lock, self._status(opened))
        if head == p8a.HEAD_QUERY and func == p8a.FUNC_QUERY:
            if lock == 0:
                bits = 0
                for door, compartment in self.compartments.items():
                    bits |= self._bit(compartment.is_open) << (door - 1)
                for door in range(self.doors + 1, p8a.MAX_LOCKS + 1):
                    bits |= self._bit(False) << (door - 1)  # unfitted locks read "closed"
                return p8a._frame(p8a.HEAD_QUERY, board, *bits.to_bytes(3, "little"),
                                  p8a.FUNC_QUERY)
            if lock in self.compartments:
                return p8a._frame(p8a.HEAD_QUERY, board, lock,
                                  self._status(self.compartments[lock].is_open))
        return None


class EmulatorKerong(LockerBoardEmulator):
    family = "kerong"
    request_heads = bytes([pk.STX])

    def __init__(self, board: int = 0, doors: int = 16, open_bit: int = 1,
                 addressing: str = pk.Addressing.BOARD_HIGH_NIBBLE,
                 link_dir: str | os.PathLike[str] | None = None) -> None:
        super().__init__(board, doors, open_bit, link_dir)
        self.addressing = pk.Addressing(addressing)
        self.ack_unlock_with_state = True  # False: answer an unlock with ``02 AD 31 03 SUM``

    def _valid(self, frame: bytes) -> bool:
        return frame[3] == pk.ETX and pk.checksum(frame[:4]) == frame[4]

    def _is_open_request(self, frame: bytes) -> bool:
        return frame[2] == pk.CMD_UNLOCK

    def _state_frame(self, addr: int) -> bytes:
        latch = ir = 0
        for door, compartment in self.compartments.items():
            latch |= self._bit(compartment.is_open) << (door - 1)
            ir |= int(compartment.item) << (door - 1)
        for door in range(self.doors + 1, pk.MAX_LOCKS + 1):
            latch |= self._bit(False) << (door - 1)
        return pk.state_reply(addr, latch, ir)

    def _answer(self, frame: bytes) -> bytes | None:
        addr, cmd = frame[1], frame[2]
        board, lock = pk.split_address(self.addressing, addr, self.board)
        if board != self.board:
            return None
        if cmd == pk.CMD_UNLOCK:
            if lock not in self.compartments:
                return None
            self._open(lock)
            if self.mute_open:
                return None
            if self.ack_unlock_with_state:
                return self._state_frame(addr)
            return pk.request(addr, pk.CMD_UNLOCK)
        if cmd == pk.CMD_READ_STATE:
            return self._state_frame(addr)
        return None
