"""Argument types for the technician's commands: every number range-checked where it enters.

``--baud 0`` used to reach pyserial and end in a traceback, ``--wait nan`` and ``--timeout nan``
made loops that never end (every comparison with nan is false), ``--port 70000`` reached the
socket layer. Each type here refuses such a value at parse time, so argparse (``kiosk.cli``'s
one-line parser) says which option and what was expected, and the command never starts.
``printable`` escapes what a device sent before it reaches the technician's terminal: a QR code
or a forged card field may carry escape sequences that rewrite the screen or the title bar.

Must never import the core or a driver; no I/O. (The baud list is the schema's: one copy.)
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable

from config.schema import STANDARD_BAUDS


def baud(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value not in STANDARD_BAUDS:
        raise argparse.ArgumentTypeError(
            f"expected a standard baud rate ({', '.join(map(str, STANDARD_BAUDS))}), "
            f"not {text[:20]!r}")
    return value


def seconds(low: float, high: float, *, allow_zero: bool = False) -> Callable[[str], float]:
    """A finite number of seconds in (low, high] (or [0, high] with ``allow_zero``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value) and value <= high and (
            value >= 0 if allow_zero else value > low)
        if not ok:
            lower = "0" if allow_zero else f"more than {low:g}"
            raise argparse.ArgumentTypeError(
                f"expected a number of seconds from {lower} to {high:g}, not {text[:20]!r}")
        return value

    return parse


def integer(low: int, high: int) -> Callable[[str], int]:
    """An integer from ``low`` to ``high`` inclusive."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = low - 1
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"expected an integer from {low} to {high}, not {text[:20]!r}")
        return value

    return parse


tcp_port = integer(1, 65535)


def host_port(text: str) -> str:
    """``HOST`` or ``HOST:PORT`` with a port from 1 to 65535 (returned as given)."""
    host, sep, port = text.rpartition(":")
    if sep and not (host.strip("[]") and port.isdigit() and 1 <= int(port) <= 65535):
        raise argparse.ArgumentTypeError(
            f"expected HOST or HOST:PORT with a port from 1 to 65535, not {text[:60]!r}")
    if not text.strip():
        raise argparse.ArgumentTypeError("expected HOST or HOST:PORT, not nothing")
    return text


def printable(text: str) -> str:
    """``text`` with control characters (C0, DEL, C1) and bidirectional overrides shown as
    ``\\xNN``/``\\uNNNN`` escapes, so nothing a device sent can drive the terminal."""
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0:
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch, f"\\x{code:02x}"))
        elif 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069 or code in (0x200E, 0x200F):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)
