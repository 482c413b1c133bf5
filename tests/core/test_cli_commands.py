"""How ``kiosk`` finds its commands: every layer's through the entry-point group, ``run``
without scanning installed packages (it is on the path to home after every restart)."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points

from kiosk.cli import ENTRY_POINT_GROUP, HELP_ORDER, RUN_COMMAND, build_parser


def test_the_run_shortcut_names_the_same_target_as_the_installed_entry_point() -> None:
    installed = {ep.name: ep.value for ep in entry_points(group=ENTRY_POINT_GROUP)}
    assert installed[RUN_COMMAND[0]] == RUN_COMMAND[1]


def test_kiosk_run_is_parsed_without_importing_importlib_metadata() -> None:
    probe = ("import sys; from kiosk.cli import build_parser; "
             "args = build_parser(['run', '--simulate']).parse_args(['run', '--simulate']); "
             "print(args.command, args.simulate, 'importlib.metadata' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["run", "True", "False"]


def test_help_still_lists_every_registered_command() -> None:
    text = build_parser(["--help"]).format_help()
    for name in {ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)} | set(HELP_ORDER):
        assert name in text
