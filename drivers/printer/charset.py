"""Which characters a Chinese receipt printer can really print, and how wide they come out.

Both renderers (ESC/POS bytes and the PNG preview) pass every string through ``printable`` so
the paper and the screen show the same substitutes. A character the printer's font ROM cannot
print is replaced here, before any byte is produced, and the replacement is reported; this module
never drops a character silently and never emits a control byte (an ESC inside a citizen's name
would otherwise become a printer command).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Tried in order when a character cannot be printed; each must itself be printable.
SUBSTITUTES: dict[str, tuple[str, ...]] = {
    "\u00a5": ("\uffe5", "Y"),  # ¥ is 4 bytes in GB18030 and absent from GBK; ￥ is GBK A3A4
    "\u20ac": ("EUR",),
    "\u00a9": ("(C)",),
    "\u00ae": ("(R)",),
    "\u2122": ("TM",),
    "\u2022": ("\u00b7",),  # bullet -> middle dot (GBK A1A4)
    "\u00a0": (" ",),
    "\t": (" ",),
    "\n": (" ",),
    "\r": (" ",),
}
UNKNOWN = "?"
# Format and combining characters have no glyph of their own: dropping them loses nothing.
_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf"})
_NEVER_PRINTABLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Mn", "Me", "Zl", "Zp"})


@dataclass(frozen=True)
class Substitution:
    """``char`` could not be printed and ``replacement`` was printed instead (may be empty)."""

    char: str
    replacement: str
    line: str

    def describe(self) -> str:
        return f"U+{ord(self.char):04X} {self.char!r} -> {self.replacement!r} in {self.line!r}"


@lru_cache(maxsize=8192)
def can_print(char: str, encoding: str) -> bool:
    """True if a printer whose font ROM speaks ``encoding`` prints ``char`` as a glyph."""
    code = ord(char)
    if code < 0x20 or code == 0x7F or code > 0xFFFF:
        return False  # controls would be commands; nothing beyond the BMP is in a font ROM
    category = unicodedata.category(char)
    if category in _NEVER_PRINTABLE:
        return False
    try:
        encoded = char.encode(encoding)
    except UnicodeEncodeError:
        return False
    if len(encoded) == 1:
        return encoded[0] < 0x80
    # GB18030 four-byte symbols (emoji, dingbats) are encodable but not in any printer font
    return not (len(encoded) == 4 and category == "So")


def char_width(char: str) -> int:
    """Half-width columns on paper: ASCII uses font A (12 dots), every double- or four-byte
    character is drawn from the 24-dot Chinese font, whatever Unicode says about its width."""
    return 1 if ord(char) < 0x80 else 2


def text_width(text: str) -> int:
    return sum(char_width(c) for c in text)


@lru_cache(maxsize=4096)
def _replacement(char: str, encoding: str) -> str:
    for candidate in SUBSTITUTES.get(char, ()):
        if all(can_print(c, encoding) for c in candidate):
            return candidate
    folded = unicodedata.normalize("NFKC", char)
    if folded != char and folded and all(can_print(c, encoding) for c in folded):
        return folded
    if unicodedata.category(char) in _DROPPED_CATEGORIES:
        return ""
    return UNKNOWN


def printable(text: str, encoding: str) -> tuple[str, list[Substitution]]:
    """``text`` made printable in ``encoding``, and what was replaced."""
    text = unicodedata.normalize("NFC", text)  # e + combining acute -> é, which GBK has
    if text.isascii() and text.isprintable():
        return text, []
    out: list[str] = []
    subs: list[Substitution] = []
    for char in text:
        if can_print(char, encoding):
            out.append(char)
        else:
            replacement = _replacement(char, encoding)
            out.append(replacement)
            subs.append(Substitution(char, replacement, text))
    return "".join(out), subs


def wrap(text: str, columns: int) -> list[str]:
    """Split into lines of at most ``columns`` half-width columns, never inside a character.
    Chinese may break between any two characters; a Latin word moves whole to the next line
    (unless it alone is wider than the paper), so "any of these" never prints as "any of t/hese".
    Always at least one line (an empty line still feeds the paper)."""
    lines: list[str] = []
    current: list[str] = []
    used = 0
    for char in text:
        w = char_width(char)
        if used + w > columns and current:
            carry: list[str] = []
            if _in_word(char) and _in_word(current[-1]) and " " in current:
                cut = len(current) - current[::-1].index(" ")  # just after the last space
                carry, current = current[cut:], current[:cut]
            lines.append("".join(current).rstrip(" "))
            current = carry
            used = sum(char_width(c) for c in carry)
            if char == " " and not current:
                continue  # a space at a line break is the break itself
        current.append(char)
        used += w
    lines.append("".join(current))
    return lines


def _in_word(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "'-.,;:!?)")
