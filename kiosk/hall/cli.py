"""``kiosk hall …``: run the hall server and administer it (kiosks, staff, stats, OpenAPI).

Heavy imports (FastAPI, SQLAlchemy models) happen inside the command functions so that
``kiosk --help`` and every other command stay fast. Refusals end with a non-zero exit and one
clear line on stderr, never a traceback; tokens and passwords are never logged.
"""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("hall", help="the hall server: serve the kiosks' API, kiosks, staff, stats")
    p.add_subparsers(dest="hall_command", metavar="ACTION", required=True)
