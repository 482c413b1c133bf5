"""The maintenance desk: every operation the technician's screens and commands perform.

Blocking calls, run off the UI thread by ``kiosk.flows.maintenance`` (device jobs go through
the device manager's per-device lock). A device change is validated and written to the site
file by ``config.writer`` (old file kept as ``.bak``) and applied at once: the device is rebuilt
from the new settings by ``build_device`` (the factory, handed in by ``kiosk.context``) and put
in place by ``DeviceManager.replace`` — no restart. A refused change (the loader's one line)
leaves the file and the device as they were. Catalogue reloads are validated the same way; a
bad file keeps the old catalogue. Every action is audited. Never logs or audits a card's fields
or a PIN; never imports Kivy or a concrete driver.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select, update

from config.loader import ConfigError, load_config
from config.schema import Config
from config.writer import update_site_file
from drivers.base import Device
from drivers.locker.base import LockerBoard
from drivers.printer.base import PaperStatus, ReceiptPrinter
from drivers.printer.layout import Align, Receipt
from kiosk.alerts import Alerts
from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.clock import Clock
from kiosk.devices import DeviceManager
from kiosk.events import DeviceHealthChanged, EventBus, ReceiptPrinted
from kiosk.i18n import Msg
from kiosk.maintenance import audit as audit_log
from kiosk.maintenance.counters import CounterBook, Submit, run_now
from kiosk.maintenance.detect import DEFAULT_PORT_GLOBS, DetectedPort, detect
from kiosk.maintenance.logs import LogLine, log_file, read_log
from kiosk.maintenance.paper import receipt_length_mm
from kiosk.maintenance.pins import PinStore
from kiosk.maintenance.report import OutboxFigures, build_report, report_receipt, save_report
from kiosk.maintenance.states import write_states
from kiosk.mode import ModeKeeper
from kiosk.schedule import HallSchedule
from kiosk.storage.models import MaintenanceDoor
from kiosk.sync.worker import SyncStatus
from kiosk.workdays import HallCalendar

log = logging.getLogger(__name__)

JOB_TIMEOUT_S = 30.0
BuildDevice = Callable[[str, Config], Device]


class MaintenanceRefusal(Exception):
    """What the technician is told when an action cannot be done (``msg`` for the screen)."""

    def __init__(self, msg: Msg, english: str) -> None:
        super().__init__(english)
        self.msg = msg


@dataclass(frozen=True)
class DeviceRow:
    kind: str
    driver: str
    port: str
    baud: int
    settings: dict[str, object]
    state: str
    reason: str


@dataclass(frozen=True)
class CatalogueSummary:
    source: str
    categories: int
    items: int
    windows: int
    loaded_at: datetime | None = None
    schedule: ScheduleSummary | None = None  # the day/night schedule the mode follows


@dataclass(frozen=True)
class ScheduleSummary:
    """What the technician needs to see of ``[schedule]`` and ``[calendar]``."""

    week: tuple[str, ...]  # Monday first: "09:00-12:00 13:30-17:00", "" when closed all day
    holidays: int
    next_holiday: date | None
    workdays: int  # make-up working days (调休)
    hall_hours: tuple[str, ...]  # capabilities that follow the hall's hours; the rest: 24 h


def schedule_summary(schedule: HallSchedule, today: date) -> ScheduleSummary:
    def spans(periods: tuple[tuple[time, time], ...]) -> str:
        return " ".join(f"{a:%H:%M}-{'24:00' if b == time.max else f'{b:%H:%M}'}"
                        for a, b in periods)

    cal = schedule.calendar
    upcoming = sorted(d for d in cal.holidays if d >= today)
    return ScheduleSummary(
        week=tuple(spans(day) for day in schedule.week), holidays=len(cal.holidays),
        next_holiday=upcoming[0] if upcoming else None, workdays=len(cal.workdays),
        hall_hours=tuple(sorted(c for c, rule in schedule.rules.items() if rule == "hall")))


@dataclass
class MaintenanceDesk:
    engine: Engine
    config: Config
    clock: Clock
    tz: ZoneInfo
    data_dir: Path
    devices: DeviceManager
    bus: EventBus
    mode: ModeKeeper
    alerts: Alerts
    build_device: BuildDevice
    site_file: Path | None = None
    sync_status: Callable[[], SyncStatus] | None = None  # the sync worker's, once built
    get_catalogue: Callable[[], Catalogue] | None = None  # the context's, once built
    set_catalogue: Callable[[Catalogue], None] | None = None
    submit: Submit = run_now
    port_globs: list[str] = field(default_factory=lambda: list(DEFAULT_PORT_GLOBS))
    latest_report: dict[str, Any] | None = None  # sent with every heartbeat once saved
    catalogue_loaded_at: datetime | None = None

    def __post_init__(self) -> None:
        m = self.config.maintenance
        self.pins = PinStore(self.engine, hall=self.config.hall.code,
                             kiosk_id=self.config.kiosk.id, attempts=m.pin_attempts,
                             lockout_s=m.lockout_seconds)
        self.counters = CounterBook(self.engine, kiosk_id=self.config.kiosk.id,
                                    hall=self.config.hall.code, clock=self.clock, tz=self.tz,
                                    settings=m, submit=self.submit)

    # ---- wiring ---------------------------------------------------------------------------
    def attach(self, bus: EventBus) -> None:
        """Count on the bus, and keep the device states file for ``kiosk health`` current."""
        self.counters.attach(bus)
        self._unsubscribe = bus.subscribe(DeviceHealthChanged, self._health_changed)
        self.submit(self._write_states)

    def detach(self) -> None:
        self.counters.detach()
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()

    def _health_changed(self, _event: DeviceHealthChanged) -> None:
        self.submit(self._write_states)

    def _write_states(self) -> None:
        try:
            write_states(self.data_dir, device_states(self.config, self.devices),
                         self.clock.now())
        except OSError as exc:
            log.warning("device states for `kiosk health` not written: %s", exc)

    # ---- audit and mode -----------------------------------------------------------------
    def audit(self, action: str, detail: dict[str, Any] | None = None) -> None:
        audit_log.audit(self.engine, hall=self.config.hall.code, kiosk_id=self.config.kiosk.id,
                        action=action, at=self.clock.now(), detail=detail)

    def entered(self) -> None:
        """The PIN was right (its check audited the entry): citizens' tiles close."""
        self.mode.enter_maintenance()

    # ---- devices ------------------------------------------------------------------------
    def device_rows(self) -> list[DeviceRow]:
        rows = []
        for kind in ("idcard", "scanner", "camera", "printer", "locker"):
            cfg = getattr(self.config.devices, kind)
            health = self.devices.health(kind)
            rows.append(DeviceRow(kind, cfg.driver, cfg.port, cfg.baud,
                                  {k: v for k, v in dict(cfg.settings).items() if v is not None},
                                  health.state.value, health.reason))
        return rows

    def ports(self) -> list[DetectedPort]:
        return detect(tuple(self.port_globs))

    def change_device(self, kind: str, changes: Mapping[str, object]) -> Config:
        """Validate, write and apply ``changes`` (keys under ``devices.<kind>``, such as
        ``port`` or ``settings.encoding``). Raises ``MaintenanceRefusal`` with the reason;
        then nothing was written and the old device keeps working."""
        if self.site_file is None:
            raise MaintenanceRefusal(
                Msg("本机未使用现场配置文件，无法保存（请用 --config 启动）"),
                "the kiosk runs without a site file (start it with --config FILE)")
        if kind not in self.devices.kinds():
            raise MaintenanceRefusal(Msg("本机未启用该设备，启用后需重启"),
                                     f"no {kind} is fitted; enabling one takes a restart")
        dotted = {f"devices.{kind}.{key}": value for key, value in changes.items()}
        built: dict[str, Device] = {}

        def build(config: Config) -> None:  # before anything is written
            built["device"] = self.build_device(kind, config)

        try:
            config = update_site_file(self.site_file, dotted, before_write=build)
        except ConfigError as exc:
            raise MaintenanceRefusal(Msg("设置未保存：{reason}", reason=str(exc)),
                                     str(exc)) from None
        except Exception as exc:  # a driver refusing the settings (an unknown USB id …)
            raise MaintenanceRefusal(Msg("设置未保存：{reason}", reason=str(exc)),
                                     str(exc)) from None
        self.config = config
        self.devices.replace(kind, built["device"])
        self.audit("maintenance.config_changed",
                   {"device": kind, "changes": {k: _plain(v) for k, v in changes.items()}})
        return config

    def _job(self, kind: str, job: Callable[[Any], Any]) -> Any:
        if kind not in self.devices.kinds():
            raise MaintenanceRefusal(Msg("本机未启用该设备，启用后需重启"),
                                     f"no {kind} is fitted")
        return self.devices.run_job(kind, job).result(timeout=JOB_TIMEOUT_S)

    def paper_status(self) -> PaperStatus:
        return self._job("printer", _paper)  # type: ignore[no-any-return]

    def print_test_page(self) -> PaperStatus:
        """Print the test page (打印测试, both widths, a QR, a cut), then read the paper."""
        receipt = test_page(self.config.kiosk.id, self.clock.now().astimezone(self.tz))
        self._job("printer", lambda p: _print(p, receipt))
        self.bus.publish(ReceiptPrinted(receipt_length_mm(receipt)))
        self.audit("maintenance.test_page")
        return self.paper_status()

    def open_door(self, door: int) -> None:
        """Open one door for service (confirmed by the board's query), audited."""
        self._job("locker", lambda b: _board(b).open_door(door))
        self.audit("maintenance.door_opened", {"door": door})

    def door_states(self) -> dict[int, str]:
        states = self._job("locker", lambda b: _board(b).door_states())
        return {int(door): "open" if state.is_open else "closed"
                for door, state in states.items()}

    def door_marks(self) -> dict[int, bool]:
        """Doors the technician took out of service (True) or put back (False)."""
        return door_marks(self.engine, self.config.kiosk.id)

    def mark_door(self, door: int, out_of_service: bool) -> None:
        now = self.clock.now()
        kiosk = self.config.kiosk.id
        with self.engine.begin() as conn:
            done = conn.execute(update(MaintenanceDoor).where(
                MaintenanceDoor.kiosk_id == kiosk, MaintenanceDoor.door == door).values(
                out_of_service=out_of_service, at=now)).rowcount
            if not done:
                conn.execute(insert(MaintenanceDoor).values(
                    kiosk_id=kiosk, door=door, out_of_service=out_of_service, at=now))
            audit_log.record(conn, hall=self.config.hall.code, kiosk_id=kiosk,
                             action="maintenance.door_service", at=now,
                             detail={"door": door, "out_of_service": out_of_service})

    # ---- catalogue ----------------------------------------------------------------------
    def catalogue_summary(self) -> CatalogueSummary:
        if self.get_catalogue is None:
            raise MaintenanceRefusal(Msg("暂时无法办理"), "no catalogue is wired to the desk")
        c = self.get_catalogue()
        schedule = self.mode.schedule
        today = self.clock.now().astimezone(self.tz).date()
        return CatalogueSummary(c.source, len(c.categories), len(c.items), len(c.windows),
                                self.catalogue_loaded_at,
                                schedule_summary(schedule, today) if schedule else None)

    def reload_catalogue(self) -> CatalogueSummary:
        """Read the catalogue file and the site file's ``[schedule]`` and ``[calendar]`` again;
        a bad file is refused with its error and the old catalogue and schedule are kept."""
        try:
            new = load_catalogue(self.config.kiosk.catalogue or None)
            schedule = None
            if self.site_file is not None:
                site = load_config(self.site_file)
                schedule = HallSchedule.from_config(site.schedule, HallCalendar.from_config(site))
        except ConfigError as exc:
            raise MaintenanceRefusal(Msg("目录未重新载入：{reason}", reason=str(exc)),
                                     str(exc)) from None
        if self.set_catalogue is None:
            raise MaintenanceRefusal(Msg("暂时无法办理"), "no catalogue is wired to the desk")
        if schedule is not None:
            self.mode.schedule = schedule  # the home tiles follow the new hours at once
        self.set_catalogue(new)
        self.catalogue_loaded_at = self.clock.now()
        self.audit("maintenance.catalogue_reloaded", {"items": len(new.items)})
        return self.catalogue_summary()

    # ---- logs and report ----------------------------------------------------------------
    def logs(self, min_level: str = "INFO", device: str = "") -> list[LogLine]:
        return read_log(log_file(self.data_dir), limit=self.config.maintenance.log_lines,
                        min_level=min_level, device=device)

    def audit_lines(self, limit: int = 100) -> list[audit_log.AuditLine]:
        return audit_log.recent(self.engine, limit)

    def outbox(self) -> SyncStatus | None:
        return self.sync_status() if self.sync_status is not None else None

    def health_report(self) -> dict[str, Any]:
        if self.sync_status is None:
            raise MaintenanceRefusal(Msg("暂时无法办理"), "no sync worker is wired to the desk")
        return health_report(self.config, self.engine, self.clock.now(), self.data_dir,
                             device_states(self.config, self.devices), self.sync_status(),
                             self.counters, self.alerts)

    def save_report(self) -> tuple[Path, dict[str, Any]]:
        report = self.health_report()
        path = save_report(report, self.data_dir)
        self.latest_report = report
        self.audit("maintenance.report_saved", {"file": path.name})
        return path, report

    def print_report(self, report: Mapping[str, Any]) -> None:
        receipt = report_receipt(report)
        self._job("printer", lambda p: _print(p, receipt))
        self.bus.publish(ReceiptPrinted(receipt_length_mm(receipt)))

    def heartbeat_health(self, base: Callable[[], dict[str, Any]]
                         ) -> Callable[[], dict[str, Any]]:
        """The sync worker's health callback with the latest saved report added."""
        def snapshot() -> dict[str, Any]:
            out = dict(base())
            if self.latest_report is not None:
                out["report"] = self.latest_report
            return out
        return snapshot


