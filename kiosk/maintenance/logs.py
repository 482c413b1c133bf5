"""The kiosk's recent log, read back for the technician's screen, bounded and filterable.

Reads at most ``MAX_BYTES`` from the end of ``<data_dir>/logs/kiosk.log`` (the JSON lines of
``kiosk.logging_setup``), so a log of months never stalls the screen; lines that are not JSON
(an older format, a torn last line) are shown as they are. Filters by minimum level and by
device (its kind in the logger name or the message). The log holds no citizen data by the
logging rule; this module adds nothing to it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 256 * 1024
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
# what a line about each device says (the printer's flow logs "print", the locker "door")
DEVICE_WORDS = {"idcard": ("idcard", "card"), "scanner": ("scanner", "scan"),
                "camera": ("camera",), "printer": ("printer", "print", "paper"),
                "locker": ("locker", "door")}


@dataclass(frozen=True)
class LogLine:
    ts: str
    level: str
    logger: str
    msg: str

    def mentions(self, device: str) -> bool:
        text = f"{self.logger} {self.msg}".lower()
        return any(word in text for word in DEVICE_WORDS.get(device, (device,)))


def log_file(data_dir: Path) -> Path:
    return data_dir / "logs" / "kiosk.log"


def read_log(path: Path, *, limit: int = 200, min_level: str = "DEBUG",
             device: str = "") -> list[LogLine]:
    """The newest ``limit`` lines (newest first) at ``min_level`` or above, about ``device``."""
    try:
        with path.open("rb") as fh:
            fh.seek(0, 2)
            size = fh.tell()
            fh.seek(max(0, size - MAX_BYTES))
            data = fh.read()
    except OSError:
        return []
    lines = data.decode("utf-8", errors="replace").splitlines()
    if len(data) == MAX_BYTES and lines:
        lines = lines[1:]  # cut mid-line by the bound
    floor = LEVELS.index(min_level) if min_level in LEVELS else 0
    out: list[LogLine] = []
    for raw in reversed(lines):
        line = _parse(raw)
        if line is None:
            continue
        level = LEVELS.index(line.level) if line.level in LEVELS else len(LEVELS) - 1
        if level < floor or (device and not line.mentions(device)):
            continue
        out.append(line)
        if len(out) >= limit:
            break
    return out


def _parse(raw: str) -> LogLine | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        entry = json.loads(raw)
    except ValueError:
        return LogLine("", "INFO", "", raw[:500])
    if not isinstance(entry, dict):
        return LogLine("", "INFO", "", raw[:500])
    return LogLine(str(entry.get("ts", "")), str(entry.get("level", "INFO")),
                   str(entry.get("logger", "")), str(entry.get("msg", ""))[:500])
