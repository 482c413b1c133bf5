"""Everything a running kiosk is made of, built once from the configuration.

The touchscreen app and the tests build the same ``KioskContext``; the app passes a ``dispatch``
that hops to the UI thread. No Kivy here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from config.schema import Config
from drivers.factory import build_devices
from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.config import data_dir, database_url
from kiosk.devices import DeviceManager
from kiosk.events import Dispatch, EventBus, call_now
from kiosk.queue.service import QueueService
from kiosk.session import SessionKeeper
from kiosk.storage import make_engine, migrate

log = logging.getLogger(__name__)


@dataclass
class KioskContext:
    config: Config
    bus: EventBus
    sessions: SessionKeeper
    devices: DeviceManager
    data_dir: Path
    simulate: bool
    engine: Engine
    catalogue: Catalogue
    queue: QueueService
    services: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        self.devices.stop()
        self.engine.dispose()


def build_context(config: Config, *, simulate: bool, dispatch: Dispatch = call_now) -> KioskContext:
    """Validate everything that can be validated before a window opens: the catalogue, the
    database (migrated to the current schema) and the device drivers named in the config."""
    root = data_dir(config)
    catalogue = load_catalogue(config.kiosk.catalogue or None)
    engine = make_engine(database_url(config))
    migrate(engine)
    bus = EventBus(dispatch)
    devices = DeviceManager(build_devices(config, simulate=simulate, data_dir=root), bus)
    return KioskContext(config=config, bus=bus, sessions=SessionKeeper(bus), devices=devices,
                        data_dir=root, simulate=simulate, engine=engine, catalogue=catalogue,
                        queue=QueueService(engine, catalogue, config))
