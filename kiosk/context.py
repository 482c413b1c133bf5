"""Everything a running kiosk is made of, built once from the configuration.

The touchscreen app and the tests build the same ``KioskContext``; the app passes a ``dispatch``
that hops to the UI thread, and tests may pass a ``ManualClock``: that one ``clock`` is the
only source of hall time for every service, flow and screen. No Kivy here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from config.schema import Config
from drivers.factory import build_devices
from kiosk.alerts import Alerts
from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.clock import Clock, SystemClock, service_date
from kiosk.config import data_dir, database_url
from kiosk.devices import DeviceManager
from kiosk.events import Dispatch, EventBus, call_now
from kiosk.flows.base import Worker
from kiosk.flows.home import HomeFlow
from kiosk.flows.printing import PrintDesk
from kiosk.flows.queue import QueueFlow
from kiosk.health_watch import HealthWatch
from kiosk.mode import ModeKeeper
from kiosk.outbox import Outbox
from kiosk.privacy import load_hall_secret
from kiosk.queue.counter import CounterService
from kiosk.queue.service import QueueService
from kiosk.retention import purge_personal_data
from kiosk.session import SessionKeeper
from kiosk.storage import make_engine, migrate
from kiosk.sync.heartbeat import device_health
from kiosk.sync.worker import SyncWorker

log = logging.getLogger(__name__)


@dataclass
class Flows:
    """One controller per citizen journey (more join as the journeys are built)."""

    home: HomeFlow
    queue: QueueFlow

    def close(self) -> None:
        self.home.close()
        self.queue.close()


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
    clock: Clock
    outbox: Outbox
    alerts: Alerts
    queue: QueueService
    counter: CounterService
    mode: ModeKeeper
    worker: Worker
    flows: Flows
    sync: SyncWorker  # the outbox sender; idle on a standalone kiosk ([sync] url = "")
    dispatch: Dispatch = call_now
    services: dict[str, object] = field(default_factory=dict)
    health: HealthWatch | None = None  # database and disk watcher; started by the app

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.hall.timezone)

    def close(self) -> None:
        if self.health is not None:
            self.health.stop()
        self.sync.stop(timeout=5.0)
        self.flows.close()
        self.devices.stop()
        self.worker.stop()
        self.engine.dispose()


def build_context(config: Config, *, simulate: bool, dispatch: Dispatch = call_now,
                  clock: Clock | None = None, worker: Worker | None = None) -> KioskContext:
    """Validate everything that can be validated before a window opens: the catalogue, the
    database (migrated to the current schema) and the device drivers named in the config."""
    root = data_dir(config)
    # checked before the database is touched: a malformed secret stops the start (one line),
    # and a missing one is made only on the very first start (kiosk.privacy says why)
    secret = load_hall_secret(root, config.hall.secret_file)
    catalogue = load_catalogue(config.kiosk.catalogue or None)
    engine = make_engine(database_url(config))
    migrate(engine)
    tz = ZoneInfo(config.hall.timezone)
    clock = clock or SystemClock(tz)
    bus = EventBus(dispatch)
    sessions = SessionKeeper(bus)
    devices = DeviceManager(build_devices(config, simulate=simulate, data_dir=root), bus)
    outbox = Outbox(config.hall.code)
    alerts = Alerts(engine, config.kiosk.id, clock)
    queue = QueueService(engine, catalogue, config, clock, secret=secret, outbox=outbox)
    counter = CounterService(engine, catalogue, config, clock, outbox=outbox)
    worker = worker or Worker(dispatch)
    sync = SyncWorker(engine, config, clock, health=device_health(devices))
    flows = Flows(
        home=HomeFlow(bus=bus, worker=worker, counter=counter, sync=sync),
        queue=QueueFlow(bus=bus, worker=worker, clock=clock, config=config, sessions=sessions,
                        queue=queue, counter=counter,
                        printing=PrintDesk(devices, alerts, dispatch)))
    mode = ModeKeeper(catalogue, devices, clock, tz)
    h = config.health
    health = HealthWatch(
        engine, root, mode, bus, interval_s=h.probe_seconds, db_timeout_s=h.db_timeout_seconds,
        min_free_bytes=h.min_free_mb << 20,
        housekeeping=lambda: purge_personal_data(
            engine, today=service_date(clock, tz), now=clock.now().astimezone(UTC),
            days=h.personal_data_days))
    return KioskContext(config=config, bus=bus, sessions=sessions, devices=devices,
                        data_dir=root, simulate=simulate, engine=engine, catalogue=catalogue,
                        clock=clock, outbox=outbox, alerts=alerts, queue=queue, counter=counter,
                        mode=mode, worker=worker, flows=flows, dispatch=dispatch, sync=sync,
                        health=health)
