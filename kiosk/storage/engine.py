"""Open the kiosk database with settings that keep a confirmed ticket, and migrate it.

SQLite: WAL with ``synchronous=FULL`` (a committed ticket survives kill -9 and power loss), a busy
timeout so several processes wait instead of failing, foreign keys on, and every transaction
opened with ``BEGIN IMMEDIATE`` so two writers never deadlock upgrading a read lock.
PostgreSQL: psycopg 3, with a connect timeout and server-side statement, lock and idle-in-
transaction timeouts, so a database host that accepts and never answers, or a lock never
released, ends in an error the caller can show instead of a kiosk frozen forever.
``describe_error`` words a database failure for the technician accurately (disk full, value too
long, timeout, server down). This module must never create tables itself: only Alembic does.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions. A kiosk whose database is already there starts
# without importing Alembic at all (a quarter of a second of the 3 s cold-start budget);
# tests/core/test_storage.py checks this constant against Alembic's own idea of the head.
HEAD_REVISION = "0006"
BUSY_TIMEOUT_MS = 15_000  # SQLite: how long a writer waits for another's lock, then fails
# PostgreSQL: every call ends within these (a ticket commit takes milliseconds).
CONNECT_TIMEOUT_S = 5
STATEMENT_TIMEOUT_MS = 15_000
LOCK_TIMEOUT_MS = 10_000
IDLE_IN_TRANSACTION_TIMEOUT_MS = 60_000
POOL_TIMEOUT_S = 10
# Any constant shared by all kiosks: serialises concurrent `migrate` calls on one PostgreSQL.
_MIGRATION_LOCK_KEY = 0x4B494F534B  # "KIOSK"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` (what technicians write) and pick the psycopg 3 driver."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


class DatabaseUrlError(ValueError):
    """The database URL cannot be used (unparsable, or neither SQLite nor PostgreSQL)."""


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql://…``) with durable settings
    and bounded waits; ``DatabaseUrlError`` for anything else."""
    url = normalise_url(url)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseUrlError("the database URL cannot be parsed: expected sqlite:///path or "
                               "postgresql://user@host/database") from None
    if parsed.get_backend_name() == "sqlite":
        _private_file(parsed.database)
        engine = create_engine(url, echo=echo, connect_args={
            "timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        options = (f"-c statement_timeout={STATEMENT_TIMEOUT_MS} "
                   f"-c lock_timeout={LOCK_TIMEOUT_MS} "
                   f"-c idle_in_transaction_session_timeout={IDLE_IN_TRANSACTION_TIMEOUT_MS}")
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool_size,
                             pool_timeout=POOL_TIMEOUT_S, connect_args={
                                 "connect_timeout": CONNECT_TIMEOUT_S, "options": options,
                                 # a dead peer is noticed in ~20 s instead of two hours
                                 "keepalives": 1, "keepalives_idle": 10,
                                 "keepalives_interval": 5, "keepalives_count": 2})
    raise DatabaseUrlError(
        f"unsupported database URL {parsed.render_as_string(hide_password=True)}: "
        "expected sqlite:///… or postgresql://…")


# SQLSTATE classes and codes (PostgreSQL appendix A) a technician must tell apart.
_SQLSTATE_WORDS = {
    "53100": ("the database server's disk is full", "free space on the database server"),
    "53200": ("the database server is out of memory", "check the database server"),
    "22001": ("a value is longer than its column allows",
              "this is a bug or a bad import file: report it with the log"),
    "57014": ("the database did not answer in time (statement timeout)",
              "check the database server's load and locks"),
    "55P03": ("a database lock was not released in time (lock timeout)",
              "check for a stuck session on the database server"),
    "28P01": ("the database refused the password", "check kiosk.database in the site file"),
    "28000": ("the database refused this user", "check kiosk.database in the site file"),
    "3D000": ("the database named does not exist", "check kiosk.database in the site file"),
}


def describe_error(exc: BaseException) -> tuple[str, str]:
    """``(what happened, what to do)`` for a database failure, in words a technician acts on.
    Never includes statement parameters (they may hold personal data)."""
    orig = getattr(exc, "orig", None) or exc
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate in _SQLSTATE_WORDS:
        return _SQLSTATE_WORDS[sqlstate]
    text = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    lowered = text.lower()
    if "disk is full" in lowered or "no space left" in lowered or isinstance(orig, OSError) \
            and getattr(orig, "errno", None) == errno.ENOSPC:
        return "the disk holding the database is full", "free disk space on the kiosk"
    if "readonly" in lowered or "read-only" in lowered:
        return "the database file is read-only", "check the data folder's permissions"
    if "unable to open database file" in lowered:
        return "the database file cannot be opened", \
            "check kiosk.database and kiosk.data_dir in the site file"
    if "database is locked" in lowered:
        return "the database stayed locked by another process", \
            "check for another kiosk process on this data folder"
    if "timeout" in lowered or "timed out" in lowered:
        return f"the database did not answer in time ({text})", \
            "check the network to the database server and that it is running"
    if sqlstate.startswith("08") or "connection" in lowered or "could not connect" in lowered:
        return f"the database cannot be reached ({text})", \
            "check kiosk.database in the site file and that the database server is running"
    return f"the database failed ({text})", "see the kiosk log"


def _private_file(database: str | None) -> None:
    """Create the SQLite file 0600 before SQLite does (its -wal and -shm files copy the mode):
    tickets hold person hashes and masked names, readable by the kiosk's user only. An existing
    file is only chmod-ed by path, never opened: closing any descriptor of a SQLite file drops
    every POSIX lock this process holds on it (SQLite's own warning), which corrupts it."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    if not path.parent.is_dir():
        return  # SQLite's own "unable to open database file" says it better
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        try:
            if path.stat().st_mode & 0o077 and path.stat().st_uid == os.getuid():
                os.chmod(path, 0o600)
        except OSError:
            pass
    except OSError:
        return  # read-only folder and the like: connecting reports it


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: object) -> None:
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it otherwise).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=FULL")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # IMMEDIATE takes the write lock up front: a ticket transaction reads then writes, and a
        # deferred one could hit SQLITE_BUSY on upgrade where busy_timeout does not help.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except DBAPIError:  # no alembic_version table yet
        return None


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (safe to call from several kiosks at once)."""
    if revision == "head" and current_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any exception."""
    session = Session(engine, expire_on_commit=False)
    try:
        with session.begin():
            yield session
    finally:
        session.close()
