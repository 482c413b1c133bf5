"""Validated files remembered across starts (``config.remembered``): read back only when the data
and the code that checked it are the same, never trusted when damaged or tampered with, and
never a way around a file's error."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from config.remembered import Remembered
from kiosk.catalogue import Window
from kiosk.config import ConfigError, load_config


def Made(value: int) -> Window:  # noqa: N802 (reads as the type it makes)
    """A result to remember: one of our own frozen dataclasses (only those are read back)."""
    return Window(f"W{value}", "窗口", "Window", "C01", "counter")


@pytest.fixture
def code(tmp_path: Path) -> Path:
    source = tmp_path / "models.py"
    source.write_text("# the models\n", encoding="utf-8")
    return source


def counting(value: int, calls: list[int]):  # type: ignore[no-untyped-def]
    def validate() -> Window:
        calls.append(value)
        return Made(value)
    return validate


def test_the_same_data_is_read_back_without_validating(tmp_path: Path, code: Path) -> None:
    calls: list[int] = []
    first = Remembered(tmp_path / "cache", [code]).get(Window, {"a": 1}, counting(1, calls))
    again = Remembered(tmp_path / "cache", [code]).get(Window, {"a": 1}, counting(1, calls))
    assert first == again == Made(1) and calls == [1]


def test_other_data_or_edited_code_validates_again(tmp_path: Path, code: Path) -> None:
    calls: list[int] = []
    Remembered(tmp_path, [code]).get(Window, {"a": 1}, counting(1, calls))
    assert Remembered(tmp_path, [code]).get(Window, {"a": 2}, counting(2, calls)) == Made(2)
    code.write_text("# the models, edited\n", encoding="utf-8")
    assert Remembered(tmp_path, [code]).get(Window, {"a": 2}, counting(3, calls)) == Made(3)
    assert calls == [1, 2, 3]


@pytest.mark.parametrize("damage", ["truncated", "empty", "not a pickle", "huge"])
def test_a_damaged_file_is_validated_again_and_replaced(tmp_path: Path, code: Path,
                                                        damage: str) -> None:
    calls: list[int] = []
    Remembered(tmp_path, [code]).get(Window, {"a": 1}, counting(1, calls))
    (path,) = tmp_path.glob("*.pickle")
    blob = path.read_bytes()
    path.write_bytes({"truncated": blob[: len(blob) // 2], "empty": b"",
                      "not a pickle": b"hello", "huge": b"\x80" * (2 << 20)}[damage])
    assert Remembered(tmp_path, [code]).get(Window, {"a": 1}, counting(1, calls)) == Made(1)
    assert calls == [1, 1]
    assert Remembered(tmp_path, [code]).get(Window, {"a": 1}, counting(1, calls)) == Made(1)
    assert calls == [1, 1]  # rewritten whole


def test_a_tampered_file_is_never_run(tmp_path: Path, code: Path) -> None:
    """Given a pickle that would call os.system, then it is refused and validated anew."""
    calls: list[int] = []
    remembered = Remembered(tmp_path, [code])
    remembered.get(Window, {"a": 1}, counting(1, calls))
    (path,) = tmp_path.glob("*.pickle")
    witness = tmp_path / "ran"

    class Evil:
        def __reduce__(self):  # type: ignore[no-untyped-def]
            return (os.system, (f"touch {witness}",))

    key, _ = pickle.loads(path.read_bytes())
    path.write_bytes(pickle.dumps((key, Evil())))
    assert remembered.get(Window, {"a": 1}, counting(1, calls)) == Made(1)
    assert not witness.exists() and calls == [1, 1]


def test_a_failed_validation_is_raised_and_nothing_is_kept(tmp_path: Path, code: Path) -> None:
    def refuse() -> Window:
        raise ValueError("no")

    with pytest.raises(ValueError):
        Remembered(tmp_path, [code]).get(Window, {"a": 1}, refuse)
    assert list(tmp_path.glob("*.pickle")) == []


def test_a_cache_that_cannot_be_written_still_gives_the_result(tmp_path: Path,
                                                               code: Path) -> None:
    """A read-only or full home: here the cache's place is taken by a file (root ignores a
    read-only folder)."""
    blocker = tmp_path / "cache"
    blocker.write_text("not a folder", encoding="utf-8")
    assert Remembered(blocker, [code]).get(Window, {}, lambda: Made(5)) == Made(5)


def test_a_site_file_made_wrong_after_a_good_start_is_still_refused(tmp_path: Path,
                                                                     code: Path) -> None:
    """Given a configuration remembered at one start, when the site file is edited to a wrong
    value, then the next start refuses it in one line, as without remembering."""
    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    remembered = Remembered(tmp_path / "cache", [code])
    good = load_config(site, remember=remembered)
    assert load_config(site, remember=remembered) == good == load_config(site)
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\nportrait = "yes"\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_config(site, remember=remembered)
    assert "kiosk.portrait" in str(refused.value)


START = """
import json, sys
from kiosk.config import load_config
from kiosk.startup import build_core, remembered_files
remember = remembered_files()
config = load_config(sys.argv[1], remember=remember)
core = build_core(config, simulate=True, remember=remember)
core.close()
print(json.dumps({"validated": sorted(m for m in ("kiosk.catalogue_file", "importlib.metadata",
                                                "tomllib") if m in sys.modules),
                  "config": repr(config), "items": len(core.catalogue.items),
                  "printer": repr(core.devices.get("printer").profile)}))
"""


def test_a_second_start_validates_nothing_and_builds_the_same_core(tmp_path: Path) -> None:
    """Given a kiosk started once, when it starts again with the same files, then no file is
    parsed (tomllib is not even loaded), neither the catalogue's models nor pydantic's schema
    builder (which imports importlib.metadata) are loaded before home, and the core is the
    same."""
    import json

    site = tmp_path / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "var"}"\n', encoding="utf-8")
    env = {"KIVY_NO_ARGS": "1", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYDANTIC_DISABLE_PLUGINS": "__all__"}

    def start() -> dict[str, object]:
        out = subprocess.run([sys.executable, "-c", START, str(site)], capture_output=True,
                             text=True, timeout=60, env=env, cwd=tmp_path)
        assert out.returncode == 0, out.stderr[-2000:]
        return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]

    first, second = start(), start()
    assert first["validated"] == ["importlib.metadata", "kiosk.catalogue_file", "tomllib"]
    assert second["validated"] == []
    assert {k: v for k, v in first.items() if k != "validated"} == \
        {k: v for k, v in second.items() if k != "validated"}
