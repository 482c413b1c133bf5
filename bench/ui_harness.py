"""What the screen benchmarks share: the real app on its own Xvfb display, its frames, and the
bare ScreenManager baseline drawn in the same window.

The app is started with the window settings ``kiosk run`` uses (``screens.cli.configure_window``:
1080×1920, no multisampling), on simulated devices and a throwaway data folder; the display and
the folder are removed in every case. A change is timed from the call that makes it to the end
of the first frame drawn after it (``timed``), as a citizen would meet it. The baseline is a
bare Kivy ScreenManager switching between two empty screens in the same window and process, timed
the same way: each change follows two frames on the screen it leaves, so both wait the same part
of Kivy's 60 fps frame pacing (a change made right after a drawn frame waits less of it: that is
how the baseline was timed until 2026-12, which flattered it by ~12 ms at p50). ``unpaced`` turns
the pacing off, to read the work of a change alone.

    with running_app("bench-screens-") as run:
        ms = run.timed(lambda: run.app.go("help"))
        base = run.bare_baseline(50)  # late: it takes the app's root off the window
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class RunningApp:
    app: Any  # screens.app.KioskApp
    ctx: Any  # kiosk.context.KioskContext
    _bare: Any = None  # the baseline's ScreenManager, once made

    def frames(self, n: int = 1) -> None:
        from kivy.base import EventLoop

        for _ in range(n):
            EventLoop.idle()

    def settle(self, limit_s: float = 60.0) -> None:
        """Frames until the app's start-up warm-up is done (``KioskApp.warmed``: every screen
        built behind home, the word dictionary loaded, every screen's text drawn) then half a
        second more: a first visit is measured as the first citizen after a start meets it, not
        in the middle of the start itself."""
        deadline = time.monotonic() + limit_s
        while not self.app.warmed():
            if time.monotonic() > deadline:
                raise SystemExit(f"the app's warm-up did not finish within {limit_s:g} s")
            self.frames(1)
        self.frames(30)

    def timed(self, step: Callable[[], object]) -> float:
        """Milliseconds from ``step`` to the end of the first frame drawn after it."""
        started = time.perf_counter()
        step()
        self.frames(1)
        return (time.perf_counter() - started) * 1000

    def bare_baseline(self, changes: int) -> list[float]:
        """``changes`` switches of a bare ScreenManager between two empty screens, each timed
        like a screen's change (two frames on the screen it leaves first), in the app's window.
        The first call takes the app's own root off the window; the app is not drawn again."""
        from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

        window = self.app.root_window
        if self._bare is None:
            window.remove_widget(self.app.root)
            self._bare = ScreenManager(transition=NoTransition())
            self._bare.add_widget(Screen(name="a"))
            self._bare.add_widget(Screen(name="b"))
            window.add_widget(self._bare)
        bare = self._bare

        def change() -> float:
            bare.current = "a"
            self.frames(2)
            return self.timed(lambda: setattr(bare, "current", "b"))

        return [change() for _ in range(changes)]

    @contextmanager
    def unpaced(self) -> Iterator[None]:
        """Kivy's frame pacing off (``Clock._max_fps``): a frame starts as soon as it is asked
        for, so a change is timed as its own work, without the wait for the next frame."""
        from kivy.clock import Clock

        saved, Clock._max_fps = Clock._max_fps, 0
        try:
            yield
        finally:
            Clock._max_fps = saved


@contextmanager
def running_app(prefix: str) -> Iterator[RunningApp]:
    from pyvirtualdisplay import Display

    tmp = Path(tempfile.mkdtemp(prefix=prefix))
    display = Display(size=(1080, 1920), color_depth=24, manage_global_env=False)
    display.start()
    try:
        os.environ.update(DISPLAY=display.new_display_var, KIVY_NO_ARGS="1",
                          KIVY_HOME=str(tmp / "kivy"), KIVY_LOG_MODE="PYTHON")
        site = tmp / "site.toml"
        site.write_text(f'[kiosk]\ndata_dir = "{tmp / "var"}"\n', encoding="utf-8")
        from screens.cli import configure_window

        configure_window(1080, 1920)  # what `kiosk run` uses; the bare baseline shares it
        from kivy.base import runTouchApp

        from kiosk.config import load_config
        from kiosk.context import build_context
        from screens.app import KioskApp, ui_dispatch

        ctx = build_context(load_config(site), simulate=True, dispatch=ui_dispatch)
        app = KioskApp(ctx)
        app._run_prepare()  # builds, opens the window, starts the devices
        runTouchApp(embedded=True)
        try:
            yield RunningApp(app, ctx)
        finally:
            app.stop()  # closes the context
    finally:
        display.stop()
        shutil.rmtree(tmp, ignore_errors=True)
