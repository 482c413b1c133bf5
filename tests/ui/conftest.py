"""The real kiosk app under a virtual X display, driven by touches, for the UI tests.

One app per test session (Kivy has one window per process); each test starts from a clean home
screen with healthy simulated devices. The session runs on its own 1920x1920 Xvfb display so both
the portrait (1080x1920) and landscape (1920x1080) windows are fully on screen — pytest-xvfb's
default screen is 800x600, and pixels off the screen are undefined in screenshots. Time for the
idle timeout and the error page comes from a fake monotonic clock the tests advance, hall time
from the context's one ``ManualClock`` (a weekday at 10:00 unless a test moves it); device
events come from the real device threads polling the simulators, waited for with a deadline.
Kivy is imported only inside the fixtures, after the environment is set.

Frames are run without being drawn once the app is up: layout, touches, texts and textures are
all worked out on the event loop, and rendering 1080x1920 in software (Mesa's llvmpipe under
Xvfb) was most of a UI test's time (~80 ms a frame on a loaded 2-core machine, a bare window
~15 ms). Whatever reads pixels (``Kiosk.screenshot``, ``Kiosk.draw`` before a helper reads the
frame buffer itself) renders the current frame first, so every screenshot shows the app as it is.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
PORTRAIT = (1080, 1920)
LANDSCAPE = (1920, 1080)


# Monday 1 June 2026, 10:00 in the hall: every weekday service is open.
HALL_DEFAULT_TIME = datetime(2026, 6, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FRAME_RATE = 20.0  # frames a second once frames are no longer drawn (see Kiosk.stop_drawing)
SCROLLVIEW_RELEASE_S = 0.25  # Kivy's deferred release (0.2 s) and a margin


class FakeMonotonic:
    """Stands in for ``time.monotonic`` inside the app; tests move it forward."""

    def __init__(self, start: float = 10_000.0) -> None:
        self.t = start

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


class Kiosk:
    """Handle on the running app with the verbs a UI test needs."""

    def __init__(self, app: Any, clock: FakeMonotonic) -> None:
        self.app = app
        self.clock = clock
        self.ctx = app.ctx
        self._drawing = True  # until ``stop_drawing``: the app's first frame is drawn

    # ---- drawing ----------------------------------------------------------------------------
    def stop_drawing(self) -> None:
        """From now on a frame is run without rendering it, except in ``draw``: a handler bound
        last runs first and, returning True, keeps the window's own on_draw/on_flip (render,
        swap) from running."""
        from kivy.clock import Clock
        from kivy.core.window import Window

        Window.fbind("on_draw", self._skip_unless_drawing)
        Window.fbind("on_flip", self._skip_unless_drawing)
        self._drawing = False
        # An undrawn frame takes a millisecond; Kivy's frame cap then sleeps the rest. Capped at
        # FRAME_RATE, a frame still lasts about as long as a drawn one on a loaded machine, so
        # the real time between a test's frames (device threads, Kivy's 0.2 s ScrollView
        # release, scroll effects) is no shorter than the drawn harness gave: only the CPU the
        # rendering took is freed for the other workers. (Uncapped, two layout-rule and rating
        # checks caught scroll views mid-movement.)
        Clock._max_fps = FRAME_RATE

    def _skip_unless_drawing(self, *_: object) -> bool:
        return not self._drawing

    def draw(self) -> None:
        """Render the window as it is now into the frame buffer (before reading pixels).

        Twice: a frame ends with a buffer swap, and pixels are read from the buffer the swap
        handed back, which holds whatever was drawn the time before (another screen, another
        window size, long ago when frames go undrawn). Two frames leave the current window in
        both buffers."""
        from kivy.base import EventLoop
        from kivy.core.window import Window

        drawing, self._drawing = self._drawing, True
        try:
            for _ in range(2):
                Window.canvas.ask_update()
                EventLoop.idle()
        finally:
            self._drawing = drawing

    # ---- the event loop -------------------------------------------------------------------
    def pump(self, frames: int = 3) -> None:
        from kivy.base import EventLoop

        for _ in range(frames):
            EventLoop.idle()

    def wait_until(self, condition: Callable[[], object], timeout: float = 8.0,
                   what: str = "condition") -> None:
        """Run the event loop until ``condition()`` holds (device threads are real threads)."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout} s waiting for {what}")
            self.pump(1)

    def advance(self, seconds: float) -> None:
        """Move the app's clock forward and let its tick interval see it."""
        self.clock.advance(seconds)
        self.app._tick()
        self.pump(2)

    # ---- finding and touching ---------------------------------------------------------------
    def find(self, ident: str) -> Any:
        from kivy.core.window import Window

        for root in Window.children:
            for widget in root.walk(restrict=True):
                if getattr(widget, "ident", None) == ident:
                    return widget
        return None

    def get(self, ident: str) -> Any:
        widget = self.find(ident)
        assert widget is not None, f"no widget {ident!r} on screen {self.app.current!r}"
        return widget

    def tap(self, target: Any) -> None:
        """A finger down and up at the widget's centre, through the window like a real touch."""
        from kivy.uix.scrollview import ScrollView

        widget = self.get(target) if isinstance(target, str) else target
        parent = widget.parent
        while parent is not None and not isinstance(parent, ScrollView):
            parent = None if parent.parent is parent else parent.parent  # the window is its own
        if parent is not None:  # a finger can only press what is scrolled into view
            parent.scroll_to(widget, padding=10, animate=False)
            self.pump(2)
        self.settle(widget)
        x, y = widget.to_window(*widget.center)
        self.tap_at(x, y)
        if parent is not None:
            # A ScrollView holds a quick tap back to tell it from a drag, and hands the release
            # to its children 0.2 s later in real time (kivy.uix.scrollview: schedule_once(
            # _do_touch_up, .2)). Without waiting for it, a tap "works" only when the frames
            # above happen to be slow: the source of a rare "still on home" failure.
            released = time.monotonic() + SCROLLVIEW_RELEASE_S
            while time.monotonic() < released:
                self.pump(1)
            self.pump(2)

    def settle(self, widget: Any, frames: int = 2, limit: int = 60) -> None:
        """Wait (at most ``limit`` frames) until ``widget`` has kept its place and size for
        ``frames`` frames: a person touches the layout they see, not one still being redrawn
        after a switch to elder mode or another language (a tap aimed at the old place was a
        source of rare "opened the wrong screen" failures)."""
        last: object = None
        same = 0
        for _ in range(limit):
            now = (tuple(widget.to_window(*widget.pos)), tuple(widget.size))
            if now == last:
                same += 1
                if same >= frames:
                    return
            else:
                last, same = now, 0
            self.pump(1)

    def tap_at(self, x: float, y: float) -> None:
        from kivy.tests.common import UnitTestTouch

        touch = UnitTestTouch(x, y)
        touch.touch_down()
        self.pump(1)
        touch.touch_up()
        self.pump(2)

    def key(self, keycode: int) -> None:
        from kivy.core.window import Window

        Window.dispatch("on_key_down", keycode, 0, None, [])
        Window.dispatch("on_key_up", keycode, 0)
        self.pump(2)

    # ---- looking ----------------------------------------------------------------------------
    def screenshot(self, name: str) -> Path:
        from kivy.core.window import Window

        self.pump(4)
        self.draw()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        target = ARTIFACTS / f"{name}.png"
        written = Window.screenshot(name=str(ARTIFACTS / f"_{name}.png"))
        shutil.move(written, target)
        return target

    def resize(self, size: tuple[int, int]) -> None:
        from kivy.core.window import Window

        Window.size = size
        self.wait_until(lambda: tuple(Window.size) == size, what=f"window size {size}")
        self.pump(3)

    def sim(self, kind: str) -> Any:
        return self.ctx.devices.get(kind)


