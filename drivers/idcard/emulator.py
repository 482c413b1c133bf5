"""An ID card reader that speaks the GA 467 SAM protocol byte for byte over a real pseudo-terminal.

Used by the device tests, the benchmark and the CLI tests: the driver opens ``emulator.port`` (the
shared ``drivers.pty_link.PtyLink``: a symlink to a pty's slave, so an "unplugged" reader can come
back under the same name) exactly as it would open ``/dev/ttyUSB0``. The emulator holds one card
(or none), answers find / select / read / SAM commands with exact frames, and can be told to
misbehave the way readers do in the field: noise before frames, replies split across writes,
corrupted checksums, silence, any status byte, unplugging mid-frame. Optional wire pacing (10 bits
per byte at ``wire_baud``) lets the benchmark compare the driver with the physical floor.
It must never be used by the kiosk itself (it is test and diagnostics equipment), and it never
touches a real serial port.
"""

from __future__ import annotations

import os
import threading
import time
from types import TracebackType

from drivers.idcard.base import IdCard
from drivers.idcard.errors import FrameChecksumError, FrameLengthError
from drivers.idcard.protocol import (
    PHOTO_LEN,
    Command,
    Request,
    RequestParser,
    frame,
    read_reply_data,
    reply_frame,
)
from drivers.idcard.text import encode_text
from drivers.pty_link import PtyLink

# Shown by vendor tools as 05.01-20230315-0123456789-0987654321 (little-endian fields).
DEFAULT_SAM_ID = (b"\x05\x00\x01\x00" + (20230315).to_bytes(4, "little")
                  + (123456789).to_bytes(4, "little") + (987654321).to_bytes(4, "little"))
# Stand-in for the WLT photo: a recognisable, deterministic 1024-byte block.
DEFAULT_PHOTO = (b"WLT-sample-photo" * 64)[:PHOTO_LEN]
_PACE_CHUNK = 64  # bytes per paced write: ~5.6 ms at 115200, fine-grained enough for the bench