def door_marks(engine: Engine, kiosk_id: str) -> dict[int, bool]:
    """Door → out of service, as the technician marked them on this kiosk's cabinet."""
    with engine.connect() as conn:
        rows = conn.execute(select(MaintenanceDoor.door, MaintenanceDoor.out_of_service)
                            .where(MaintenanceDoor.kiosk_id == kiosk_id))
        return {int(d): bool(o) for d, o in rows}


def doors_out_of_service(engine: Engine, kiosk_id: str) -> set[int]:
    """The doors a journey must not offer (the locker flow asks this before choosing one)."""
    return {door for door, out in door_marks(engine, kiosk_id).items() if out}


def device_states(config: Config, devices: Any) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for kind in ("idcard", "scanner", "camera", "printer", "locker"):
        cfg = getattr(config.devices, kind)
        if not cfg.enabled:
            out[kind] = {"state": "disabled", "reason": "", "driver": cfg.driver}
            continue
        health = devices.health(kind)
        out[kind] = {"state": str(getattr(health.state, "value", health.state)),
                     "reason": str(health.reason or ""), "driver": cfg.driver, "port": cfg.port}
    return out


def health_report(config: Config, engine: Engine, now: datetime, data_dir: Path,
                  devices: Mapping[str, Mapping[str, str]], sync: SyncStatus,
                  counters: CounterBook | None, alerts: Alerts | None) -> dict[str, Any]:
    """The report from its parts (the desk in the app, ``kiosk health`` in a shell)."""
    errors = read_log(log_file(data_dir), limit=20, min_level="WARNING")
    outbox = OutboxFigures(sync.pending, sync.parked, sync.oldest_pending_age_s, sync.last_sync,
                           sync.configured)
    return build_report(kiosk_id=config.kiosk.id, hall=config.hall.code, now=now,
                        devices=devices, outbox=outbox, data_dir=data_dir,
                        counters=counters.today() if counters is not None else None,
                        alerts=alerts.open() if alerts is not None else None, errors=errors)


