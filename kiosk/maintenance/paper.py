"""How much paper a receipt takes, estimated from its layout, for "paper used since the roll".

The printer has no sensor for the length it fed; the layout is known, so the length is worked
out the way the printer lays it out: 8 dots per mm (203 dpi), 34-dot text lines (the ESC/POS
default spacing), 48 half-width cells per line on 80 mm paper, a QR code of its modules plus the
quiet zone, and the feed to the cutter. An estimate for a low-paper warning, never for billing.
Must never import a concrete driver (``layout`` is the shared paper description).
"""

from __future__ import annotations

import math
import unicodedata

from drivers.printer.layout import Feed, QRCode, Receipt, Separator, TextLine

DOTS_PER_MM = 8.0
LINE_DOTS = 34
CELLS_PER_LINE = 48  # 576 dots / 12-dot half cells on 80 mm paper
MARGIN_DOTS = 8
CUT_FEED_LINES = 4
QR_MODULE_DOTS = 6
QR_QUIET_MODULES = 8


def _cells(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _qr_modules(data: str) -> int:
    """Modules per side of the smallest QR (level M) holding ``data`` in byte mode, roughly."""
    capacity = (14, 26, 42, 62, 84, 106, 122, 152, 180, 213)  # versions 1..10, level M, bytes
    size = len(data.encode("utf-8"))
    version = next((v for v, cap in enumerate(capacity, start=1) if size <= cap), 10)
    return 17 + 4 * version


def receipt_length_mm(receipt: Receipt, paper_width_mm: int = 80) -> float:
    """The length of paper ``receipt`` takes, cut included, in millimetres."""
    cells = CELLS_PER_LINE if paper_width_mm == 80 else 32
    dots = MARGIN_DOTS + CUT_FEED_LINES * LINE_DOTS
    for el in receipt.elements:
        if isinstance(el, TextLine):
            per_line = max(1, cells // max(1, el.size))
            lines = max(1, math.ceil(_cells(el.text) / per_line))
            dots += lines * max(LINE_DOTS, 24 * el.size + 4)
        elif isinstance(el, Separator):
            dots += LINE_DOTS
        elif isinstance(el, QRCode):
            module = el.module_size or QR_MODULE_DOTS
            dots += (_qr_modules(el.data) + QR_QUIET_MODULES) * module
            if el.caption:
                dots += LINE_DOTS
        elif isinstance(el, Feed):
            dots += LINE_DOTS * el.lines
    return round(dots / DOTS_PER_MM, 1)
