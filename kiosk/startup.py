"""Start-up in two steps: what the first frame of home needs, then everything else behind it.

Someone who restarts the kiosk (a technician, or systemd after a power cut or a crash) waits for
home. Home needs the configuration, the catalogue, the hall's clock, the device manager and the
kiosk mode, and none of those touch the database: ``build_core`` makes them, before the window
opens. The database (SQLAlchemy and the ORM models alone are about a third of a second of
imports on this hardware; then the migration check) and the journeys' controllers are made by
``kiosk.context.finish_context`` after home is drawn, on a ``Startup`` thread, and handed to the
UI through the bus's dispatch. Until then the app holds a tap on a tile and shows 正在启动.

This module must stay light: nothing it imports may import SQLAlchemy, OpenCV or Kivy (a test
reads ``sys.modules`` after importing it), or the first frame pays for them again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from zoneinfo import ZoneInfo

from config.cache import cache_dir
from config.remembered import Remembered
from config.schema import Config
from drivers.factory import build_devices
from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.clock import Clock, SystemClock
from kiosk.config import data_dir
from kiosk.devices import DeviceManager
from kiosk.events import Dispatch, EventBus, call_now
from kiosk.mode import ModeKeeper
from kiosk.privacy import load_hall_secret
from kiosk.schedule import HallSchedule
from kiosk.session import SessionKeeper
from kiosk.workdays import HallCalendar

if TYPE_CHECKING:
    from kiosk.context import KioskContext

log = logging.getLogger(__name__)


@dataclass
class KioskCore:
    """The part of the kiosk home is drawn from. ``KioskContext`` extends it with the database,
    the services and the journeys (``complete`` tells the two apart without importing either)."""

    complete: ClassVar[bool] = False

    config: Config
    bus: EventBus
    sessions: SessionKeeper
    devices: DeviceManager
    data_dir: Path
    simulate: bool
    catalogue: Catalogue
    clock: Clock
    mode: ModeKeeper
    dispatch: Dispatch
    secret: bytes
    site_file: str | Path | None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.config.hall.timezone)

    def close(self) -> None:
        """Stop what the core started (only the devices: nothing else runs yet)."""
        self.devices.stop()


def remembered_files() -> Remembered | None:
    """The configuration and catalogue validated at the last start, read back when nothing
    they depend on changed (``config.remembered``): ``kiosk run`` only. Keyed also by the code
    that validates them, these modules' sources; None when one cannot be read."""
    import config.loader
    import config.schema
    import config.validation
    import kiosk.catalogue

    code = [Path(m.__file__ or "") for m in (config.loader, config.schema, config.validation,
                                             kiosk.catalogue)]
    code.append(code[-1].with_name("catalogue_file.py"))  # imported only when validating
    try:
        return Remembered(cache_dir(), code)
    except OSError:
        return None


def build_core(config: Config, *, simulate: bool, dispatch: Dispatch = call_now,
               clock: Clock | None = None, site_file: str | Path | None = None,
               remember: Remembered | None = None) -> KioskCore:
    """Validate what can be validated before a window opens — the hall secret (a malformed one
    stops the start with one line; kiosk.privacy says when one is made), the catalogue and the
    device drivers named in the config — and build what home is drawn from."""
    root = data_dir(config)
    secret = load_hall_secret(root, config.hall.secret_file)
    catalogue = load_catalogue(config.kiosk.catalogue or None, remember=remember)
    tz = ZoneInfo(config.hall.timezone)
    clock = clock or SystemClock(tz)
    bus = EventBus(dispatch)
    devices = DeviceManager(build_devices(config, simulate=simulate, data_dir=root), bus)
    schedule = HallSchedule.from_config(config.schedule, HallCalendar.from_config(config))
    return KioskCore(config=config, bus=bus, sessions=SessionKeeper(bus), devices=devices,
                     data_dir=root, simulate=simulate, catalogue=catalogue, clock=clock,
                     mode=ModeKeeper(catalogue, devices, clock, tz, schedule),
                     dispatch=dispatch, secret=secret, site_file=site_file)


class Startup:
    """Finishes the context (``finish``: ``kiosk.context.finish_context``, whose imports are
    the heavy half, so the caller imports it inside ``finish``) on its own thread once home is
    drawn.

    ``on_ready(ctx)`` or ``on_failed(exc)`` is delivered through the core's dispatch (on the UI
    thread in the app). A kiosk that stops before the context is ready calls ``abandon``: the
    thread is waited for and whatever it built is closed, so no worker or engine outlives the
    app and nothing is delivered to a UI that is gone.
    """

    def __init__(self, core: KioskCore, finish: Callable[[KioskCore], KioskContext],
                 on_ready: Callable[[KioskContext], None],
                 on_failed: Callable[[BaseException], None]) -> None:
        self.core = core
        self._finish = finish  # kiosk.context.finish_context, imported by the caller when due
        self._on_ready = on_ready
        self._on_failed = on_failed
        self._lock = threading.Lock()
        self._abandoned = False
        self._built: KioskContext | None = None
        self._thread = threading.Thread(target=self._run, name="kiosk-startup", daemon=True)

    def start(self) -> None:
        with self._lock:
            if self._abandoned:  # the app stopped before its first frame: build nothing
                return
            self._thread.start()

    def _run(self) -> None:
        try:
            started = time.perf_counter()
            ctx = self._finish(self.core)
            log.info("database and journeys built in %.0f ms",
                     (time.perf_counter() - started) * 1000)
        except BaseException as exc:  # reported to the app, which ends with one line
            log.error("the kiosk could not finish starting: %s", type(exc).__name__)
            failure = exc
            with self._lock:
                if not self._abandoned:
                    self.core.dispatch(lambda: self._on_failed(failure))
            return
        with self._lock:
            if self._abandoned:
                ctx.close()
                return
            self._built = ctx
            self.core.dispatch(lambda: self._hand_over(ctx))

    def _hand_over(self, ctx: KioskContext) -> None:
        with self._lock:
            if self._abandoned:  # abandon() closed it
                return
            self._built = None  # the app owns it now, and closes it when it stops
        self._on_ready(ctx)

    def abandon(self, timeout: float = 30.0) -> None:
        """The app is stopping: wait for the build, close what it made, deliver nothing."""
        with self._lock:
            self._abandoned = True
            built, self._built = self._built, None
        if built is not None:  # built, but its hand-over never ran on the stopped UI loop
            built.close()
        if self._thread.ident is not None:  # never started: the app stopped before home
            self._thread.join(timeout)
