"""Cut the byte stream of a serial QR/barcode scanner into codes, and turn a code into text.

Serial scanners (USB virtual COM port or RS-232) send each code followed by a configured suffix:
CR, LF, CR LF, or nothing. With no suffix a code ends when the line goes quiet (an inter-byte gap).
``SuffixFramer`` is a pure parser: it is fed byte chunks as they arrive, with the time they
arrived, and hands back every complete code; reads split anywhere, several codes in one chunk and
line noise are all normal. It must never do I/O, sleep or read the clock itself.
"""

from __future__ import annotations

from typing import Literal

from drivers.base import ProtocolError

Suffix = Literal["cr", "lf", "crlf", "none"]
SUFFIXES: dict[str, bytes] = {"cr": b"\r", "lf": b"\n", "crlf": b"\r\n", "none": b""}

# Bytes a scanner never sends inside a code but a noisy line or a power-up does (NUL from a
# floating RX line, XON/XOFF). Control characters such as GS (0x1D, GS1 separator) are data.
_NOISE = bytes([0x00, 0x11, 0x13])


class SuffixFramer:
    """Complete codes (bytes, suffix stripped) from a scanner's byte stream.

    ``feed(chunk, now)`` returns the codes completed by ``chunk``; ``poll(now)`` returns a code
    ended by silence (``suffix="none"`` only). Empty codes (two suffixes in a row) are dropped.
    A stray LF before a code with ``suffix="cr"`` and a stray CR after one with ``suffix="lf"``
    are dropped too: a scanner set to CR LF while the kiosk expects CR or LF must not prefix or
    end every code with a control character. A code longer than ``max_length`` (wrong suffix
    configured, or garbage) is discarded and counted in ``overflows``.
    """

    def __init__(self, suffix: Suffix = "cr", *, gap: float = 0.05,
                 max_length: int = 4096) -> None:
        if suffix not in SUFFIXES:
            raise ValueError(f"suffix must be one of {', '.join(SUFFIXES)}, not {suffix!r}")
        if gap <= 0:
            raise ValueError("gap must be positive")
        self.suffix: Suffix = suffix
        self.gap = gap
        self.max_length = max_length
        self.overflows = 0
        self._terminator = SUFFIXES[suffix]
        self._buffer = bytearray()
        self._last_byte_at: float | None = None
        self._overflowing = False

    @property
    def pending(self) -> bytes:
        """Bytes received that do not yet make a complete code."""
        return bytes(self._buffer)

    def feed(self, chunk: bytes, now: float) -> list[bytes]:
        codes = self.poll(now)
        chunk = chunk.translate(None, _NOISE)
        if not chunk:
            return codes
        self._last_byte_at = now
        if not self._terminator:
            self._append(chunk)
            return codes
        self._buffer += chunk
        while True:
            end = self._buffer.find(self._terminator)
            if end < 0:
                break
            raw = bytes(self._buffer[:end])
            del self._buffer[:end + len(self._terminator)]
            if self._overflowing:
                # the tail of a discarded over-long code: drop it, then resume normal framing
                self._overflowing = False
                continue
            if len(raw) > self.max_length:  # a whole over-long code in one read
                self.overflows += 1
                continue
            code = self._clean(raw)
            if code:
                codes.append(code)
        if self.suffix == "cr":
            # the LF of a CR LF scanner: not the start of the next code
            while self._buffer[:1] == b"\n":
                del self._buffer[:1]
        if len(self._buffer) > self.max_length:
            self._buffer.clear()
            self.overflows += 1
            self._overflowing = True
        return codes

    def poll(self, now: float) -> list[bytes]:
        """With ``suffix="none"``: the buffered code once ``gap`` seconds passed without bytes."""
        if self._terminator or self._last_byte_at is None:
            return []
        if now - self._last_byte_at < self.gap:
            return []
        raw = bytes(self._buffer)
        self._buffer.clear()
        self._last_byte_at = None
        overflowed, self._overflowing = self._overflowing, False
        return [] if overflowed or not raw else [raw]

    def reset(self) -> None:
        """Forget a half-received code (after reconnecting, its start is gone for good)."""
        self._buffer.clear()
        self._last_byte_at = None
        self._overflowing = False

    def _append(self, chunk: bytes) -> None:
        self._buffer += chunk
        if len(self._buffer) > self.max_length:
            self._buffer.clear()
            self.overflows += 1
            self._overflowing = True

    def _clean(self, raw: bytes) -> bytes:
        if self.suffix == "cr":
            raw = raw.lstrip(b"\n")
        elif self.suffix == "lf":
            raw = raw.rstrip(b"\r")
        return raw


def decode_code(raw: bytes) -> str:
    """A code's bytes as text: UTF-8, else GB18030 (older Chinese scanners and GB-encoded codes).

    Raises ``ProtocolError`` when the bytes are neither, with the bytes in hex so a technician
    can see whether the baud rate is wrong (typical: 0x80–0xFF everywhere).
    """
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("gb18030")
    except UnicodeDecodeError:
        shown = raw[:32].hex(" ") + (" …" if len(raw) > 32 else "")
        raise ProtocolError(
            f"scanned bytes are neither UTF-8 nor GB18030 ({len(raw)} bytes: {shown}); "
            "check the baud rate and the scanner's character set",
            "扫码内容无法识别，请重新扫码",
        ) from None
