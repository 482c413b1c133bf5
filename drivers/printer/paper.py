"""Lays a ``Receipt`` out on the profile's paper: the rows that will really come out.

Both the ESC/POS renderer and the PNG preview draw from this one plan, so what the screen shows
is what the paper gets: the same line breaks, the same substituted characters, the same QR
module size. Pure: no I/O, no printer commands. A receipt that cannot be printed at all (size 7
text, a QR too long for any symbol) raises ``ReceiptLayoutError`` here, before a byte is sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import qrcode
from qrcode.exceptions import DataOverflowError

from drivers.printer.base import PrinterError
from drivers.printer.charset import Substitution, printable, text_width, wrap
from drivers.printer.layout import Align, Feed, QRCode, Receipt, Separator, TextLine
from drivers.printer.profile import PrinterProfile

MAX_FEED_LINES = 255  # ESC d n takes one byte


class ReceiptLayoutError(PrinterError):
    """The receipt asks for something no printer can do; a bug in whoever built it."""

    message_zh = "凭条内容无法打印"


@dataclass(frozen=True)
class TextRow:
    text: str  # already printable in the profile's encoding, fits the line
    size: int = 1
    bold: bool = False
    align: Align = Align.LEFT


@dataclass(frozen=True)
class QRBlock:
    data: bytes  # UTF-8: what phone scanners assume for byte-mode QR
    module_size: int
    modules: int  # symbol width in modules (version * 4 + 17), for the preview and fitting


@dataclass(frozen=True)
class FeedRow:
    lines: int


Row = TextRow | QRBlock | FeedRow


@dataclass
class PaperPlan:
    rows: list[Row] = field(default_factory=list)
    substitutions: list[Substitution] = field(default_factory=list)


@lru_cache(maxsize=256)
def qr_modules(data: bytes) -> int:
    """Width in modules of the smallest model-2 symbol holding ``data`` at error level M."""
    symbol = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    symbol.add_data(data, optimize=0)  # byte mode, as the printer receives it
    try:
        version = symbol.best_fit()
    except (DataOverflowError, ValueError) as exc:  # qrcode 8 says ValueError past version 40
        raise ReceiptLayoutError(
            f"QR data of {len(data)} bytes does not fit any QR symbol at error level M "
            f"(max 2331 bytes)") from exc
    return version * 4 + 17


def plan(receipt: Receipt, profile: PrinterProfile) -> PaperPlan:
    out = PaperPlan()
    for element in receipt.elements:
        if isinstance(element, TextLine):
            _text(out, element.text, element.size, element.bold, element.align, profile)
        elif isinstance(element, Separator):
            _separator(out, element, profile)
        elif isinstance(element, QRCode):
            _qr(out, element, profile)
        elif isinstance(element, Feed):
            if not 0 <= element.lines <= MAX_FEED_LINES:
                raise ReceiptLayoutError(f"feed of {element.lines} lines: expected 0..255")
            out.rows.append(FeedRow(element.lines))
        else:
            raise ReceiptLayoutError(f"unknown receipt element {element!r}")
    return out


def _text(out: PaperPlan, text: str, size: int, bold: bool, align: Align,
          profile: PrinterProfile) -> None:
    if not isinstance(size, int) or not 1 <= size <= 4:
        raise ReceiptLayoutError(f"text size {size!r}: expected 1..4 ({text[:20]!r})")
    clean, subs = printable(text, profile.encoding)
    out.substitutions.extend(subs)
    for chunk in wrap(clean, profile.columns // size):
        out.rows.append(TextRow(chunk, size, bool(bold), Align(align)))


def _separator(out: PaperPlan, element: Separator, profile: PrinterProfile) -> None:
    clean, subs = printable(element.char or "-", profile.encoding)
    out.substitutions.extend(subs)
    unit = clean or "-"
    repeat = profile.columns // max(1, text_width(unit))
    out.rows.append(TextRow(unit * repeat))


def _qr(out: PaperPlan, element: QRCode, profile: PrinterProfile) -> None:
    data = element.data.encode("utf-8")
    if not data:
        raise ReceiptLayoutError("QR code with empty data")
    size = element.module_size if element.module_size is not None else profile.qr_module_size
    if not isinstance(size, int) or not 1 <= size <= 16:
        raise ReceiptLayoutError(f"QR module size {size!r}: expected 1..16 dots")
    modules = qr_modules(data)
    # a symbol wider than the paper prints cut off on one side and will not scan: shrink it
    size = min(size, profile.dots // modules)
    if size < 1:
        raise ReceiptLayoutError(f"QR of {len(data)} bytes is wider than the paper")
    out.rows.append(QRBlock(data, size, modules))
    if element.caption:
        _text(out, element.caption, 1, False, Align.CENTER, profile)
