"""The home screen: hall name, clock, hall status and one large tile per working capability.

Which tiles exist and when they are enabled is data (``screens.registry.TILES``); this screen only
draws them. It shows no personal data except the short masked greeting toast the app raises when
a card is tapped. Never call a device from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout

from screens.registry import DEVICE_NAMES, TileState, visible_tiles
from screens.widgets import CornerGesture, KioskScreen

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class TileButton(ButtonBehavior, BoxLayout):
    ident = StringProperty("")
    title = StringProperty("")  # msgid
    subtitle = StringProperty("")  # msgid
    icon = StringProperty("")
    target = StringProperty("")
    reason = StringProperty("")  # msgid of why it is disabled, "" when enabled
    device = StringProperty("")  # msgid of the device named in ``reason``
    closed = BooleanProperty(False)


class HomeScreen(KioskScreen):
    title = StringProperty("首页")

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

    def refresh_tiles(self) -> None:
        grid = self.ids.tiles
        grid.clear_widgets()
        for state in visible_tiles(self.app.ctx):
            grid.add_widget(self._tile(state))

    def _tile(self, state: TileState) -> TileButton:
        tile = state.tile
        button = TileButton(ident=f"tile_{tile.id}", title=tile.title, subtitle=tile.subtitle,
                            icon=tile.icon, target=tile.target, reason=state.reason,
                            device=DEVICE_NAMES.get(state.device, ""), closed=not state.enabled)
        button.disabled = not state.enabled
        button.bind(on_release=lambda b: self.app.go(b.target))
        return button
