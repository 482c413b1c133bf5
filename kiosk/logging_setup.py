"""Structured log file for a kiosk that runs unattended for months.

One JSON object per line in ``<data_dir>/logs/kiosk.log``, rotated by size, so a technician can
``grep``/``jq`` it and the file never fills the disk (at most ``LOG_FILE_BYTES`` ×
(``LOG_BACKUPS`` + 1)); the folder is 0700 and every log file 0600, rotated ones included, so
only the kiosk's user reads them. Log records must never carry citizen data
(names, ID numbers): callers log masked values or none. This module must never import Kivy; the
app calls ``setup_logging`` before Kivy is imported so Kivy's own logger joins the same file.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import sys
import time
from pathlib import Path

LOG_FILE_BYTES = 2_000_000
LOG_BACKUPS = 5


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}",
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "thread": record.threadName,
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file handler whose files are created 0600 whatever the umask."""

    def _open(self):  # type: ignore[no-untyped-def]  # logging's own signature
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a file left by an older version keeps no wider mode
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(data_dir: Path, level: str = "INFO") -> Path:
    """Send the root logger to the rotating JSON file; returns the file's path. Idempotent."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(log_dir, 0o700)
    path = log_dir / "kiosk.log"
    root = logging.getLogger()
    root.setLevel(level)
    # The console is for the technician: warnings only. (python-escpos calls basicConfig() at
    # import, which would otherwise print every INFO line of the kiosk on stderr.)
    console = [h for h in root.handlers
               if type(h) is logging.StreamHandler and h.stream in (sys.stderr, sys.stdout)]
    if not console:
        console = [logging.StreamHandler(sys.stderr)]
        root.addHandler(console[0])
    for handler in console:
        handler.setLevel(logging.WARNING)
        handler.setFormatter(logging.Formatter("kiosk: %(levelname)s %(name)s: %(message)s"))
    for handler in root.handlers:
        if getattr(handler, "kiosk_file", None) == path:
            return path
    handler = PrivateRotatingFileHandler(path, maxBytes=LOG_FILE_BYTES,
                                         backupCount=LOG_BACKUPS, encoding="utf-8")
    handler.kiosk_file = path  # type: ignore[attr-defined]
    handler.setFormatter(JsonLineFormatter())
    root.addHandler(handler)
    return path
