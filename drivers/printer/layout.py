"""A receipt as data: what to print, not how.

Tickets and receipts are built from these pieces by the core (``kiosk/receipts``); the printer
package renders the same ``Receipt`` to ESC/POS bytes for the paper and to a PNG that looks like
the paper, so the screen and the tests show exactly what was printed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class TextLine:
    text: str
    size: int = 1  # 1 = normal, 2 = double width and height, up to 4
    bold: bool = False
    align: Align = Align.LEFT


@dataclass(frozen=True)
class Separator:
    char: str = "-"


@dataclass(frozen=True)
class QRCode:
    data: str
    module_size: int | None = None  # dots per module, 1..16; None: the printer profile's default
    caption: str = ""


@dataclass(frozen=True)
class Feed:
    lines: int = 1


Element = TextLine | Separator | QRCode | Feed


@dataclass
class Receipt:
    """An ordered list of elements, always ending with a cut when rendered."""

    elements: list[Element] = field(default_factory=list)

    def text(self, text: str, *, size: int = 1, bold: bool = False,
             align: Align = Align.LEFT) -> Receipt:
        self.elements.append(TextLine(text, size=size, bold=bold, align=align))
        return self

    def separator(self, char: str = "-") -> Receipt:
        self.elements.append(Separator(char))
        return self

    def qr(self, data: str, *, module_size: int | None = None, caption: str = "") -> Receipt:
        self.elements.append(QRCode(data, module_size=module_size, caption=caption))
        return self

    def feed(self, lines: int = 1) -> Receipt:
        self.elements.append(Feed(lines))
        return self

    def plain_text(self) -> str:
        """What a person reads on the paper, for logs, tests and the on-screen fallback."""
        out: list[str] = []
        for el in self.elements:
            if isinstance(el, TextLine):
                out.append(el.text)
            elif isinstance(el, QRCode):
                out.append(f"[QR {el.data}]" + (f" {el.caption}" if el.caption else ""))
            elif isinstance(el, Separator):
                out.append(el.char * 32)
        return "\n".join(out)
