"""Cold start to an interactive home screen, against a bare Kivy app, under one Xvfb display.

Spawns ``kiosk run --simulate`` with KIOSK_STARTUP_PROBE=1 (the app prints a wall-clock stamp on
the first frame after the home screen is built and the devices are started, then exits) and a
baseline script that shows one Label and prints the same stamp. Each is run RUNS times; the
medians and their ratio are printed. Target (DESIGN.md): kiosk ≤ 3 s.

    .venv/bin/python bench/bench_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 5
TARGET_S = 3.0
STAMP = "KIOSK_HOME_INTERACTIVE"

BASELINE = f'''
import time
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


def run_once(cmd: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.time()
    out = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith(STAMP):
            return float(line.split()[1]) - started
    raise RuntimeError(f"{cmd[0]} exited {out.returncode} without a stamp:\n{out.stderr[-2000:]}")


def main() -> int:
    from pyvirtualdisplay import Display

    python = sys.executable
    kiosk = str(Path(python).with_name("kiosk"))
    with tempfile.TemporaryDirectory() as tmp, \
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
        bare, full = [], []
        for _ in range(RUNS):  # interleaved so drift in machine load hits both alike
            bare.append(run_once(base_cmd, env, root))
            full.append(run_once(kiosk_cmd, kiosk_env, root))
    b, k = statistics.median(bare), statistics.median(full)
    print(f"bare Kivy Label   : median {b:.3f} s  (runs: {', '.join(f'{x:.2f}' for x in bare)})")
    print(f"kiosk run --simulate: median {k:.3f} s  (runs: {', '.join(f'{x:.2f}' for x in full)})")
    print(f"ratio kiosk / bare : {k / b:.2f}x   target ≤ {TARGET_S:.1f} s: "
          f"{'met' if k <= TARGET_S else 'NOT met'}")
    return 0 if k <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
