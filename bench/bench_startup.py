"""Cold start to home, against a bare Kivy app, under one Xvfb display.

Spawns ``kiosk run --simulate`` with KIOSK_STARTUP_PROBE=1 and a baseline script that shows one
Label in a window of the kiosk's size (1080×1920 portrait: its buffers are a third of a bare
app's memory) and prints a stamp on its first frame. The kiosk prints two stamps: home drawn
(its first frame: tiles, status and clock on screen, a tap is taken — on a tile before the
journeys are built it is held, 正在启动, and followed) and ready (the database opened and
migrated, every journey built, the devices started: ``kiosk.startup``), then exits. Each program
is run RUNS times, interleaved; the medians of the times and of the peak resident memory (the
child's ``ru_maxrss`` from ``wait4``: everything allocated up to ready) are printed with their
ratios. Targets (README figures): home drawn ≤ 2× and memory ≤ 1.5× the bare app in the same
run; ready ≤ 4× (a guard: it was 3.6–4.4× when the whole kiosk was built before the window).
Exits 1 when one is missed; the temporary folder is removed in every case.

    .venv/bin/python bench/bench_startup.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TIME_RATIO = 2.0
READY_RATIO = 4.0
MEMORY_RATIO = 1.5
STAMP = "KIOSK_HOME_DRAWN"
READY = "KIOSK_READY"

BASELINE = f'''
import time
from kivy.config import Config
Config.set("graphics", "width", "1080")  # the kiosk's own portrait window: same framebuffers
Config.set("graphics", "height", "1920")
Config.set("graphics", "multisamples", "0")  # and the same sampling as screens.cli sets
from kivy.app import App
from kivy.core.window import Window
from kivy.uix.label import Label

class Bare(App):
    def build(self):
        Window.bind(on_flip=self.first)
        return Label(text="hello")

    def first(self, *_):
        Window.unbind(on_flip=self.first)
        print("{STAMP}", f"{{time.time():.6f}}", flush=True)
        self.stop()

Bare().run()
'''


def run_once(cmd: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, float]:
    """(seconds to the first stamp, to the ready stamp — the first again when there is
    none —, peak RSS in MiB) of one run of ``cmd``."""
    out_path, err_path = cwd / "stdout.txt", cwd / "stderr.txt"
    with out_path.open("w") as out, err_path.open("w") as err:
        started = time.time()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        deadline = time.monotonic() + 120
        while True:  # wait4 (not Popen.wait) so the child's own rusage is ours to read
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                proc.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise RuntimeError(f"{cmd[0]} did not finish within 120 s")
            time.sleep(0.01)  # polling a child process: there is no event to wait on
    stamps = {line.split()[0]: float(line.split()[1]) - started
              for line in out_path.read_text().splitlines()
              if line.startswith((STAMP, READY)) and len(line.split()) == 2}
    if STAMP in stamps:
        return stamps[STAMP], stamps.get(READY, stamps[STAMP]), usage.ru_maxrss / 1024
    raise RuntimeError(f"{cmd[0]} exited {proc.returncode} without a stamp:\n"
                       f"{err_path.read_text()[-2000:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    from pyvirtualdisplay import Display

    python = sys.executable
    kiosk = str(Path(python).with_name("kiosk"))
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as tmp, \
            Display(size=(1080, 1920), color_depth=24, manage_global_env=False) as display:
        root = Path(tmp)
        site = root / "site.toml"
        site.write_text(f'[kiosk]\ndata_dir = "{root / "var"}"\n', encoding="utf-8")
        (root / "baseline.py").write_text(BASELINE, encoding="utf-8")
        env = dict(os.environ, DISPLAY=display.new_display_var, KIVY_NO_ARGS="1",
                   KIVY_HOME=str(root / "kivy-baseline"), KIVY_LOG_MODE="PYTHON",
                   KIOSK_STARTUP_PROBE="1")
        env.pop("KIOSK_CONFIG", None)
        kiosk_env = {k: v for k, v in env.items() if k != "KIVY_HOME"}
        kiosk_cmd = [kiosk, "--config", str(site), "run", "--simulate"]
        base_cmd = [python, str(root / "baseline.py")]
        # one warm-up each: the first run pays for Kivy's config file and the OS page cache
        run_once(base_cmd, env, root)
        run_once(kiosk_cmd, kiosk_env, root)
        bare: list[tuple[float, float, float]] = []
        full: list[tuple[float, float, float]] = []
        for _ in range(args.runs):  # interleaved so drift in machine load hits both alike
            bare.append(run_once(base_cmd, env, root))
            full.append(run_once(kiosk_cmd, kiosk_env, root))
    bt = statistics.median(t for t, _, _ in bare)
    kt = statistics.median(t for t, _, _ in full)
    kr = statistics.median(r for _, r, _ in full)
    bm = statistics.median(m for _, _, m in bare)
    km = statistics.median(m for _, _, m in full)
    time_ok, ready_ok = kt <= TIME_RATIO * bt, kr <= READY_RATIO * bt
    memory_ok = km <= MEMORY_RATIO * bm
    print(f"bare Kivy Label, first frame : median {bt:.3f} s, {bm:.0f} MiB  "
          f"(runs: {', '.join(f'{t:.2f}' for t, _, _ in bare)})")
    print(f"kiosk run --simulate, home   : median {kt:.3f} s  "
          f"(runs: {', '.join(f'{t:.2f}' for t, _, _ in full)})")
    print(f"kiosk run --simulate, ready  : median {kr:.3f} s, {km:.0f} MiB  "
          f"(runs: {', '.join(f'{r:.2f}' for _, r, _ in full)})")
    print(f"home drawn / bare : {kt / bt:.2f}x  target ≤ {TIME_RATIO:.1f}x: "
          f"{'met' if time_ok else 'NOT met'}")
    print(f"ready      / bare : {kr / bt:.2f}x  target ≤ {READY_RATIO:.1f}x: "
          f"{'met' if ready_ok else 'NOT met'}")
    print(f"memory     / bare : {km / bm:.2f}x  target ≤ {MEMORY_RATIO:.1f}x: "
          f"{'met' if memory_ok else 'NOT met'}")
    return 0 if time_ok and ready_ok and memory_ok else 1


if __name__ == "__main__":
    sys.exit(main())
