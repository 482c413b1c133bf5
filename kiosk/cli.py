"""The ``kiosk`` command: the touchscreen app, technician diagnostics, counters, config checks.

Each layer registers its own subcommands (``register(subparsers)``), declared as entry points in
``pyproject.toml`` (group ``zhengwu_kiosk.commands``): the core finds the touchscreen app's
``run`` without importing the screens layer by name. Errors end with a non-zero exit and one
clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib.metadata import entry_points

from sqlalchemy.exc import DBAPIError

from drivers.base import DeviceError
from drivers.cli import CommandError
from kiosk.config import ConfigError

__all__ = ["CommandError", "build_parser", "main"]

ENTRY_POINT_GROUP = "zhengwu_kiosk.commands"
# How ``kiosk --help`` orders the commands it finds; others follow alphabetically.
HELP_ORDER = ("run", "device", "config", "queue")


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
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="政务自助终端 — government service hall self-service kiosk",
    )
    parser.add_argument("--config", metavar="FILE",
                        help="site configuration file (TOML) overriding config/defaults.toml; "
                             "default: $KIOSK_CONFIG")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    found = entry_points(group=ENTRY_POINT_GROUP)
    if not found:
        raise SystemExit("kiosk: no commands are registered: the kiosk is not installed "
                         "(run ./kiosk.sh setup, or pip install -e .)")
    wanted = _requested(argv) if argv is not None else None
    if wanted in found.names and "-h" not in (argv or ()) and "--help" not in (argv or ()):
        found = found.select(name=wanted)
    rank = {name: i for i, name in enumerate(HELP_ORDER)}
    for ep in sorted(found, key=lambda ep: (rank.get(ep.name, len(rank)), ep.name)):
        ep.load()(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
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
    except DBAPIError as exc:
        # the hall database is down or unreachable at start: a supervisor restarts the kiosk,
        # the technician needs to know which setting and which server
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        print(f"kiosk: the database cannot be used: {reason}; check kiosk.database in the site "
              "file and that the database server is running (数据库无法连接)", file=sys.stderr)
        return 4
    except DeviceError as exc:
        print(f"kiosk: {exc} ({exc.message_zh})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
