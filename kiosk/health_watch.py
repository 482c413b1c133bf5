"""Watch the database and the disk; put the kiosk out of service while either is failing.

A kiosk whose database host froze, or whose disk filled at 3 a.m., must not take a citizen
through a journey that cannot end in a ticket. ``HealthWatch`` probes both every
``health.probe_seconds`` on its own thread (never the UI's): ``SELECT 1`` bounded by
``health.db_timeout_seconds`` (a probe that does not come back in time counts as a failure, and
no second probe is started while it hangs), and the free space under the data folder against
``health.min_free_mb`` — checked before the disk is full, so SQLite never meets ENOSPC in the
middle of a ticket. A fault calls ``ModeKeeper.set_out_of_service(reason)`` (every tile shows
暂停服务) and publishes ``ServiceHealthChanged``; the first good probe after it puts the kiosk
back in service by itself.

Must never touch the UI, never hold a database connection between probes, never clear an
out-of-service state it did not set, and never log personal data (it sees none).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple, Protocol

from sqlalchemy import Engine

from kiosk.events import ServiceHealthChanged  # re-exported: published from here
from kiosk.storage.engine import describe_error

log = logging.getLogger(__name__)

# What the citizen reads on home (msgids; English in config/locale/en/harden.po).
REASON_DATABASE = "数据库暂时无法使用"
REASON_DISK = "存储空间不足"


class DiskUsage(NamedTuple):
    total: int
    used: int
    free: int


class OutOfService(Protocol):
    def set_out_of_service(self, why: str | None) -> None: ...


class Publisher(Protocol):
    def publish(self, event: object) -> None: ...


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str = ""
    detail: str = ""


class HealthWatch:
    def __init__(self, engine: Engine, data_dir: Path, mode: OutOfService, bus: Publisher, *,
                 interval_s: float, db_timeout_s: float, min_free_bytes: int,
                 disk_usage: Callable[[Path], DiskUsage] = shutil.disk_usage,
                 housekeeping: Callable[[], object] | None = None,
                 housekeeping_s: float = 3600.0) -> None:
        self.engine = engine
        self.data_dir = data_dir
        self.mode = mode
        self.bus = bus
        self.interval_s = interval_s
        self.db_timeout_s = db_timeout_s
        self.min_free_bytes = min_free_bytes
        self.disk_usage = disk_usage
        self.housekeeping = housekeeping  # retention: run on this thread, about hourly
        self.housekeeping_s = housekeeping_s
        self._housekept_at: float | None = None
        self.verdict = Verdict(True)
        self._probe: Future[None] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- the probes ------------------------------------------------------------------------
    def check_once(self) -> Verdict:
        """Probe disk then database; change the kiosk's service state if the verdict changed."""
        verdict = self._disk() or self._database() or Verdict(True)
        if (verdict.ok, verdict.reason) != (self.verdict.ok, self.verdict.reason):
            self._change(verdict)
        else:
            self.verdict = verdict  # the same fault, perhaps in other words: no new event
        return verdict

    def _disk(self) -> Verdict | None:
        try:
            free = self.disk_usage(self.data_dir).free
        except OSError as exc:
            return Verdict(False, REASON_DISK, f"data folder unusable ({exc.strerror})")
        if free < self.min_free_bytes:
            return Verdict(False, REASON_DISK,
                           f"{free // (1 << 20)} MiB free under {self.data_dir}, below "
                           f"health.min_free_mb ({self.min_free_bytes // (1 << 20)} MiB): "
                           "free disk space on the kiosk")
        return None

    def _database(self) -> Verdict | None:
        if self._probe is None or self._probe.done():
            self._probe = Future()
            threading.Thread(target=self._select_one, args=(self._probe,), daemon=True,
                             name="health-db-probe").start()
        try:
            self._probe.result(timeout=self.db_timeout_s)
        except TimeoutError:
            return Verdict(False, REASON_DATABASE,
                           f"the database did not answer within {self.db_timeout_s:g} s; check "
                           "the database server and the network")
        except Exception as exc:  # noqa: BLE001 - any failure of the probe is the verdict
            what, todo = describe_error(exc)
            return Verdict(False, REASON_DATABASE, f"{what}; {todo}")
        return None

    def _select_one(self, done: Future[None]) -> None:
        try:
            # the driver's own connection: no SQLAlchemy "begin", so on SQLite the probe never
            # takes the write lock (the kiosk's transactions all BEGIN IMMEDIATE)
            raw = self.engine.raw_connection()
            try:
                cursor = raw.cursor()
                cursor.execute("SELECT 1")
                cursor.fetchall()
                cursor.close()
            finally:
                raw.close()
            done.set_result(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting check
            done.set_exception(exc)

    def _change(self, verdict: Verdict) -> None:
        was_ok = self.verdict.ok
        self.verdict = verdict
        if not verdict.ok:
            log.error("out of service: %s", verdict.detail)
            self.mode.set_out_of_service(verdict.detail)
        elif not was_ok:
            log.warning("fault cleared: back in service")
            self.mode.set_out_of_service(None)
        self.bus.publish(ServiceHealthChanged(verdict.ok, verdict.reason, verdict.detail))

    # ---- the thread -------------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="health-watch", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check_once()
                self._housekeep_if_due()
            except Exception:  # a watcher that dies silently watches nothing
                log.exception("health probe failed unexpectedly")
            self._stop.wait(self.interval_s)

    def _housekeep_if_due(self) -> None:
        now = time.monotonic()
        if self.housekeeping is None or not self.verdict.ok:
            return
        if self._housekept_at is not None and now - self._housekept_at < self.housekeeping_s:
            return
        self._housekept_at = now
        self.housekeeping()
