"""Everything a running kiosk is made of, built once from the configuration.

The touchscreen app and the tests build the same ``KioskContext``; the app passes a ``dispatch``
that hops to the UI thread. No Kivy here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from config.schema import Config
from drivers.factory import build_devices
from kiosk.config import data_dir
from kiosk.devices import DeviceManager
from kiosk.events import Dispatch, EventBus, call_now
from kiosk.session import SessionKeeper

log = logging.getLogger(__name__)


@dataclass
class KioskContext:
    config: Config
    bus: EventBus
    sessions: SessionKeeper
    devices: DeviceManager
    data_dir: Path
    simulate: bool
    services: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        self.devices.stop()


def build_context(config: Config, *, simulate: bool, dispatch: Dispatch = call_now) -> KioskContext:
    root = data_dir(config)
    bus = EventBus(dispatch)
    devices = DeviceManager(build_devices(config, simulate=simulate, data_dir=root), bus)
    return KioskContext(config=config, bus=bus, sessions=SessionKeeper(bus), devices=devices,
                        data_dir=root, simulate=simulate)
