"""Screen changes: every registered screen, against a bare Kivy ScreenManager in the same run.

Starts the real app (simulated devices) on its own Xvfb display, lets every screen load, then
switches home → screen N times per screen and measures the switch itself (``app.go``) and the
switch plus the first frame drawn (software OpenGL on this machine: a full 1080×1920 frame costs
tens of ms by itself). The baseline is a bare ScreenManager switching between two empty screens
and drawing a frame, in the same process and display. Target (DESIGN.md): any screen change
≤ 100 ms.

    .venv/bin/python bench/bench_screens.py [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TARGET_MS = 100.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    from pyvirtualdisplay import Display

    tmp = Path(tempfile.mkdtemp(prefix="bench-screens-"))
    display = Display(size=(1080, 1920), color_depth=24, manage_global_env=False)
    display.start()
    os.environ.update(DISPLAY=display.new_display_var, KIVY_NO_ARGS="1",
                      KIVY_HOME=str(tmp / "kivy"), KIVY_LOG_MODE="PYTHON")
    site = tmp / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{tmp / "var"}"\n', encoding="utf-8")
    from kivy.config import Config

    Config.set("graphics", "width", "1080")
    Config.set("graphics", "height", "1920")
    from kivy.base import EventLoop, runTouchApp
    from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

    from kiosk.config import load_config
    from kiosk.context import build_context
    from screens.app import KioskApp, ui_dispatch
    from screens.registry import SCREENS

    ctx = build_context(load_config(site), simulate=True, dispatch=ui_dispatch)
    app = KioskApp(ctx)
    app._run_prepare()
    runTouchApp(embedded=True)

    def frames(n: int = 1) -> None:
        for _ in range(n):
            EventLoop.idle()

    frames(30)
    for name in SCREENS:  # first visit loads the module and .kv: not what is measured here
        app.go(name)
        frames(2)
        app.go_home()
        frames(2)

    rows: list[tuple[str, list[float], list[float]]] = []
    for name in SCREENS:
        # every screen is entered from home; home itself is entered from the help screen
        origin = "help" if name == "home" else "home"
        switch, drawn = [], []
        for _ in range(ROUNDS):
            app.go(origin)
            frames(2)
            started = time.perf_counter()
            app.go(name)
            switch.append((time.perf_counter() - started) * 1000)
            frames(1)
            drawn.append((time.perf_counter() - started) * 1000)
        rows.append((name, switch, drawn))

    # baseline: a bare ScreenManager with two empty screens, same window, same display
    app.root_window.remove_widget(app.root)
    bare = ScreenManager(transition=NoTransition())
    bare.add_widget(Screen(name="a"))
    bare.add_widget(Screen(name="b"))
    app.root_window.add_widget(bare)
    base_switch, base_drawn = [], []
    for i in range(ROUNDS * 5):
        started = time.perf_counter()
        bare.current = "b" if i % 2 == 0 else "a"
        base_switch.append((time.perf_counter() - started) * 1000)
        frames(1)
        base_drawn.append((time.perf_counter() - started) * 1000)
    b_switch, b_drawn = statistics.median(base_switch), statistics.median(base_drawn)
    print(f"baseline bare ScreenManager: switch p50 {b_switch:.2f} ms, "
          f"switch + frame p50 {b_drawn:.1f} ms")
    print(f"{'screen':20s} {'switch p50':>10s} {'p99':>7s} {'+frame p50':>11s} {'p99':>7s} "
          f"{'ratio':>6s}")
    worst = 0.0
    for name, switch, drawn in rows:
        d50, d99 = statistics.median(drawn), percentile(drawn, 0.99)
        worst = max(worst, d99)
        print(f"{name:20s} {statistics.median(switch):9.2f}  {percentile(switch, 0.99):6.2f} "
              f"{d50:10.1f}  {d99:6.1f} {d50 / b_drawn:5.2f}x")
    print(f"worst switch + first frame p99: {worst:.1f} ms   target ≤ {TARGET_MS:.0f} ms: "
          f"{'met' if worst <= TARGET_MS else 'NOT met'}")
    app.stop()
    display.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
