"""The site-file writer behind maintenance changes: merged into the site file, validated by
the loader (a bad value refused, nothing written), the old file kept as .bak, and a kill -9 at
every step or at a random moment leaving the old or the new file, never a broken one."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from config.loader import ConfigError
from config.writer import STEPS, merged, parses, update_site_file

ROOT = Path(__file__).resolve().parents[2]
# a long comment makes the file big enough that a torn write would show
OLD = ('# site file\n[kiosk]\nid = "K07"\n\n[devices.printer]\nport = "/dev/usb/lp0"\n'
       + "".join(f"# padding line {i:05d} " + "x" * 60 + "\n" for i in range(2000)))


@pytest.fixture
def site(tmp_path: Path) -> Path:
    path = tmp_path / "site.toml"
    path.write_text(OLD, "utf-8")
    return path


def test_merged_sets_dotted_keys_without_touching_the_rest() -> None:
    """Given a site table, when dotted keys are set, then only those change."""
    base = {"kiosk": {"id": "K07"}, "devices": {"printer": {"port": "a"}}}
    out = merged(base, {"devices.printer.port": "b", "devices.printer.settings.encoding": "gbk",
                        "devices.idcard.baud": 9600})
    assert out == {"kiosk": {"id": "K07"}, "devices": {
        "printer": {"port": "b", "settings": {"encoding": "gbk"}}, "idcard": {"baud": 9600}}}
    assert base["devices"]["printer"]["port"] == "a"  # a copy


def test_a_valid_change_is_written_and_the_old_file_kept(site: Path) -> None:
    """Given a site file, when the printer's port changes, then the file holds it, the loader
    returns it, and <file>.bak is the old file byte for byte."""
    config = update_site_file(site, {"devices.printer.port": "/dev/usb/lp1"})
    assert config.devices.printer.port == "/dev/usb/lp1" and config.kiosk.id == "K07"
    assert tomllib.loads(site.read_text("utf-8"))["devices"]["printer"]["port"] == "/dev/usb/lp1"
    assert site.with_name("site.toml.bak").read_text("utf-8") == OLD
    assert [p.name for p in site.parent.iterdir() if p.name.endswith(".tmp")] == []


@pytest.mark.parametrize(("key", "value", "words"), [
    ("devices.printer.baud", "fast", "devices.printer.baud: found 'fast' (string), expected"),
    ("devices.locker.driver", "kerong", "devices.locker.settings.doors: found 24"),
    ("devices.idcard.timeout", float("inf"), "devices.idcard.timeout: found inf"),
])
def test_a_bad_value_is_refused_with_the_loaders_line_and_nothing_written(
        site: Path, key: str, value: object, words: str) -> None:
    """Given a bad value, when written, then ConfigError names the site file and key, the file
    is unchanged, no backup is made and no temporary file is left."""
    with pytest.raises(ConfigError) as caught:
        update_site_file(site, {key: value})
    assert str(caught.value).startswith(f"{site}: ") and words in str(caught.value)
    assert site.read_text("utf-8") == OLD
    assert sorted(p.name for p in site.parent.iterdir()) == ["site.toml"]


def test_a_refusal_before_writing_leaves_everything(site: Path) -> None:
    """Given a check that refuses the new settings (a driver that cannot be built), then the
    file is unchanged and no backup appears."""
    def refuse(_config: object) -> None:
        raise RuntimeError("no such USB printer")

    with pytest.raises(RuntimeError):
        update_site_file(site, {"devices.printer.port": "x"}, before_write=refuse)
    assert site.read_text("utf-8") == OLD and not site.with_name("site.toml.bak").exists()


def _child(site: Path, step: str, port: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "tests.core.maint_writer_child", str(site),
                             step, port], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _port_of(site: Path) -> str:
    return str(tomllib.loads(site.read_text("utf-8"))["devices"]["printer"]["port"])


@pytest.mark.parametrize("step", [s for s in STEPS if s != "done"])
def test_kill_9_between_steps_leaves_the_old_or_the_new_file(site: Path, step: str) -> None:
    """Given a child process rewriting the site file, when it is killed -9 at each step, then
    the site file parses and is the old one (before the rename) or the new one (after)."""
    child = _child(site, step, "/dev/usb/lp9")
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "ready"
    assert child.stdout.readline().strip() == f"AT {step}"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=10)
    assert parses(site)
    expected = "/dev/usb/lp9" if step == "replaced" else "/dev/usb/lp0"
    assert _port_of(site) == expected
    if step in ("read", "temp_written", "validated"):
        assert site.read_text("utf-8") == OLD


def test_kill_9_at_random_moments_never_leaves_a_broken_file(site: Path) -> None:
    """Given a child rewriting the site file in a loop (two ports in turn), when it is killed
    -9 after random delays, then every time the file parses and holds one of the two."""
    rng = random.Random(11)
    for round_ in range(6):
        child = _child(site, "any", f"/dev/usb/lp{round_ % 2}")
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=rng.uniform(0.0, 0.15))
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        assert parses(site), f"round {round_}: broken site file"
        assert _port_of(site) in ("/dev/usb/lp0", "/dev/usb/lp1")
