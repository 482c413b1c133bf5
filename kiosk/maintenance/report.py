"""The health report: one document a technician saves, prints and the hall server receives.

Built from what the kiosk already knows — each device's state and reason, the version, free
disk space, the outbox (pending, parked, age of the oldest), the last delivery, today's counters,
the open alerts and the last errors of the log — without touching a device (a report is asked
for when something is wrong; it must not hang on the broken part). ``kiosk health --json``
prints exactly this document. Saved as JSON under ``<data_dir>/reports/``; the slip is a
``Receipt``. Never holds a citizen's data: alerts and log lines carry none by their own rules.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drivers.printer.layout import Align, Receipt
from kiosk.maintenance.counters import Counters
from kiosk.maintenance.logs import LogLine
from kiosk.storage.models import Alert
from kiosk.sync.heartbeat import kiosk_version

MAX_ERRORS = 20


@dataclass(frozen=True)
class OutboxFigures:
    pending: int
    parked: int
    oldest_age_s: float | None
    last_sync: datetime | None
    configured: bool


def build_report(*, kiosk_id: str, hall: str, now: datetime,
                 devices: Mapping[str, Mapping[str, str]], outbox: OutboxFigures,
                 data_dir: Path, counters: Counters | None = None,
                 alerts: list[Alert] | None = None,
                 errors: list[LogLine] | None = None) -> dict[str, Any]:
    """``devices``: kind → {"state", "reason", and optionally "driver", "port"}."""
    try:
        disk_free: int | None = shutil.disk_usage(data_dir).free
    except OSError:
        disk_free = None
    return {
        "kiosk_id": kiosk_id,
        "hall": hall,
        "generated_at": now.astimezone(UTC).isoformat(),
        "version": kiosk_version(),
        "python": platform.python_version(),
        "devices": {kind: dict(info) for kind, info in devices.items()},
        "disk_free_bytes": disk_free,
        "outbox": {"pending": outbox.pending, "parked": outbox.parked,
                   "oldest_age_s": outbox.oldest_age_s, "configured": outbox.configured},
        "last_sync": outbox.last_sync.isoformat() if outbox.last_sync else None,
        "counters": counters.to_json() if counters is not None else None,
        "alerts": [{"kind": a.kind, "message": a.message, "at": a.at.isoformat()}
                   for a in (alerts or [])],
        "last_errors": [{"ts": e.ts, "level": e.level, "logger": e.logger, "msg": e.msg[:300]}
                        for e in (errors or [])[:MAX_ERRORS]],
    }


def save_report(report: Mapping[str, Any], data_dir: Path) -> Path:
    """Write ``report`` as ``reports/health-<time>.json`` (temp file + rename: never torn)."""
    folder = data_dir / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = str(report.get("generated_at", "")).replace(":", "").replace("-", "")[:15]
    path = folder / f"health-{stamp or 'now'}.json"
    tmp = folder / f".{path.name}.tmp"
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(report, fh, ensure_ascii=False, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    return path


def _megabytes(value: object) -> str:
    return f"{int(value) / 1e6:.0f} MB" if isinstance(value, int) else "?"


def report_receipt(report: Mapping[str, Any]) -> Receipt:
    """The slip: short lines a technician reads at the kiosk (English keys, Chinese heading)."""
    r = Receipt()
    r.text("设备健康报告 Health report", size=2, align=Align.CENTER)
    r.text(f"{report.get('kiosk_id')} · {report.get('hall')}", align=Align.CENTER)
    r.text(str(report.get("generated_at", ""))[:19].replace("T", " ") + " UTC",
           align=Align.CENTER)
    r.separator()
    for kind, info in dict(report.get("devices") or {}).items():
        reason = f" {info.get('reason')}" if info.get("reason") else ""
        r.text(f"{kind}: {info.get('state')}{reason}"[:96])
    r.separator()
    outbox = dict(report.get("outbox") or {})
    age = outbox.get("oldest_age_s")
    r.text(f"outbox pending {outbox.get('pending')} parked {outbox.get('parked')}"
           + (f" oldest {age:.0f} s" if isinstance(age, int | float) else ""))
    r.text(f"last sync {report.get('last_sync') or '-'}")
    r.text(f"disk free {_megabytes(report.get('disk_free_bytes'))}")
    r.text(f"version {report.get('version')}")
    counters = report.get("counters")
    if isinstance(counters, dict):
        r.separator()
        r.text(f"tickets {counters['tickets_issued']} receipts {counters['receipts_printed']}")
        r.text(f"cards {counters['card_reads']} failed {counters['card_failures']} "
               f"decode failures {counters['decode_failures']}")
        r.text(f"device errors {counters['device_errors']} paper left "
               f"{counters['paper_left_m']} m")
    errors = list(report.get("last_errors") or [])
    if errors:
        r.separator()
        for e in errors[:5]:
            r.text(f"{str(e.get('ts', ''))[11:19]} {e.get('level')} {e.get('msg')}"[:96])
    r.feed(2)
    return r
