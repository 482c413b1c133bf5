"""``kiosk sync …``: the technician's view of the outbox and a manual drain.

Never prints personal data; refusals end with one line and a non-zero exit.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help="the outbox to the hall server: status, run")
    p.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
