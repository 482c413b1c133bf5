"""Screen changes: every registered screen, against a bare Kivy ScreenManager in the same run.

Starts the real app (simulated devices) on its own Xvfb display the way a kiosk starts (home
first, the other screens loading one per frame behind it: ``bench/ui_harness.py``), waits for
that warm-up to finish, visits every screen once — the first visit, measured as the first
citizen after a start meets it — then switches home → screen N times per screen and
measures the switch itself (``app.go``) and the switch plus the first frame drawn (software
OpenGL on this machine: a full 1080×1920 frame costs tens of ms by itself). Each change follows
two frames on the screen it leaves, as a citizen's tap meets an idle screen, so it includes the
wait for Kivy's next frame (60 fps pacing). The baseline is a bare ScreenManager switching
between two empty screens and drawing a frame, in the same process and display, timed the same
way (``ui_harness.bare_baseline``). The same changes are then timed with the pacing off, as work
alone, and printed against the bare work for the record (no target: in software GL that ratio is
the cost of filling the window with what each screen draws). Targets (README figures): every
screen's switch + frame p99, first visit included, ≤ 2× the bare ScreenManager's p99 and
≤ 100 ms; a full garbage collection (it runs on the UI thread) ≤ 100 ms. Exits 1 when a target
is missed; the display and the temporary folder are removed in every case.

    .venv/bin/python bench/bench_screens.py [ROUNDS]
"""

from __future__ import annotations

import gc
import statistics
import sys
import time

from ui_harness import RunningApp, percentile, running_app  # bench/ is on sys.path

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
TARGET_MS = 100.0
TARGET_RATIO = 2.0


def _collection_ms() -> float:
    """The slowest of three full collections, in ms."""
    times = []
    for _ in range(3):
        started = time.perf_counter()
        gc.collect()
        times.append((time.perf_counter() - started) * 1000)
    return max(times)


def main() -> int:
    with running_app("bench-screens-") as run:
        return measure(run)


def measure(run: RunningApp) -> int:
    from screens.registry import SCREENS

    app, frames = run.app, run.frames

    def visit(name: str) -> tuple[float, float]:
        """(switch ms, switch + first frame ms) of one change to ``name``, entered from home
        (home itself from the help screen) after two frames there, as a tap meets an idle
        screen (``ui_harness.bare_baseline`` times its changes the same way)."""
        app.go("help" if name == "home" else "home")
        frames(2)
        started = time.perf_counter()
        app.go(name)
        switch = (time.perf_counter() - started) * 1000
        frames(1)
        return switch, (time.perf_counter() - started) * 1000

    run.settle()  # home is up and the app's warm-up has loaded the other screens behind it
    first: dict[str, tuple[float, float]] = {}
    for name in SCREENS:  # first visits, as a citizen meets them: measured, not discarded
        first[name] = visit(name)
        frames(1)

    rows: list[tuple[str, list[float], list[float]]] = []
    for name in SCREENS:
        changes = [first[name], *(visit(name) for _ in range(ROUNDS))]
        rows.append((name, [s for s, _ in changes], [d for _, d in changes]))

    with run.unpaced():  # the same changes with the frame pacing off
        work = {name: [visit(name)[1] for _ in range(ROUNDS)] for name in SCREENS}

    # A full garbage collection runs on the UI thread whenever Python decides: the app freezes
    # what its warm-up built (KioskApp._freeze_heap); measured against the same collection
    # with the heap unfrozen, in the same process.
    frozen_ms = _collection_ms()
    gc.unfreeze()
    unfrozen_ms = _collection_ms()
    gc.freeze()

    # baseline: a bare ScreenManager with two empty screens, same window, same display, same
    # timing (it takes the app's root off the window: last)
    base_drawn = run.bare_baseline(ROUNDS * 5)
    with run.unpaced():
        base_work = run.bare_baseline(ROUNDS * 5)
    b_drawn, b99 = statistics.median(base_drawn), percentile(base_drawn, 0.99)
    w99 = percentile(base_work, 0.99)
    print(f"baseline bare ScreenManager: switch + frame p50 {b_drawn:.1f} ms, p99 {b99:.1f} ms; "
          f"work alone (pacing off) p50 {statistics.median(base_work):.1f} ms, p99 {w99:.1f} ms")
    print(f"{'screen':20s} {'first':>7s} {'switch p50':>10s} {'p99':>7s} {'+frame p50':>11s} "
          f"{'p99':>7s} {'p99/bare':>9s} {'work p99':>9s} {'/bare':>6s}")
    worst, worst_ratio, worst_work = 0.0, 0.0, 0.0
    for name, switch, drawn in rows:
        d50, d99 = statistics.median(drawn), percentile(drawn, 0.99)
        k99 = percentile(work[name], 0.99)
        worst, worst_ratio = max(worst, d99), max(worst_ratio, d99 / b99)
        worst_work = max(worst_work, k99 / w99)
        print(f"{name:20s} {first[name][1]:6.1f}  {statistics.median(switch):9.2f}  "
              f"{percentile(switch, 0.99):6.2f} {d50:10.1f}  {d99:6.1f} {d99 / b99:8.2f}x "
              f"{k99:8.1f} {k99 / w99:5.2f}x")
    print(f"full garbage collection on the UI thread: {frozen_ms:.1f} ms with the warm-up's "
          f"objects frozen, {unfrozen_ms:.1f} ms without; target ≤ {TARGET_MS:.0f} ms: "
          f"{'met' if frozen_ms <= TARGET_MS else 'NOT met'}")
    print(f"work alone, for the record (no target): worst screen p99 {worst_work:.2f}x the bare "
          f"ScreenManager's work")
    ok = worst <= TARGET_MS and worst_ratio <= TARGET_RATIO and frozen_ms <= TARGET_MS
    print(f"worst switch + first frame p99 (first visits included): {worst:.1f} ms, "
          f"{worst_ratio:.2f}x the bare ScreenManager; targets ≤ {TARGET_MS:.0f} ms and "
          f"≤ {TARGET_RATIO:.0f}x: {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
