"""The real ID card reader: a GA 467 SAM module on a serial line (``serial.serial_for_url``).

A thin transport around ``protocol`` (framing) and ``text`` (card record): write one request,
read exactly the bytes LEN announces, hand them to the parser. Reading a card is
find (9F) → select (90) → read 30 01 (90). A card stays "seen" until a find answers 80 (removed),
so a card left on the reader is never read twice. One bad checksum is retried; a second one is an
error. The line is a ``drivers.serial_transport.SerialTransport``: every way a pulled cable shows
up (``termios.error`` included) arrives here as ``DeviceUnplugged`` and the port is reopened on
the next call; silence becomes ``DeviceTimeout``.
This module must never sleep on the read path (the benchmark holds it to ≤ 10 % above the wire
time), never mask or log card data, and never let the optional photo decoder fail a read.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace

from drivers.base import (
    DeviceError,
    DeviceTimeout,
    DeviceUnplugged,
    Health,
    HealthState,
)
from drivers.idcard.base import IdCard, IdCardReader
from drivers.idcard.errors import (
    CARD_FOUND,
    OK,
    FrameChecksumError,
    FrameLengthError,
    SamFault,
    status_error,
)
from drivers.idcard.photo import load_photo_decoder
from drivers.idcard.protocol import Command, FrameParser, Reply, split_card_data
from drivers.idcard.text import decode_text
from drivers.serial_transport import SerialTransport

NO_CARD = 0x80
# Reply sizes on the wire, to give slow lines (9600 baud: 1.35 s for a read) their due time.
_REPLY_BYTES = {Command.READ: 1295, Command.READ_WITH_FINGERPRINT: 2321}
_SMALL_REPLY_BYTES = 64


@dataclass(frozen=True)
class SamStatus:
    """Answer to the SAM status command (11 FF): ``ok`` when SW3 is 90."""

    status: int
    message: str
    message_zh: str

    @property
    def ok(self) -> bool:
        return self.status == OK


@dataclass(frozen=True)
class SamId:
    """The SAM module's 16-byte identity, shown as vendors print it (little-endian fields)."""

    raw: bytes

    def __str__(self) -> str:
        r = self.raw
        u16 = [int.from_bytes(r[i:i + 2], "little") for i in (0, 2)]
        u32 = [int.from_bytes(r[i:i + 4], "little") for i in (4, 8, 12)]
        return f"{u16[0]:02d}.{u16[1]:02d}-{u32[0]:08d}-{u32[1]:010d}-{u32[2]:010d}"