def test_page(kiosk_id: str, now: datetime) -> Receipt:
    r = Receipt()
    r.text("打印测试", size=2, align=Align.CENTER)
    r.text("Printer test page", align=Align.CENTER)
    r.text(f"{kiosk_id}  {now:%Y-%m-%d %H:%M}", align=Align.CENTER)
    r.separator()
    r.text("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789")
    r.text("中文打印：政务服务中心自助终端")
    r.text("倍宽倍高 Double", size=2)
    r.qr(f"TEST-{kiosk_id}", caption="QR")
    r.feed(1)
    return r


def _paper(device: Device) -> PaperStatus:
    if not isinstance(device, ReceiptPrinter):
        return PaperStatus.OFFLINE
    return device.paper_status()


def _print(device: Device, receipt: Receipt) -> bytes:
    if not isinstance(device, ReceiptPrinter):
        raise MaintenanceRefusal(Msg("打印机未连接"), "the printer is not a receipt printer")
    return device.print_receipt(receipt)


def _board(device: Device) -> LockerBoard:
    if not isinstance(device, LockerBoard):
        raise MaintenanceRefusal(Msg("文件柜暂停服务，请到人工窗口取件"), "not a lock board")
    return device


def _plain(value: object) -> object:
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def replace_everywhere(root: object, old: object, new: object, depth: int = 3) -> int:
    """Point every attribute holding ``old`` at ``new``, in ``root`` and the kiosk's own
    objects it reaches (services, flows): a reloaded catalogue reaches every journey, including
    those built after this module, without each one registering. Returns how many were set."""
    seen: set[int] = set()

    def visit(obj: object, level: int) -> int:
        if id(obj) in seen or level > depth:
            return 0
        seen.add(id(obj))
        try:
            attrs = vars(obj)
        except TypeError:
            return 0
        count = 0
        for name, value in list(attrs.items()):
            if value is old:
                setattr(obj, name, new)
                count += 1
            elif type(value).__module__.startswith("kiosk.") and value is not obj:
                count += visit(value, level + 1)
        return count

    return visit(root, 0)
