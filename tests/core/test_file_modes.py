"""Database and log files readable by the kiosk's user only; logs rotated and bounded."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy import text

from kiosk import logging_setup
from kiosk.storage import make_engine


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_sqlite_database_and_its_wal_are_private(tmp_path):
    """Given a permissive umask, when the kiosk database is created, then it and its WAL are
    0600."""
    old = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        assert mode(tmp_path / "kiosk.sqlite3") == 0o600
        assert mode(tmp_path / "kiosk.sqlite3-wal") == 0o600
        engine.dispose()
    finally:
        os.umask(old)


def test_log_files_are_private_rotated_and_bounded(tmp_path, monkeypatch):
    """Given small rotation limits, when much more than the limit is logged, then there are at
    most backups + 1 files, each within the size limit, all 0600, in a 0700 folder."""
    monkeypatch.setattr(logging_setup, "LOG_FILE_BYTES", 10_000)
    monkeypatch.setattr(logging_setup, "LOG_BACKUPS", 2)
    old = os.umask(0o022)
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = logging_setup.setup_logging(tmp_path, "INFO")
        log = logging.getLogger("kiosk.test_file_modes")
        for n in range(2000):
            log.info("line %d of a long night", n)
        files = sorted(path.parent.iterdir())
        assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2"]
        assert all(f.stat().st_size <= 10_000 for f in files)
        assert all(mode(f) == 0o600 for f in files)
        assert mode(path.parent) == 0o700
    finally:
        os.umask(old)
        for handler in list(root.handlers):
            if handler not in before:
                root.removeHandler(handler)
                handler.close()
