"""Everything a running kiosk is made of, built once from the configuration.

``KioskContext`` is the ``KioskCore`` home is drawn from (``kiosk.startup``) plus the database,
the services and one controller per journey. Tests and commands build it in one call
(``build_context``); the touchscreen app builds the core before its window opens and finishes it
here (``finish_context``) on a thread once home is drawn. The app passes a ``dispatch`` that
hops to the UI thread, and tests may pass a ``ManualClock``: that one ``clock`` is the only
source of hall time for every service, flow and screen. No Kivy here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC
from pathlib import Path
from typing import ClassVar
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine

from config.loader import ENV_VAR
from config.schema import Config
from drivers.base import Device
from drivers.factory import build_device, document_functions
from kiosk.alerts import Alerts
from kiosk.cases.remote import HallCases
from kiosk.cases.store import CaseStore
from kiosk.catalogue import Catalogue
from kiosk.clock import Clock, service_date
from kiosk.config import database_url
from kiosk.devices import DeviceManager
from kiosk.events import Dispatch, EventBus, call_now
from kiosk.flows.base import Worker
from kiosk.flows.guide import GuideFlow
from kiosk.flows.home import HomeFlow
from kiosk.flows.locker import LockerFlow
from kiosk.flows.locker_staff import StaffFlow
from kiosk.flows.maintenance import MaintenanceFlow
from kiosk.flows.printing import PrintDesk
from kiosk.flows.progress import ProgressFlow
from kiosk.flows.queue import QueueFlow
from kiosk.flows.rating import RatingFlow
from kiosk.flows.rating_store import RatingStore
from kiosk.flows.submission import SubmissionFlow
from kiosk.flows.submission_capture import DocumentTools, PageCapture
from kiosk.health_watch import HealthWatch
from kiosk.lockers.cases import CaseDirectory
from kiosk.lockers.doors import BoardDoors
from kiosk.lockers.service import LockerService
from kiosk.lockers.staff import StaffDesk
from kiosk.maintenance.desk import MaintenanceDesk, replace_everywhere
from kiosk.mode import ModeKeeper
from kiosk.outbox import Outbox
from kiosk.privacy import load_hall_secret
from kiosk.progress.reader import HallReader
from kiosk.queue.counter import CounterService
from kiosk.queue.service import QueueService
from kiosk.retention import purge_personal_data
from kiosk.session import SessionKeeper
from kiosk.staff_call import call_staff
from kiosk.startup import KioskCore, build_core
from kiosk.storage import make_engine, migrate
from kiosk.sync.heartbeat import device_health
from kiosk.sync.settings import sync_settings
from kiosk.sync.worker import SyncWorker

log = logging.getLogger(__name__)


@dataclass
class Flows:
    """One controller per citizen journey (more join as the journeys are built)."""

    home: HomeFlow
    queue: QueueFlow
    guide: GuideFlow
    submission: SubmissionFlow
    progress: ProgressFlow
    rating: RatingFlow
    locker: LockerFlow
    locker_staff: StaffFlow
    maintenance: MaintenanceFlow | None = None  # the technician's mode (set after the context)

    def close(self) -> None:
        self.home.close()
        self.queue.close()
        self.guide.close()
        self.submission.close()
        self.submission.capture.worker.stop()
        self.progress.close()
        self.rating.close()
        self.locker.close()
        self.locker_staff.close()
        if self.maintenance is not None:
            self.maintenance.close()


@dataclass
class KioskContext(KioskCore):
    complete: ClassVar[bool] = True

    engine: Engine
    outbox: Outbox
    alerts: Alerts
    queue: QueueService
    counter: CounterService
    worker: Worker
    flows: Flows
    sync: SyncWorker  # the outbox sender; idle on a standalone kiosk ([sync] url = "")
    services: dict[str, object] = field(default_factory=dict)
    maintenance: MaintenanceDesk | None = None  # the technician's desk (kiosk.maintenance)
    health: HealthWatch | None = None  # database and disk watcher; started by the app

    def close(self) -> None:
        if self.maintenance is not None:
            self.maintenance.detach()
        if self.health is not None:
            self.health.stop()
        self.sync.stop(timeout=5.0)
        cases = self.services.get("locker_cases")
        if isinstance(cases, CaseDirectory):
            cases.close()
        self.flows.close()
        self.sessions.close()
        self.devices.stop()
        self.worker.stop()
        self.engine.dispose()


def build_context(config: Config, *, simulate: bool, dispatch: Dispatch = call_now,
                  clock: Clock | None = None, worker: Worker | None = None,
                  site_file: str | Path | None = None) -> KioskContext:
    """Validate everything that can be validated before a window opens: the catalogue, the
    database (migrated to the current schema) and the device drivers named in the config."""
    return finish_context(build_core(config, simulate=simulate, dispatch=dispatch, clock=clock,
                                     site_file=site_file), worker=worker)


def finish_context(core: KioskCore, *, worker: Worker | None = None) -> KioskContext:
    """The database (migrated to the current schema), the services and the journeys, on top of
    the core home is drawn from."""
    config, root, secret, clock = core.config, core.data_dir, core.secret, core.clock
    bus, sessions, devices, catalogue = core.bus, core.sessions, core.devices, core.catalogue
    mode, dispatch, site_file, tz = core.mode, core.dispatch, core.site_file, core.tz
    engine = make_engine(database_url(config))
    migrate(engine)
    outbox = Outbox(config.hall.code)
    alerts = Alerts(engine, config.kiosk.id, clock)
    queue = QueueService(engine, catalogue, config, clock, secret=secret, outbox=outbox)
    counter = CounterService(engine, catalogue, config, clock, outbox=outbox)
    worker = worker or Worker(dispatch)
    desk = _maintenance_desk(config, engine, clock, tz, root, devices, bus, alerts, mode, worker,
                             site_file)
    sync = SyncWorker(engine, config, clock, health=desk.heartbeat_health(device_health(devices)))
    desk.sync_status = sync.status
    printing = PrintDesk(devices, alerts, dispatch, bus)
    cases = CaseDirectory(secret, sync_settings(config))
    lockers = LockerService(engine, config, clock, secret, outbox, alerts, BoardDoors(devices),
                            owner_check=cases.belongs_to)
    flows = Flows(
        home=HomeFlow(bus=bus, worker=worker, counter=counter, sync=sync,
                      staff_call=lambda: call_staff(engine, outbox, config.kiosk.id, clock.now())),
        queue=QueueFlow(bus=bus, worker=worker, clock=clock, config=config, sessions=sessions,
                        queue=queue, counter=counter, printing=printing),
        guide=GuideFlow(bus=bus, worker=worker, clock=clock, tz=tz, config=config,
                        sessions=sessions, catalogue=catalogue,
                        printing=PrintDesk(devices, alerts, dispatch, bus)),
        submission=_submission_flow(config, bus=bus, worker=worker, clock=clock,
                                    sessions=sessions, catalogue=catalogue, engine=engine,
                                    outbox=outbox, root=root, devices=devices,
                                    printing=printing, dispatch=dispatch, secret=secret),
        progress=ProgressFlow(bus=bus, worker=worker, clock=clock, config=config,
                              sessions=sessions, engine=engine, catalogue=catalogue,
                              secret=lambda: secret, reader=HallReader.from_config(config)),
        rating=RatingFlow(bus=bus, worker=worker, config=config, sessions=sessions,
                          store=RatingStore(engine, outbox, clock, hall=config.hall.code,
                                            kiosk_id=config.kiosk.id),
                          secret=lambda: secret),
        locker=LockerFlow(bus=bus, worker=worker, clock=clock, sessions=sessions,
                          service=lockers, printing=printing, secret=lambda: secret,
                          hall_names=(config.hall.name, config.hall.name_en), tz=tz,
                          door_alert_s=config.locker.door_open_alert_seconds),
        locker_staff=StaffFlow(bus=bus, worker=worker, sessions=sessions, service=lockers,
                               desk=StaffDesk(engine, config.locker, clock, secret),
                               cases=cases, secret=lambda: secret))
    h = config.health
    health = HealthWatch(
        engine, root, mode, bus, interval_s=h.probe_seconds, db_timeout_s=h.db_timeout_seconds,
        min_free_bytes=h.min_free_mb << 20,
        housekeeping=lambda: purge_personal_data(
            engine, today=service_date(clock, tz), now=clock.now().astimezone(UTC),
            days=h.personal_data_days))
    ctx = KioskContext(**{f.name: getattr(core, f.name) for f in fields(KioskCore)},
                       engine=engine, outbox=outbox, alerts=alerts, queue=queue,
                       counter=counter, worker=worker, flows=flows, sync=sync,
                       maintenance=desk, services={"lockers": lockers, "locker_cases": cases},
                       health=health)

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


def _submission_flow(config: Config, *, bus: EventBus, worker: Worker, clock: Clock,
                     sessions: SessionKeeper, catalogue: Catalogue, engine: Engine,
                     outbox: Outbox, root: Path, devices: DeviceManager, printing: PrintDesk,
                     dispatch: Dispatch, secret: bytes | None = None) -> SubmissionFlow:
    """自助申报: the case store, the page detector on its own one-thread worker, the flow."""
    hall_secret = secret if secret is not None else load_hall_secret(
        root, config.hall.secret_file)
    store = CaseStore(engine, config, clock, outbox, root, hall_secret)
    store.sweep_orphans()  # image folders of a commit a crash interrupted
    tools = DocumentTools(*document_functions(config.submission.steady_frames))
    capture = PageCapture(tools, Worker(dispatch, threads=1), config.submission.jpeg_quality)
    return SubmissionFlow(bus=bus, worker=worker, clock=clock, config=config,
                          sessions=sessions, catalogue=catalogue, store=store,
                          devices=devices, capture=capture, printing=printing,
                          secret=lambda: hall_secret,
                          hall_cases=HallCases(sync_settings(config)))
