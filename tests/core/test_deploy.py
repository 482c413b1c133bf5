"""The systemd units in deploy/: restart on failure, a watchdog the app feeds, start after the
display and the network, production mode (never --simulate), private files; and systemd's own
checker accepts them."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(DEPLOY / name, encoding="utf-8")
    return parser


def test_kiosk_unit_is_supervised_by_a_watchdog_in_production_mode():
    u = unit("kiosk.service")
    service = u["Service"]
    assert service["Type"] == "notify" and service["NotifyAccess"] == "main"
    assert service["Restart"] == "on-failure"
    assert 5 <= int(service["WatchdogSec"]) <= 60
    assert service["UMask"] == "0077"
    command = service["ExecStart"].split()
    assert command[-1] == "run" and "--simulate" not in command and "--xvfb" not in command
    after = u["Unit"]["After"].split()
    assert "graphical.target" in after and "network-online.target" in after
    assert u["Unit"]["StartLimitIntervalSec"] == "0"


def test_hall_server_unit_restarts_on_failure():
    u = unit("hall-server.service")
    assert u["Service"]["Restart"] == "on-failure"
    assert u["Service"]["ExecStart"].split()[1:3] == ["hall", "serve"]
    assert "network-online.target" in u["Unit"]["After"].split()


@pytest.mark.parametrize("name", ["kiosk.service", "hall-server.service"])
def test_systemd_accepts_the_unit(name, tmp_path):
    """``systemd-analyze verify`` on the unit, with ExecStart pointing at this checkout's
    command (the install path does not exist on the build machine)."""
    analyze = shutil.which("systemd-analyze")
    assert analyze, "systemd-analyze (package systemd) is needed to check the units"
    kiosk = Path(sys.executable).with_name("kiosk")
    text = (DEPLOY / name).read_text(encoding="utf-8").replace("/opt/kiosk/.venv/bin/kiosk",
                                                               str(kiosk))
    rendered = tmp_path / name
    rendered.write_text(text, encoding="utf-8")
    done = subprocess.run([analyze, "verify", str(rendered)], capture_output=True, text=True,
                          timeout=60, check=False)
    problems = [line for line in done.stderr.splitlines()
                if name in line and "user" not in line.lower()]
    assert done.returncode == 0 and not problems, done.stderr
