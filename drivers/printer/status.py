"""ESC/POS real-time status replies (``DLE EOT n``) read as ``PaperStatus``: a pure parser.

Fed with the bytes a printer sent back, never with a connection. A status byte always has bit 1
and bit 4 set and bits 0 and 7 clear (``0b0xx1xx10``); anything else is line noise or a wrong baud
rate and is refused as a ``ProtocolError`` instead of being read as "paper OK".
"""

from __future__ import annotations

from drivers.base import ProtocolError
from drivers.printer.base import PaperStatus

QUERY_PRINTER = b"\x10\x04\x01"  # DLE EOT 1: printer status
QUERY_PAPER = b"\x10\x04\x04"  # DLE EOT 4: roll paper sensor status
FIXED_MASK, FIXED_BITS = 0x93, 0x12
OFFLINE = 0x08
PAPER_NEAR_END = 0x0C  # either near-end sensor bit
PAPER_OUT = 0x60  # either paper-end sensor bit


def status_byte(reply: bytes, query: bytes) -> int:
    """The status byte in ``reply`` (non-empty) to ``query``; ``ProtocolError`` if malformed."""
    if not reply:
        raise ValueError("empty reply: the caller handles silence")
    byte = reply[-1]  # a late answer to an earlier query may precede ours
    if byte & FIXED_MASK != FIXED_BITS:
        raise ProtocolError(
            f"printer answered {reply.hex(' ')} to status query {query.hex(' ')}: not a status "
            f"byte (wrong baud rate, or not an ESC/POS printer on this port?)",
            "打印机通信错误")
    return byte


def paper_from_byte(byte: int) -> PaperStatus:
    """DLE EOT 4 reply: out beats near end (an empty roll also trips the near-end sensor)."""
    if byte & PAPER_OUT:
        return PaperStatus.OUT
    if byte & PAPER_NEAR_END:
        return PaperStatus.NEAR_END
    return PaperStatus.OK


def is_offline(byte: int) -> bool:
    """DLE EOT 1 reply: bit 3 set when the printer will not print (cover open, error, feed)."""
    return bool(byte & OFFLINE)


def paper_status(paper_reply: bytes, printer_reply: bytes | None) -> PaperStatus:
    """Combine the two replies; ``b""`` (silence) for either means OFFLINE.

    Paper is asked first on purpose: many printers also raise the offline bit when the roll is
    empty, and "load paper" is the message the technician needs, not "printer offline"."""
    if not paper_reply:
        return PaperStatus.OFFLINE
    paper = paper_from_byte(status_byte(paper_reply, QUERY_PAPER))
    if paper is PaperStatus.OUT:
        return paper
    if printer_reply is None:
        return paper
    if not printer_reply or is_offline(status_byte(printer_reply, QUERY_PRINTER)):
        return PaperStatus.OFFLINE
    return paper
