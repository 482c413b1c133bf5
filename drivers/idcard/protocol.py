"""GA 467 SAM reader framing: request frames, checksum, and a byte-fed frame parser.

Pure: no port, no clock, no threads. The driver and the emulator feed it whatever bytes the line
delivered (stray noise, half frames, several frames at once) and take whole frames out. It must
never block, never read a port and never guess past what LEN says.

Frame: ``AA AA AA 96 69`` · LEN (2, big-endian, counts everything after itself) · body · CHK,
with CHK = XOR of the LEN bytes and the body. Host→reader bodies are ``CMD PARA data``;
reader→host bodies are ``SW1 SW2 SW3 data``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import reduce

from drivers.idcard.errors import FrameChecksumError, FrameLengthError, status_error

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"
HEADER_LEN = len(PREAMBLE) + 2
# The longest real reply is text + photo + fingerprint (LEN 09 0A); anything far beyond is noise
# that happened to contain a preamble, and waiting for 64 KiB of it would stall the reader.
MAX_LEN = 0x0A00

TEXT_LEN = 256
PHOTO_LEN = 1024
FINGERPRINT_LEN = 1024


def checksum(data: bytes) -> int:
    """XOR of ``data`` (LEN bytes and body, preamble excluded)."""
    return reduce(lambda a, b: a ^ b, data, 0)


def frame(body: bytes) -> bytes:
    """Wrap ``body`` into a complete frame: preamble, LEN, body, CHK."""
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([checksum(length + body)])


class Command(enum.Enum):
    """Host→reader commands as (CMD, PARA, data)."""

    SAM_RESET = (0x10, 0xFF, b"")
    SAM_STATUS = (0x11, 0xFF, b"")
    SAM_ID = (0x12, 0xFF, b"")
    FIND = (0x20, 0x01, b"")
    SELECT = (0x20, 0x02, b"")
    READ = (0x30, 0x01, b"")
    READ_WITH_FINGERPRINT = (0x30, 0x10, b"")
    SET_MAX_RF_BYTES = (0x61, 0xFF, b"\x50")

    @property
    def frame(self) -> bytes:
        cmd, para, data = self.value
        return frame(bytes([cmd, para]) + data)

    @property
    def label(self) -> str:
        cmd, para, _ = self.value
        return f"{self.name.lower()} ({cmd:02X} {para:02X})"


def reply_frame(status: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader→host frame (used by the emulator and by tests)."""
    return frame(bytes([sw1, sw2, status]) + data)


@dataclass(frozen=True)
class Reply:
    """One reader→host frame."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    @property
    def status(self) -> int:
        return self.sw3

    def expect(self, status: int, context: str = "") -> Reply:
        """Return self if SW3 is ``status``, else raise the typed error for what came instead."""
        if self.sw3 != status:
            raise status_error(self.sw3, context)
        return self


@dataclass(frozen=True)
class Request:
    """One host→reader frame (what the emulator receives)."""

    cmd: int
    para: int
    data: bytes


@dataclass(frozen=True)
class CardData:
    """The payload of a 30 01 / 30 10 read reply, split by its length fields."""

    text: bytes
    photo: bytes
    fingerprint: bytes | None = None


def read_reply_data(text: bytes, photo: bytes, fingerprint: bytes | None = None) -> bytes:
    """Data part of a read reply (length fields then blocks): the inverse of ``split_card_data``."""
    head = len(text).to_bytes(2, "big") + len(photo).to_bytes(2, "big")
    if fingerprint is None:
        return head + text + photo
    return head + len(fingerprint).to_bytes(2, "big") + text + photo + fingerprint


def split_card_data(data: bytes, with_fingerprint: bool = False) -> CardData:
    """Split a read reply's data by its big-endian length fields; raise if they do not add up."""
    head = 6 if with_fingerprint else 4
    if len(data) < head:
        raise FrameLengthError(f"read reply carries {len(data)} data bytes, too short for its "
                               f"length fields; the reader firmware may use another layout")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    fp_len = int.from_bytes(data[4:6], "big") if with_fingerprint else 0
    if head + text_len + photo_len + fp_len != len(data) or text_len != TEXT_LEN:
        raise FrameLengthError(
            f"read reply length fields (text {text_len}, photo {photo_len}, fingerprint "
            f"{fp_len}) do not match its {len(data)} data bytes (text must be {TEXT_LEN})")
    text = data[head:head + text_len]
    photo = data[head + text_len:head + text_len + photo_len]
    fingerprint = data[head + text_len + photo_len:] if with_fingerprint else None
    return CardData(text, photo, fingerprint)


