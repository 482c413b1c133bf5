"""python-escpos's capability cache, shared between processes, is never read half-written.

The first CI run on a clean machine failed at collection: two test workers imported
python-escpos at once, one created the pickle and the other read it while still empty
(``EOFError: Ran out of input``). The kiosk and a technician's ``kiosk`` command starting
together on a fresh kiosk would do the same.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

from drivers.printer import warm_capabilities

ROOT = Path(__file__).resolve().parents[2]
IMPORT = (
    "import drivers.printer, escpos.capabilities as c; "
    "assert c.CAPABILITIES['profiles']['default']"
)


def _start(cache: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "ESCPOS_CAPABILITIES_PICKLE_DIR": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-c", IMPORT], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def test_processes_starting_together_on_an_empty_cache_all_load_the_capabilities(
    tmp_path: Path,
) -> None:
    # Six at once reproduced the EOFError on every trial before the fix.
    for trial in range(2):
        cache = tmp_path / f"cache{trial}"
        cache.mkdir()
        children = [_start(cache) for _ in range(6)]
        for child in children:
            _, err = child.communicate(timeout=120)
            assert child.returncode == 0, err.strip().splitlines()[-1:]
        assert [p.name for p in cache.iterdir()] == [
            next(cache.glob("*.capabilities.pickle")).name
        ], "no temporary files are left behind"


def test_an_empty_or_stale_pickle_is_replaced_whole(tmp_path: Path) -> None:
    target = warm_capabilities(tmp_path)
    assert target is not None
    good = target.read_bytes()
    assert pickle.loads(good)["profiles"]

    target.write_bytes(b"")  # what a process killed mid-write by python-escpos leaves
    assert warm_capabilities(tmp_path) == target
    assert target.read_bytes() == good

    target.write_bytes(b"stale")
    old = time.time() - 10 * 365 * 86400
    os.utime(target, (old, old))  # older than the database: python-escpos would rebuild it
    warm_capabilities(tmp_path)
    assert target.read_bytes() == good


def test_a_current_pickle_is_left_alone(tmp_path: Path) -> None:
    target = warm_capabilities(tmp_path)
    assert target is not None
    stamp = target.stat().st_mtime_ns
    assert warm_capabilities(tmp_path) == target
    assert target.stat().st_mtime_ns == stamp
