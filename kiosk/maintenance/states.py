"""The running kiosk's device states on disk, for ``kiosk health`` in a shell.

A shell command must not open the serial ports the running kiosk holds (it would steal a card
read or a print), so the app writes each device's state and reason to
``<data_dir>/device_health.json`` whenever one changes (atomically, off the UI thread), with its
process id and time; ``kiosk health`` reads it and says when no kiosk is running. No citizen data.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

STATE_FILE = "device_health.json"


def write_states(data_dir: Path, devices: Mapping[str, Mapping[str, str]],
                 at: datetime) -> None:
    path = data_dir / STATE_FILE
    tmp = data_dir / f".{STATE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps({"pid": os.getpid(), "at": at.isoformat(),
                               "devices": {k: dict(v) for k, v in devices.items()}},
                              ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_states(data_dir: Path, kinds: list[str]) -> dict[str, dict[str, str]]:
    """Each kind's state and reason as the running kiosk last saw them, or ``unknown`` with why."""
    path = data_dir / STATE_FILE
    try:
        saved: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        saved = {}
    if not saved or not _alive(saved.get("pid")):
        why = ("the kiosk is not running: no device states" if not saved else
               f"the kiosk is not running: states last seen at {saved.get('at')}")
        return {kind: {"state": "unknown", "reason": why} for kind in kinds}
    devices = saved.get("devices") or {}
    return {kind: {k: str(v) for k, v in dict(devices.get(kind) or {
        "state": "unknown", "reason": "not reported by the running kiosk"}).items()}
        for kind in kinds}
