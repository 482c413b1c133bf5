"""The home screen: hall name, clock, hall status and one large tile per working capability.

Which tiles exist and when they are enabled is data (``screens.registry.TILES``); this screen only
draws them. It shows no personal data except the short masked greeting toast the app raises when
a card is tapped. Never call a device from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from kiosk.queue.tickets import QueueStatus
from screens.background import fetch_in_background
from screens.registry import DEVICE_NAMES, SCREENS, TileState, visible_tiles
from screens.widgets import CornerGesture, KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))

# How often the hall's queue overview is refreshed while home is shown (off the UI thread).
QUEUE_STATUS_REFRESH_S = 15.0


class TileButton(ButtonBehavior, BoxLayout):
    ident = StringProperty("")
    title = StringProperty("")  # msgid
    subtitle = StringProperty("")  # msgid
    icon = StringProperty("")
    target = StringProperty("")
    reason = StringProperty("")  # msgid of why it is disabled, "" when enabled
    device = StringProperty("")  # msgid of the device named in ``reason``
    closed = BooleanProperty(False)


class QueueRow(BoxLayout):
    name = StringProperty("")
    name_en = StringProperty("")
    waiting = StringProperty("0")
    last_called = StringProperty("")


class HomeScreen(KioskScreen):
    title = StringProperty("首页")
    # one dict per category: name, name_en, waiting, last_called; empty hides the overview
    queue_rows = ListProperty([])

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        app = self.app
        # Reserved for the technician's maintenance mode (hidden gesture + PIN), not built yet.
        self.add_widget(CornerGesture(app.request_maintenance, app.now, size_hint=(None, None),
                                      size=(140, 140), pos_hint={"x": 0, "top": 1}))
        app.bind(health_version=lambda *_: self.refresh_tiles())
        self.refresh_tiles()

    def on_pre_enter(self, *_: object) -> None:
        self.refresh_tiles()
        self.refresh_queue_status()

    # ---- the hall's queue at a glance -------------------------------------------------------
    _status_at: float | None = None

    def tick(self, now: float) -> None:
        if self._status_at is None or now - self._status_at >= QUEUE_STATUS_REFRESH_S:
            self.refresh_queue_status()

    def refresh_queue_status(self) -> None:
        if "queue" not in SCREENS:
            return
        self._status_at = self.app.now()
        fetch_in_background(self.app.ctx.counter.status, self._show_queue_status,
                            "home-queue-status")

    def _show_queue_status(self, status: QueueStatus | None) -> None:
        if status is None:
            return
        rows = [{"name": c.name, "name_en": c.name_en, "waiting": str(c.waiting),
                 "last_called": c.last_called or ""} for c in status.categories]
        if rows == self.queue_rows:
            return
        self.queue_rows = rows
        box = self.ids.queue_rows
        box.clear_widgets()
        for row in self.queue_rows:
            box.add_widget(QueueRow(**row))

    _tile_states: list[TileState] | None = None

    def refresh_tiles(self) -> None:
        # Home is shown after every citizen's visit: rebuilding its tiles each time cost
        # 130–170 ms per return (bench/bench_screens.py). Rebuild only when a tile changed.
        states = visible_tiles(self.app.ctx)
        if states == self._tile_states:
            return
        self._tile_states = states
        grid = self.ids.tiles
        grid.clear_widgets()
        for state in states:
            grid.add_widget(self._tile(state))

    def _tile(self, state: TileState) -> TileButton:
        tile = state.tile
        button = TileButton(ident=f"tile_{tile.id}", title=tile.title, subtitle=tile.subtitle,
                            icon=tile.icon, target=tile.target, reason=state.reason,
                            device=DEVICE_NAMES.get(state.device, ""), closed=not state.enabled)
        button.disabled = not state.enabled
        button.bind(on_release=lambda b: self.app.go(b.target))
        return button