class SamIdCardReader(IdCardReader):
    """GA 467 SAM reader on ``port`` (a device path, a pty, or a pyserial URL)."""

    def __init__(self, port: str, baud: int = 115200, timeout: float = 1.0,
                 photo_decoder: str | None = None, *, poll_interval: float = 0.1) -> None:
        self.port, self.baud, self.timeout = port, baud, timeout
        self.poll_interval = poll_interval
        self._photo = load_photo_decoder(photo_decoder)
        self._line = SerialTransport(
            port, device="ID card reader",
            open_hint="check the cable or USB adapter and devices.idcard.port",
            lost_hint="check the cable or USB adapter",
            baudrate=baud, timeout=timeout, write_timeout=timeout)
        self._parser = FrameParser()
        self._lock = threading.RLock()  # one transaction at a time on the line
        self._seen = False  # a card was read and has not been removed since
        self._closed = threading.Event()  # wakes a waiting read_card when the owner closes us
        self._close_count = 0
        self._health = Health(HealthState.OFFLINE, "not opened yet")
        self.checksum_retries = 0  # recovered bad checksums since start (shown by diagnostics)

    # ---- lifecycle ------------------------------------------------------------------------
    def open(self) -> None:
        with self._lock:
            self._ensure_open()

    def close(self) -> None:
        with self._lock:
            self._close_port()
            self._close_count += 1
            self._closed.set()
            self._health = Health(HealthState.OFFLINE, "closed")

    def health(self) -> Health:
        return self._health

    def _ensure_open(self) -> None:
        if self._line.is_open:
            return
        try:
            self._line.open()
        except DeviceUnplugged as exc:
            self._offline(exc)
            raise
        self._closed.clear()
        self._parser.reset()
        self._health = Health(HealthState.OK)

    def _close_port(self) -> None:
        self._line.close()

    def _offline(self, error: DeviceError) -> DeviceError:
        self._health = Health(HealthState.OFFLINE, str(error))
        return error

    # ---- the card -------------------------------------------------------------------------
    def card_present(self) -> bool:
        with self._lock:
            reply = self._transact(Command.FIND)
            if reply.sw3 == CARD_FOUND:
                return True
            if reply.sw3 == NO_CARD:
                self._seen = False
                return False
            raise status_error(reply.sw3, Command.FIND.label)

    def read_card(self, timeout: float) -> IdCard | None:
        deadline = time.monotonic() + timeout
        closes = self._close_count
        while True:
            with self._lock:
                if self.card_present() and not self._seen:
                    return self._read_present_card()
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closed.wait(min(self.poll_interval, remaining)):
                return None
            if self._close_count != closes:
                return None

    def _read_present_card(self) -> IdCard:
        try:
            self._transact(Command.SELECT).expect(OK, Command.SELECT.label)
            reply = self._transact(Command.READ).expect(OK, Command.READ.label)
            data = split_card_data(reply.data)
            card = decode_text(data.text, photo_wlt=data.photo)
        except DeviceError as exc:
            if not isinstance(exc, DeviceTimeout | DeviceUnplugged):
                # the citizen is told to lift the card and put it back: wait for that
                self._seen = True
            raise
        self._seen = True
        if self._photo is not None and data.photo:
            bmp = self._photo.decode(data.photo)
            if bmp is not None:
                card = replace(card, photo_bmp=bmp)
        return card

    # ---- SAM ------------------------------------------------------------------------------
    def sam_status(self) -> SamStatus:
        with self._lock:
            reply = self._transact(Command.SAM_STATUS)
        if reply.sw3 == OK:
            return SamStatus(OK, "SAM ready", "身份证阅读器正常")
        error = status_error(reply.sw3, Command.SAM_STATUS.label)
        if isinstance(error, SamFault):
            self._health = Health(HealthState.OFFLINE, str(error))
        return SamStatus(reply.sw3, str(error), error.message_zh)

    def sam_id(self) -> SamId:
        with self._lock:
            reply = self._transact(Command.SAM_ID).expect(OK, Command.SAM_ID.label)
        if len(reply.data) != 16:
            raise FrameLengthError(f"SAM id reply carries {len(reply.data)} bytes, expected 16")
        return SamId(reply.data)

    # ---- transport ------------------------------------------------------------------------
    def _transact(self, command: Command) -> Reply:
        """One request/reply, retried once if either side saw a corrupted frame."""
        for attempt in (1, 2):
            try:
                reply = self._exchange(command)
            except (FrameChecksumError, FrameLengthError) as exc:
                if attempt == 2:
                    self._health = Health(HealthState.DEGRADED, f"line noise: {exc}")
                    raise type(exc)(f"{command.label}: corrupted reply twice in a row ({exc})"
                                    ) from exc
                self.checksum_retries += 1
                continue
            if reply.sw3 in (0x10, 0x11) and attempt == 1:
                self.checksum_retries += 1  # the reader saw our frame corrupted: send it again
                continue
            fault = status_error(reply.sw3, command.label)
            if isinstance(fault, SamFault):
                self._health = Health(HealthState.OFFLINE, str(fault))
            elif attempt == 2:
                self._health = Health(HealthState.DEGRADED,
                                      f"recovered from a corrupted frame on {command.label}")
            else:
                self._health = Health(HealthState.OK)
            return reply
        raise AssertionError("unreachable")  # pragma: no cover

    def _exchange(self, command: Command) -> Reply:
        self._ensure_open()
        line, parser, doing = self._line, self._parser, command.label
        try:
            line.reset_input(doing=doing)  # a late half reply from a previous timeout is not ours
            parser.reset()
            line.write(command.frame, doing=doing)
            due = self.timeout + _REPLY_BYTES.get(command, _SMALL_REPLY_BYTES) * 10 / self.baud
            deadline = time.monotonic() + due
            while (reply := parser.next_reply()) is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise self._timeout(command, parser.buffered)
                # exactly what completes the frame
                chunk = line.read(parser.wanted() or 1, remaining, doing=doing)
                if not chunk:
                    raise self._timeout(command, parser.buffered)
                parser.feed(chunk)
            return reply
        except (DeviceUnplugged, DeviceTimeout) as exc:
            # the transport dropped a lost port; the next poll reopens it
            self._offline(exc)
            raise

    def _timeout(self, command: Command, buffered: int) -> DeviceError:
        got = f"after {buffered} bytes of a reply" if buffered else "with no reply"
        return self._offline(DeviceTimeout(
            f"ID card reader on {self.port} timed out on {command.label} {got}; check power, "
            f"cable and baud rate ({self.baud})"))

