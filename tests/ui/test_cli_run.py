"""``kiosk run`` refuses a broken configuration before any window opens."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_broken_config_exits_non_zero_naming_file_and_key(tmp_path: Path) -> None:
    """Given a site file with a wrong type, when ``kiosk run --simulate`` starts, then it exits
    non-zero with one line naming the file and the key, and never reaches Kivy."""
    site = tmp_path / "site.toml"
    site.write_text('[timeouts]\nidle_seconds = "soon"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "KIOSK_CONFIG")}
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(site), "run",
                             "--simulate"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, timeout=60)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(site) in lines[0] and "timeouts.idle_seconds" in lines[0]
    assert "Kivy" not in result.stderr and "xvfb" not in result.stderr


def test_size_option_is_checked(tmp_path: Path) -> None:
    """Given a malformed --size, when parsed, then argparse rejects it with the expected form."""
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "run", "--size", "big"],
                            capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert "WIDTHxHEIGHT" in result.stderr
