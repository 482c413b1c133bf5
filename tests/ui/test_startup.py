"""Two-step start (``kiosk.startup``): home is drawn before the database is opened, a tap made
before the journeys exist is held and followed, and a database that cannot be opened still ends
``kiosk run`` with one line and the database's exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def display_env() -> Iterator[dict[str, str]]:
    from pyvirtualdisplay import Display

    with Display(size=(1080, 1920), color_depth=24, manage_global_env=False) as display:
        env = {k: v for k, v in os.environ.items() if k not in ("KIOSK_CONFIG", "KIVY_HOME")}
        env.update(DISPLAY=display.new_display_var, KIVY_NO_ARGS="1", KIVY_LOG_MODE="PYTHON")
        yield env


def site_file(tmp_path: Path, extra: str = "") -> Path:
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\n{extra}', encoding="utf-8")
    return site


def test_a_tap_before_the_journeys_exist_is_held_then_followed(
        tmp_path: Path, display_env: dict[str, str]) -> None:
    out = subprocess.run([sys.executable, str(HERE / "startup_child.py"), str(site_file(tmp_path))],
                         capture_output=True, text=True, env=display_env, cwd=tmp_path,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    report = json.loads(out.stdout.strip().splitlines()[-1])
    # no database code before home was drawn, and no PIL: Kivy reads images through SDL2
    assert report["loaded_at_first_frame"] == []
    assert report["ready_at_first_frame"] is False
    assert report["tile_enabled"] is True  # 取号 is offered, not greyed out, while starting
    assert report["screen_after_tap"] == "home"
    assert report["toast_after_tap"] == "正在启动，请稍候…"
    assert report["screen_when_ready"] == "queue"  # followed as soon as it could be


def test_kiosk_run_draws_home_then_gets_ready(tmp_path: Path,
                                              display_env: dict[str, str]) -> None:
    env = dict(display_env, KIOSK_STARTUP_PROBE="1")
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(site_file(tmp_path)),
                          "run", "--simulate"], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    stamps = dict(line.split() for line in out.stdout.splitlines()
                  if line.startswith(("KIOSK_HOME_DRAWN", "KIOSK_READY")))
    assert float(stamps["KIOSK_HOME_DRAWN"]) <= float(stamps["KIOSK_READY"])
    assert (tmp_path / "var" / "kiosk.sqlite3").exists()  # the database was opened behind home


def test_a_database_that_cannot_be_opened_ends_kiosk_run_in_one_line(
        tmp_path: Path, display_env: dict[str, str]) -> None:
    """Nothing listens on port 1: the connection is refused once home is drawn; the kiosk ends
    (a supervisor restarts it) with the database's one line and exit code, as before."""
    site = site_file(tmp_path, 'database = "postgresql://kiosk@127.0.0.1:1/hall"\n')
    out = subprocess.run([sys.executable, "-m", "kiosk.cli", "--config", str(site), "run",
                          "--simulate"], capture_output=True, text=True, env=display_env,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 4, out.stderr[-3000:]
    last = out.stderr.strip().splitlines()[-1]  # before it: the first start's notices
    assert last.startswith("kiosk: the database cannot be used: the database cannot be "
                           "reached"), out.stderr
    assert "Traceback" not in out.stderr
