"""The heartbeat body: this kiosk's latest state for the hall's kiosk-health page.

Not an outbox message: only the newest state matters, so a failed heartbeat is simply sent again
next period. Carries device states, paper, outbox depth, the version and open alerts — never a
citizen's data (alerts hold only what a technician must fix).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any, Protocol

from sqlalchemy import Engine

from kiosk.alerts import PRINTER_OFFLINE, PRINTER_PAPER_OUT, open_alerts
from kiosk.sync.outbox import Depth

log = logging.getLogger(__name__)
DEVICE_STATES = ("ok", "degraded", "offline")
PAPER_STATES = ("ok", "near_end", "out", "offline", "unknown")
PACKAGE = "zhengwu-kiosk"
# The contract's bounds on a heartbeat: past them the server refuses it (422) every period.
MAX_ALERTS = 100
MAX_MESSAGE = 500
MAX_REASON = 300
MAX_ID = 64
MAX_VERSION = 40


class DeviceHealthSource(Protocol):
    """What the heartbeat needs from ``kiosk.devices.DeviceManager``."""

    def kinds(self) -> list[str]: ...

    def health(self, kind: str) -> Any: ...  # drivers.base.Health: .state, .reason


def device_health(devices: DeviceHealthSource) -> Callable[[], dict[str, Any]]:
    """The ``health`` callback for ``SyncWorker`` from the device manager: each device's state
    and reason as the watchdog last saw them (no device I/O here: a heartbeat never waits on a
    serial port)."""
    def snapshot() -> dict[str, Any]:
        out: dict[str, dict[str, str]] = {}
        for kind in devices.kinds():
            health = devices.health(kind)
            out[kind] = {"state": str(getattr(health.state, "value", health.state)),
                         "reason": str(health.reason or "")}
        paper = "offline" if out.get("printer", {}).get("state") == "offline" else "unknown"
        return {"devices": out, "paper": paper}
    return snapshot


def kiosk_version() -> str:
    try:
        return version(PACKAGE)
    except PackageNotFoundError:
        return "unknown"


def heartbeat_body(engine: Engine, kiosk_id: str, depth: Depth, now: datetime,
                   health: Callable[[], dict[str, Any]] | None) -> dict[str, Any]:
    """``health()`` returns ``{"devices": {kind: {"state", "reason"}}, "paper": …,
    "report": {...}|None}`` (all optional); a failing or malformed one is reported, not fatal."""
    state: dict[str, Any] = {}
    if health is not None:
        try:
            state = dict(health() or {})
        except Exception:  # the heartbeat must go out even when a device probe is broken
            log.exception("sync: the health callback failed; heartbeat without device states")
    devices: dict[str, dict[str, str]] = {}
    for kind, info in (state.get("devices") or {}).items():
        info = info if isinstance(info, dict) else {}
        s = str(info.get("state", "offline"))
        devices[str(kind)[:MAX_ID]] = {"state": s if s in DEVICE_STATES else "degraded",
                                       "reason": str(info.get("reason", ""))[:MAX_REASON]}
    alerts = open_alerts(engine, kiosk_id)
    paper = str(state.get("paper", "unknown"))
    if paper == "unknown":  # the printer flow's own alerts know what the sensor said last
        open_kinds = {a.kind for a in alerts}
        paper = ("out" if PRINTER_PAPER_OUT in open_kinds
                 else "offline" if PRINTER_OFFLINE in open_kinds else paper)
    age = None
    if depth.oldest_pending_at is not None:
        age = round(max(0.0, (now - depth.oldest_pending_at).total_seconds()), 1)
    return {
        "kiosk_id": kiosk_id,
        "version": kiosk_version()[:MAX_VERSION],
        "devices": devices,
        "paper": paper if paper in PAPER_STATES else "unknown",
        "outbox": {"pending": depth.pending, "parked": depth.parked,
                   "oldest_pending_age_s": age},
        "alerts": [{"kind": a.kind[:MAX_ID], "message": a.message[:MAX_MESSAGE],
                    "at": a.at.isoformat()} for a in alerts[-MAX_ALERTS:]],  # the newest
        "report": state.get("report"),
    }
