"""A ``Receipt`` as the exact ESC/POS bytes a Chinese thermal printer needs.

python-escpos builds the command bytes (its constants and its native ``GS ( k`` QR sequence);
what it does not do for Chinese printers is ours: text encoded explicitly in the profile's
GB18030 or GBK, CJK runs wrapped in ``FS &`` / ``FS .`` when the printer needs it, characters the
font cannot print replaced (and reported) before any byte exists, separators sized to the paper.
Pure: never opens a connection; the same receipt and profile always give the same bytes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from escpos.constants import (
    HW_INIT,
    PAPER_FULL_CUT,
    PAPER_PART_CUT,
    QR_ECLEVEL_M,
    QR_MODEL_2,
    TXT_SIZE,
    TXT_STYLE,
)
from escpos.printer import Dummy

from drivers.printer.charset import Substitution
from drivers.printer.layout import Align, Receipt
from drivers.printer.paper import FeedRow, QRBlock, ReceiptLayoutError, TextRow, plan
from drivers.printer.profile import PrinterProfile

log = logging.getLogger(__name__)

CHINESE_MODE_ON = b"\x1c\x26"  # FS &
CHINESE_MODE_OFF = b"\x1c\x2e"  # FS .
PRINT_AND_FEED = b"\x1b\x64"  # ESC d n
LF = b"\n"


@dataclass(frozen=True)
class RenderedReceipt:
    data: bytes
    substitutions: tuple[Substitution, ...]


def render_escpos(receipt: Receipt, profile: PrinterProfile) -> bytes:
    """The bytes to send; substituted characters are logged (see ``render`` to get them)."""
    rendered = render(receipt, profile)
    for sub in rendered.substitutions:
        log.warning("printer (%s) cannot print %s", profile.encoding, sub.describe())
    return rendered.data


def render(receipt: Receipt, profile: PrinterProfile) -> RenderedReceipt:
    paper = plan(receipt, profile)
    out = bytearray(HW_INIT)
    # ESC @ resets to left / not bold / normal size: send a style only when it changes
    align, bold, size = Align.LEFT, False, 1
    for row in paper.rows:
        if isinstance(row, TextRow):
            if row.text:
                if row.align is not align:
                    align = row.align
                    out += TXT_STYLE["align"][align.value]
                if row.bold is not bold:
                    bold = row.bold
                    out += TXT_STYLE["bold"][bold]
                if row.size != size:
                    size = row.size
                    out += TXT_SIZE + bytes([(size - 1) << 4 | (size - 1)])
                out += _text_bytes(row.text, profile)
            out += LF
        elif isinstance(row, QRBlock):
            if align is not Align.CENTER:
                align = Align.CENTER
                out += TXT_STYLE["align"][align.value]
            out += qr_bytes(row.data, row.module_size)
        elif isinstance(row, FeedRow):
            out += PRINT_AND_FEED + bytes([row.lines])
    out += PRINT_AND_FEED + bytes([profile.cut_feed_lines])
    out += PAPER_PART_CUT if profile.cut == "partial" else PAPER_FULL_CUT
    return RenderedReceipt(bytes(out), tuple(paper.substitutions))


def _text_bytes(text: str, profile: PrinterProfile) -> bytes:
    try:
        encoded = text.encode(profile.encoding)
    except UnicodeEncodeError as exc:  # charset.printable let through what it must not
        raise ReceiptLayoutError(f"cannot encode {text!r} in {profile.encoding}: {exc}") from exc
    if profile.chinese_mode and not text.isascii():
        return CHINESE_MODE_ON + encoded + CHINESE_MODE_OFF
    return encoded


def qr_bytes(data: bytes, module_size: int) -> bytes:
    """Native QR: model 2, module size, error level M, store (pL pH = len + 3), print."""
    printer = Dummy()
    printer.qr(data.decode("utf-8"), ec=QR_ECLEVEL_M, size=module_size, model=QR_MODEL_2,
               native=True)
    return printer.output