class SamReaderEmulator:
    """A reader on a pty, served by a thread. Use as a context manager."""

    def __init__(self, card: IdCard | None = None, *, wire_baud: int | None = None,
                 sam_id: bytes = DEFAULT_SAM_ID, photo: bytes = DEFAULT_PHOTO,
                 link: str | os.PathLike[str] | None = None) -> None:
        """``link``: the port path to plug in at (default: one in a temporary folder); another
        emulator made later with the same ``link`` is "the reader plugged back in"."""
        self.wire_baud = wire_baud
        self.sam_id = sam_id
        self.photo = photo
        self.sam_status = 0x90
        self.requests: list[bytes] = []  # every well-formed request frame received, in order
        # fault switches (set them from the test thread; read under the lock by the server)
        self.noise = b""  # written before every reply
        self.split_pieces = 1  # each reply written in this many pieces …
        self.split_delay = 0.0  # … with this pause between them
        self.silent = False  # read requests, answer nothing
        self._bad_checksums = 0  # replies still to corrupt; -1 = all
        self._bad_checksum_on: Command | None = None
        self._forced: list[tuple[Command | None, int, int]] = []  # (command, status, times left)
        self._unplug_on: Command | None = None
        self._stall_on: Command | None = None
        self._lock = threading.Lock()
        self._card = card
        self._selected = False
        self._parser = RequestParser()  # used on the link's thread only
        self._stop = threading.Event()
        self.link = PtyLink(link, name="idcard-reader", on_data=self._on_data,
                            on_reset=self._parser.reset, thread_name="idcard-emulator")
        self.port = self.link.port
        self.unplugged = self.link.unplugged
        self.link.plug()  # the port exists from construction on, as a plugged-in reader's does

    # ---- lifecycle ------------------------------------------------------------------------
    def start(self) -> SamReaderEmulator:
        self.link.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self.link.stop()

    def __enter__(self) -> SamReaderEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # ---- the card -------------------------------------------------------------------------
    def present(self, card: IdCard) -> None:
        with self._lock:
            self._card, self._selected = card, False

    def remove(self) -> None:
        with self._lock:
            self._card, self._selected = None, False

    # ---- faults ---------------------------------------------------------------------------
    def corrupt_checksums(self, times: int | None = 1, command: Command | None = None) -> None:
        """Corrupt the CHK of the next ``times`` replies to ``command`` (any command if None;
        ``times`` None: every one until cleared)."""
        with self._lock:
            self._bad_checksums = -1 if times is None else times
            self._bad_checksum_on = command

    def force_status(self, status: int, command: Command | None = None,
                     times: int | None = 1) -> None:
        """Answer ``command`` (any command if None) with ``status`` and no data."""
        with self._lock:
            self._forced.append((command, status, -1 if times is None else times))

    def unplug_mid_frame(self, command: Command = Command.READ) -> None:
        """When answering ``command``, write half the reply, then pull the plug."""
        with self._lock:
            self._unplug_on = command

    def stall_mid_frame(self, command: Command = Command.READ) -> None:
        """When answering ``command`` (once), write half the reply, then nothing (a hung reader)."""
        with self._lock:
            self._stall_on = command

    def unplug(self) -> None:
        """Pull the plug now (the port path disappears)."""
        self.link.unplug()

    def replug(self) -> None:
        """Plug a reader back in under the same port path (a new pty behind the symlink)."""
        self.link.plug()

    def clear_faults(self) -> None:
        with self._lock:
            self.noise, self.split_pieces, self.split_delay, self.silent = b"", 1, 0.0, False
            self._bad_checksums, self._forced, self._unplug_on = 0, [], None
            self._stall_on = None

    # ---- serving --------------------------------------------------------------------------
    def _on_data(self, chunk: bytes) -> None:
        parser = self._parser
        parser.feed(chunk)
        while True:
            try:
                request = parser.next_request()
            except FrameChecksumError:
                # a real reader answers a corrupted command with 10 (checksum) / 11 (length)
                self._send(reply_frame(0x10), None)
                continue
            except FrameLengthError:
                self._send(reply_frame(0x11), None)
                continue
            if request is None:
                break
            self._answer(request)

    def _command_of(self, request: Request) -> Command | None:
        for command in Command:
            cmd, para, _ = command.value
            if (request.cmd, request.para) == (cmd, para):
                return command
        return None

    def _answer(self, request: Request) -> None:
        self.requests.append(frame(bytes([request.cmd, request.para]) + request.data))
        command = self._command_of(request)
        with self._lock:
            if self.silent:
                return
            forced = self._take_forced(command)
            reply = reply_frame(forced) if forced is not None else self._reply_to(command)
        self._send(reply, command)

    def _take_forced(self, command: Command | None) -> int | None:
        for i, (only, status, left) in enumerate(self._forced):
            if only is None or only is command:
                if left == 1:
                    del self._forced[i]
                elif left > 1:
                    self._forced[i] = (only, status, left - 1)
                return status
        return None

    def _reply_to(self, command: Command | None) -> bytes:
        card = self._card
        if command is Command.FIND:
            return reply_frame(0x9F, bytes(4)) if card else reply_frame(0x80)
        if command is Command.SELECT:
            if card is None:
                return reply_frame(0x81)
            self._selected = True
            return reply_frame(0x90, bytes(8))
        if command in (Command.READ, Command.READ_WITH_FINGERPRINT):
            if card is None or not self._selected:
                return reply_frame(0x41)
            if command is Command.READ_WITH_FINGERPRINT:
                return reply_frame(0x91)  # sample cards carry no fingerprint
            photo = card.photo_wlt if card.photo_wlt is not None else self.photo
            return reply_frame(0x90, read_reply_data(encode_text(card), photo))
        if command is Command.SAM_STATUS:
            return reply_frame(self.sam_status)
        if command is Command.SAM_ID:
            return reply_frame(0x90, self.sam_id)
        if command in (Command.SAM_RESET, Command.SET_MAX_RF_BYTES):
            return reply_frame(0x90)
        return reply_frame(0x21)

    def _send(self, reply: bytes, command: Command | None) -> None:
        with self._lock:
            if self._bad_checksums and self._bad_checksum_on in (None, command):
                reply = reply[:-1] + bytes([reply[-1] ^ 0xFF])
                if self._bad_checksums > 0:
                    self._bad_checksums -= 1
            unplug = command is not None and command is self._unplug_on
            stall = command is not None and command is self._stall_on
            if stall:
                self._stall_on = None
            noise, pieces, delay = self.noise, max(1, self.split_pieces), self.split_delay
        if stall:
            self._write(reply[:len(reply) // 2])
            return
        if unplug:
            self._write(reply[:len(reply) // 2])
            with self._lock:
                self._unplug_on = None
            self.link.unplug()
            return
        data = noise + reply
        if self.wire_baud:
            self._write_paced(data, self.wire_baud)
            return
        step = -(-len(data) // pieces)
        for i in range(0, len(data), step):
            if i and delay:
                self._stop.wait(delay)
            self._write(data[i:i + step])

    def _write_paced(self, data: bytes, baud: int) -> None:
        # each chunk leaves when its last bit would have crossed the wire (8N1: 10 bits a byte)
        start = time.perf_counter()
        for i in range(0, len(data), _PACE_CHUNK):
            chunk = data[i:i + _PACE_CHUNK]
            due = start + (i + len(chunk)) * 10 / baud
            pause = due - time.perf_counter()
            if pause > 0:
                time.sleep(pause)  # emulating the wire itself, not waiting for a condition
            self._write(chunk)

    def _write(self, data: bytes) -> None:
        self.link.send(data)  # False when unplugged meanwhile: the bytes are lost, as on a wire
