"""Production lockdown in the real app: close requests ignored, no debug keys or settings panel,
no cursor or screen saver, and systemd's watchdog fed from the UI loop (a frozen loop stops it).

The session's app runs with ``--simulate``; a test flips ``ctx.simulate`` off to see what a
production kiosk does with the same window, then restores it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.watchdog import SystemdNotifier, WatchdogFeeder
from tests.ui.conftest import Kiosk

pytestmark = pytest.mark.ui

F1, F12 = 282, 293


@pytest.fixture
def production(kiosk: Kiosk) -> Iterator[Kiosk]:
    kiosk.ctx.simulate = False
    try:
        yield kiosk
    finally:
        kiosk.ctx.simulate = True


def test_a_close_request_is_ignored_in_production(production: Kiosk) -> None:
    """Given a production kiosk, when the window manager asks to close (Alt+F4, a title-bar
    button), then the app refuses (True stops Kivy) and keeps running on home."""
    from kivy.core.window import Window

    assert Window.dispatch("on_request_close", source="keyboard") is True
    production.pump(3)
    assert production.app.current == "home" and production.app.root is not None


def test_with_simulate_a_close_request_is_let_through(kiosk: Kiosk) -> None:
    """On a developer's desktop (--simulate) the window's close button works: the handler
    does not veto it (nothing else is bound in the test app, so the dispatch is falsy)."""
    assert kiosk.app._on_request_close() is False


def test_no_debug_keys_and_no_settings_panel_in_production(production: Kiosk) -> None:
    """Given production, F12 does not open the simulated-hardware panel and F1 does not open
    Kivy's settings panel."""
    production.key(F12)
    production.key(F1)
    assert not production.app.sim_panel_open
    from kivy.core.window import Window
    from kivy.uix.settings import Settings

    assert not any(isinstance(w, Settings) for root in Window.children
                   for w in root.walk(restrict=True))


def test_production_hides_the_cursor_and_keeps_the_screen_awake(production: Kiosk) -> None:
    from kivy.core.window import Window

    try:
        production.app._lock_down()
        assert Window.show_cursor is False
        assert Window.allow_screensaver is False
    finally:
        Window.show_cursor = True
        Window.allow_screensaver = True


def test_a_frozen_ui_loop_stops_the_watchdog_pings(kiosk: Kiosk, tmp_path: Path) -> None:
    """Given the app feeding a watchdog over a real datagram socket (every 0.05 s), when the
    UI loop is blocked for 1.5 s, then no ping arrives during the freeze (a helper thread would
    have kept pinging and hidden the frozen screen); after it, pings resume."""
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(0.2)
    arrivals: list[float] = []
    stop = threading.Event()

    def listen() -> None:
        while not stop.is_set():
            try:
                if sock.recv(64) == b"WATCHDOG=1":
                    arrivals.append(time.monotonic())
            except TimeoutError:
                continue

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    app = kiosk.app
    original = app.watchdog
    app.watchdog = WatchdogFeeder(SystemdNotifier({"NOTIFY_SOCKET": path}), 0.05,
                                  time.monotonic)
    from kivy.clock import Clock

    fast = Clock.schedule_interval(app._feed_watchdog, 0.02)
    try:
        kiosk.wait_until(lambda: len(arrivals) >= 5, what="watchdog pings")
        freeze_started = time.monotonic()
        Clock.schedule_once(lambda _dt: threading.Event().wait(1.5), 0)  # the loop hangs
        kiosk.pump(2)
        freeze_ended = time.monotonic()
        count = len(arrivals)
        kiosk.wait_until(lambda: len(arrivals) >= count + 3, what="pings after the freeze")
    finally:
        fast.cancel()
        app.watchdog = original
        stop.set()
        listener.join(2)
        sock.close()
    during = [t for t in arrivals if freeze_started + 0.2 < t < freeze_ended - 0.1]
    assert freeze_ended - freeze_started >= 1.5
    assert during == [], f"pings arrived while the UI loop was frozen: {during}"


def test_scrolling_does_not_pile_up_bindings(kiosk: Kiosk) -> None:
    """Given Kivy's ScrollView, when it scrolls 200 times within half a second (a finger
    dragging), then at most one bar_color binding remains (Kivy 2.3.1 added one per scroll:
    the soak's largest memory growth)."""
    from kivy.uix.scrollview import ScrollView
    from kivy.uix.widget import Widget

    view = ScrollView()
    view.add_widget(Widget(size_hint_y=None, height=5000))  # something to scroll
    before = len(view.get_property_observers("bar_color"))
    for _ in range(200):
        view.update_from_scroll()
    assert len(view.get_property_observers("bar_color")) <= before + 1