class _FrameAssembler:
    """Shared resynchronising assembler; subclasses turn a checked body into a value."""

    min_body = 3  # bytes between LEN and CHK, excluded

    def __init__(self) -> None:
        self._buf = bytearray()
        self.discarded = 0  # stray bytes dropped while looking for a preamble (for health/logs)

    def feed(self, chunk: bytes) -> None:
        self._buf += chunk

    def reset(self) -> None:
        self._buf.clear()

    @property
    def buffered(self) -> int:
        return len(self._buf)

    def wanted(self) -> int:
        """How many more bytes complete the next frame, at least; always >= 1 when none is whole.

        Lets the transport ask the port for exactly that many bytes instead of polling.
        """
        self._sync()
        if len(self._buf) < HEADER_LEN:
            return HEADER_LEN - len(self._buf)
        length = int.from_bytes(self._buf[5:7], "big")
        if not self.min_body + 1 <= length <= MAX_LEN:
            return 0  # the bad LEN is reported by next_body()
        return max(0, HEADER_LEN + length - len(self._buf))

    def _sync(self) -> None:
        """Drop bytes before the first (possibly partial) preamble."""
        buf = self._buf
        idx = buf.find(PREAMBLE)
        if idx < 0:
            # keep a tail that may be the start of a preamble split across chunks
            keep = 0
            for n in range(min(len(PREAMBLE) - 1, len(buf)), 0, -1):
                if buf.endswith(PREAMBLE[:n]):
                    keep = n
                    break
            idx = len(buf) - keep
        if idx:
            self.discarded += idx
            del buf[:idx]

    def next_body(self) -> bytes | None:
        """The next whole checked body, or None if more bytes are needed.

        A bad frame is dropped before its error is raised, so the next call goes on with the
        bytes after it.
        """
        self._sync()
        buf = self._buf
        if len(buf) < HEADER_LEN:
            return None
        length = int.from_bytes(buf[5:7], "big")
        if not self.min_body + 1 <= length <= MAX_LEN:
            # resync after the first preamble byte: the real frame may start inside what we saw
            del buf[:1]
            self.discarded += 1
            raise FrameLengthError(f"frame announces LEN {length}, outside "
                                   f"{self.min_body + 1}..{MAX_LEN}; noise on the line or "
                                   f"wrong baud rate")
        end = HEADER_LEN + length
        if len(buf) < end:
            return None
        chk_region = bytes(buf[5:end - 1])
        got = buf[end - 1]
        del buf[:end]
        if checksum(chk_region) != got:
            raise FrameChecksumError(f"frame checksum {got:02X} != computed "
                                     f"{checksum(chk_region):02X} over {length} bytes; line "
                                     f"noise, loose cable or wrong baud rate")
        return chk_region[2:]


class FrameParser(_FrameAssembler):
    """Reader→host frames. ``feed`` bytes, then call ``next_reply`` until it returns None."""

    min_body = 3  # SW1 SW2 SW3

    def next_reply(self) -> Reply | None:
        body = self.next_body()
        if body is None:
            return None
        return Reply(body[0], body[1], body[2], body[3:])

    def replies(self) -> list[Reply]:
        """Every whole reply buffered now (raises at the first bad frame; call again after)."""
        out: list[Reply] = []
        while (reply := self.next_reply()) is not None:
            out.append(reply)
        return out


class RequestParser(_FrameAssembler):
    """Host→reader frames, for the emulator."""

    min_body = 2  # CMD PARA

    def next_request(self) -> Request | None:
        body = self.next_body()
        if body is None:
            return None
        return Request(body[0], body[1], body[2:])