@pytest.fixture(scope="session")
def kiosk_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kiosk]:
    import sys

    if "kivy.core.window" in sys.modules:
        pytest.fail("Kivy's window was created before the UI fixture set up its display")
    from pyvirtualdisplay import Display

    display = Display(size=(1920, 1920), color_depth=24, manage_global_env=False)
    display.start()
    os.environ["DISPLAY"] = display.new_display_var
    root = tmp_path_factory.mktemp("kiosk-ui")
    os.environ["KIVY_NO_ARGS"] = "1"
    os.environ["KIVY_HOME"] = str(root / "kivy")
    os.environ["KIVY_LOG_MODE"] = "PYTHON"
    site = root / "site.toml"
    site.write_text(f'[kiosk]\ndata_dir = "{root / "var"}"\n', encoding="utf-8")

    from screens.cli import configure_window

    configure_window(*PORTRAIT)  # the kiosk's own window settings
    from kivy.base import runTouchApp

    from kiosk.clock import ManualClock
    from kiosk.config import load_config
    from kiosk.context import build_context
    from screens.app import KioskApp, ui_dispatch

    # The kiosk's one clock: a weekday 10:00 in the hall unless a test moves it.
    hall_time = ManualClock(HALL_DEFAULT_TIME)
    ctx = build_context(load_config(site), simulate=True, dispatch=ui_dispatch, clock=hall_time)
    clock = FakeMonotonic()
    app = KioskApp(ctx, now=clock)
    app._run_prepare()  # builds, opens the window, dispatches on_start (devices start)
    runTouchApp(embedded=True)
    kiosk = Kiosk(app, clock)
    kiosk.wait_until(lambda: all(ctx.devices.is_usable(k) for k in ctx.devices.kinds()),
                     what="every simulated device to open")
    kiosk.stop_drawing()
    kiosk.draw()  # the app's first frame (on_flip: the watchdog's "ready", screens warmed)
    try:
        yield kiosk
    finally:
        app.stop()
        display.stop()


@pytest.fixture
def kiosk(kiosk_session: Kiosk) -> Iterator[Kiosk]:
    """The app back at a pristine home: defaults, no session, healthy devices, no overlays."""
    from drivers.faults import SimulatedFaults
    from drivers.printer.base import PaperStatus

    k = kiosk_session
    app = k.app
    for kind in k.ctx.devices.kinds():
        device = k.ctx.devices.get(kind)
        if isinstance(device, SimulatedFaults):
            device.clear()
    k.sim("camera").set_scene()  # the default desk with a page, whatever a test laid down
    reader = k.sim("idcard")
    had_card = reader.card_present()
    reader.remove()
    if had_card:
        # Let the device manager's card poll (0.25 s) see the removal inside this fixture, so
        # a late CardRemoved cannot reach the next test, and a card that test lays down is not
        # taken for the one still "held".
        settled = time.monotonic() + 0.6
        while time.monotonic() < settled:
            k.pump(1)
    if app.sim_panel_open:
        app.toggle_sim_panel()
    app.keep_session()
    app.lang = k.ctx.config.kiosk.language
    app.set_elder(False)
    app.go_home()
    k.ctx.clock.set(HALL_DEFAULT_TIME)  # type: ignore[attr-defined]
    k.ctx.sessions.end("test_reset")
    app.toast_label._hide()
    k.wait_until(lambda: all(k.ctx.devices.is_usable(kind) for kind in k.ctx.devices.kinds())
                 and app.paper in (None, PaperStatus.OK),
                 timeout=15, what="devices healthy again")
    k.pump(3)
    yield k
