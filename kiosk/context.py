"""Everything a running kiosk is made of, built once from the configuration.

The touchscreen app and the tests build the same ``KioskContext``; the app passes a ``dispatch``
that hops to the UI thread, and tests may pass a ``ManualClock``: that one ``clock`` is the
only source of hall time for every service, flow and screen. No Kivy here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from config.loader import ENV_VAR
from config.schema import Config
from drivers.base import Device
from drivers.factory import build_device, build_devices
from kiosk.alerts import Alerts
from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.clock import Clock, SystemClock
from kiosk.config import data_dir, database_url
from kiosk.devices import DeviceManager
from kiosk.events import Dispatch, EventBus, call_now
from kiosk.flows.base import Worker
from kiosk.flows.home import HomeFlow
from kiosk.flows.maintenance import MaintenanceFlow
from kiosk.flows.printing import PrintDesk
from kiosk.flows.queue import QueueFlow
from kiosk.maintenance.desk import MaintenanceDesk, replace_everywhere
from kiosk.mode import ModeKeeper
from kiosk.outbox import Outbox
from kiosk.queue.counter import CounterService
from kiosk.queue.service import QueueService
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
    maintenance: MaintenanceFlow | None = None  # the technician's mode (set after the context)

    def close(self) -> None:
        self.home.close()
        self.queue.close()
        if self.maintenance is not None:
            self.maintenance.close()


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
    maintenance: MaintenanceDesk | None = None  # the technician's desk (kiosk.maintenance)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.hall.timezone)

    def close(self) -> None:
        if self.maintenance is not None:
            self.maintenance.detach()
        self.sync.stop(timeout=5.0)
        self.flows.close()
        self.devices.stop()
        self.worker.stop()
        self.engine.dispose()


def build_context(config: Config, *, simulate: bool, dispatch: Dispatch = call_now,
                  clock: Clock | None = None, worker: Worker | None = None,
                  site_file: str | Path | None = None) -> KioskContext:
    """Validate everything that can be validated before a window opens: the catalogue, the
    database (migrated to the current schema) and the device drivers named in the config."""
    root = data_dir(config)
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
    queue = QueueService(engine, catalogue, config, clock, outbox=outbox)
    counter = CounterService(engine, catalogue, config, clock, outbox=outbox)
    worker = worker or Worker(dispatch)
    mode = ModeKeeper(catalogue, devices, clock, tz)
    desk = _maintenance_desk(config, engine, clock, tz, root, devices, bus, alerts, mode, worker,
                             site_file)
    sync = SyncWorker(engine, config, clock, health=desk.heartbeat_health(device_health(devices)))
    desk.sync_status = sync.status
    flows = Flows(
        home=HomeFlow(bus=bus, worker=worker, counter=counter, sync=sync),
        queue=QueueFlow(bus=bus, worker=worker, clock=clock, config=config, sessions=sessions,
                        queue=queue, counter=counter,
                        printing=PrintDesk(devices, alerts, dispatch, bus)))
    ctx = KioskContext(config=config, bus=bus, sessions=sessions, devices=devices,
                       data_dir=root, simulate=simulate, engine=engine, catalogue=catalogue,
                       clock=clock, outbox=outbox, alerts=alerts, queue=queue, counter=counter,
                       mode=mode, worker=worker, flows=flows, dispatch=dispatch, sync=sync,
                       maintenance=desk)

    def set_catalogue(new: Catalogue) -> None:
        replace_everywhere(ctx, ctx.catalogue, new)

    desk.get_catalogue, desk.set_catalogue = (lambda: ctx.catalogue), set_catalogue
    flows.maintenance = MaintenanceFlow(bus=bus, worker=worker, desk=desk, sessions=sessions)
    return ctx


def _maintenance_desk(config: Config, engine: Engine, clock: Clock, tz: ZoneInfo, root: Path,
                      devices: DeviceManager, bus: EventBus, alerts: Alerts, mode: ModeKeeper,
                      worker: Worker, site_file: str | Path | None) -> MaintenanceDesk:
    """The technician's desk. A device the technician reconfigures is built from its new
    settings as they say (a real driver even under --simulate: that is what was asked for)."""
    def rebuild(kind: str, new: Config) -> Device:
        return build_device(kind, getattr(new.devices, kind), simulate=False, data_dir=root)

    def submit(job: Callable[[], None]) -> None:
        worker.run(job, lambda _outcome: None)

    site = site_file or os.environ.get(ENV_VAR) or None
    desk = MaintenanceDesk(engine=engine, config=config, clock=clock, tz=tz, data_dir=root,
                           devices=devices, bus=bus, mode=mode, alerts=alerts,
                           build_device=rebuild, site_file=Path(site) if site else None,
                           submit=submit)
    desk.attach(bus)
    return desk
