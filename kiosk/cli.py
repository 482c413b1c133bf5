"""The ``kiosk`` command: the touchscreen app, technician diagnostics, counters, config checks.

Each layer registers its own subcommands (``register(subparsers)``), declared as entry points in
``pyproject.toml`` (group ``zhengwu_kiosk.commands``): the core finds the touchscreen app's
``run`` without importing the screens layer by name. Errors end with a non-zero exit and one
clear line on stderr, never a traceback — argparse's own usage errors included (``KioskParser``
prints one line, not the usage block, so a script or a technician sees exactly what was wrong).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import NoReturn

from config.files import FileRefused
from drivers.base import DeviceError
from drivers.cli import CommandError
from kiosk.config import ConfigError
from kiosk.privacy import HallSecretError

__all__ = ["CommandError", "build_parser", "main"]

ENTRY_POINT_GROUP = "zhengwu_kiosk.commands"
DEBUG_ENV = "KIOSK_DEBUG"  # set: an unexpected error shows its traceback instead of one line
log = logging.getLogger("kiosk.cli")
# How ``kiosk --help`` orders the commands it finds; others follow alphabetically.
HELP_ORDER = ("run", "device", "config", "queue")
# ``kiosk run`` is registered without looking the entry point up: importing importlib.metadata
# and scanning every installed package's metadata was ~25 ms of each start to home, which a
# technician or a citizen waits through after every restart. Same target as the entry point in
# pyproject.toml (a test holds the two together); every other command is found as before.
RUN_COMMAND = ("run", "screens.cli:register")


class KioskParser(argparse.ArgumentParser):
    """argparse with one-line errors: ``kiosk device scanner listen: --baud: …`` and exit 2.
    Sub-parsers inherit the class, so every command of the tree answers the same way."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def _requested(argv: Sequence[str]) -> str | None:
    """The command word in ``argv`` (skipping ``--config FILE``), or None."""
    args = iter(argv)
    for arg in args:
        if arg == "--config":
            next(args, None)
        elif not arg.startswith("-"):
            return arg
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command tree, or — given the ``argv`` about to be parsed and naming a known
    command — that command only: registering a command imports its layer (the touchscreen app
    must not pay for the device diagnostics' imports at every start)."""
    parser = KioskParser(
        prog="kiosk",
        description="政务自助终端 — government service hall self-service kiosk",
    )
    parser.add_argument("--config", metavar="FILE",
                        help="site configuration file (TOML) overriding config/defaults.toml; "
                             "default: $KIOSK_CONFIG")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _requested(argv) if argv is not None else None
    helping = "-h" in (argv or ()) or "--help" in (argv or ())
    if wanted == RUN_COMMAND[0] and not helping:
        module, _, function = RUN_COMMAND[1].partition(":")
        getattr(import_module(module), function)(sub)
        return parser
    from importlib.metadata import entry_points

    found = entry_points(group=ENTRY_POINT_GROUP)
    if not found:
        raise SystemExit("kiosk: no commands are registered: the kiosk is not installed "
                         "(run ./kiosk.sh setup, or pip install -e .)")
    if wanted in found.names and not helping:
        found = found.select(name=wanted)
    rank = {name: i for i, name in enumerate(HELP_ORDER)}
    for ep in sorted(found, key=lambda ep: (rank.get(ep.name, len(rank)), ep.name)):
        ep.load()(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # The kiosk uses no pydantic plugin; looking for one reads every installed package's
    # metadata at the first validation (~5 ms of each start).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or KioskParser's one-line usage error
        return exc.code if isinstance(exc.code, int) else 2
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except CommandError as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return exc.code
    except ConfigError as exc:
        print(f"kiosk: configuration error: {exc}", file=sys.stderr)
        return 3
    except HallSecretError as exc:
        print(f"kiosk: hall secret: {exc}", file=sys.stderr)
        return 3
    except FileRefused as exc:
        print(f"kiosk: {exc}", file=sys.stderr)
        return 2
    except DeviceError as exc:
        print(f"kiosk: {exc} ({exc.message_zh})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line for the technician, and a non-zero exit
        code = _database_failure(exc)
        if code is not None:
            return code
        if os.environ.get(DEBUG_ENV):  # so a supervisor restarts the kiosk
            raise
        if logging.getLogger().handlers:  # `kiosk run` set up its log file: the details go there
            log.exception("unexpected error in `kiosk %s`", args.command)
        print(f"kiosk: unexpected error ({type(exc).__name__}); the kiosk log may have the "
              f"details; run again with {DEBUG_ENV}=1 to see the traceback (程序异常)",
              file=sys.stderr)
        return 70


def _database_failure(exc: Exception) -> int | None:
    """One line and the exit code for a database failure, or None when ``exc`` is not one.

    SQLAlchemy is imported only by commands that use the database (``kiosk run`` draws home
    before it does, ``kiosk.startup``): when it is not loaded, ``exc`` cannot be its error, and
    this check must not import a third of a second of modules to find that out."""
    if "kiosk.storage.engine" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError

    from kiosk.storage.engine import DatabaseUrlError, describe_error

    if isinstance(exc, DatabaseUrlError):
        print(f"kiosk: {exc} (kiosk.database or --db)", file=sys.stderr)
        return 3
    if isinstance(exc, DBAPIError):
        # the database failed at start or in a command: a supervisor restarts the kiosk, the
        # technician needs to know what failed (disk full is not "server down") and what to do
        what, todo = describe_error(exc)
        print(f"kiosk: the database cannot be used: {what}; {todo} (数据库无法使用)",
              file=sys.stderr)
        return 4
    return None


if __name__ == "__main__":
    sys.exit(main())
