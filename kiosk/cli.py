"""The ``kiosk`` command: the touchscreen app, technician diagnostics, counters, config checks.

Each area registers its own subcommands (``register(subparsers)``) so this file stays a table of
contents. Errors end with a non-zero exit and one clear line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from drivers.base import DeviceError
from drivers.cli import CommandError
from kiosk.config import ConfigError

__all__ = ["CommandError", "build_parser", "main"]

# Modules that add subcommands, in the order ``kiosk --help`` lists them.
COMMAND_MODULES = (
    "screens.cli",
    "drivers.cli",
    "kiosk.commands.config_check",
    "kiosk.queue.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kiosk",
        description="政务自助终端 — government service hall self-service kiosk",
    )
    parser.add_argument("--config", metavar="FILE",
                        help="site configuration file (TOML) overriding config/defaults.toml; "
                             "default: $KIOSK_CONFIG")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            # a missing dependency is an error; an area not yet built is skipped
            if not name.startswith(exc.name or "\0"):
                raise
            continue
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
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
    except DeviceError as exc:
        print(f"kiosk: {exc} ({exc.message_zh})", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
