"""``kiosk device …``: technician diagnostics, one subcommand group per device kind.

Each ``drivers/<kind>/cli.py`` has ``register(subparsers)``. ``--port`` everywhere takes a device
path, a pseudo-terminal path or a pyserial URL (``loop://``, ``spy://…``).
"""

from __future__ import annotations

import argparse
import importlib

KINDS = ("ports", "idcard", "scanner", "camera", "printer", "locker")


class CommandError(Exception):
    """Raised by a subcommand to print one line on stderr and exit with ``code``.

    Defined here, at the bottom of the command tree, so device commands need nothing from the
    core; ``kiosk.cli`` re-exports it for the core's own commands."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("device", help="test a device from the shell (technicians)")
    dsub = p.add_subparsers(dest="device_kind", metavar="KIND", required=True)
    for kind in KINDS:
        importlib.import_module(f"drivers.{kind}.cli").register(dsub)
