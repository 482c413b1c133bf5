"""Open the kiosk database with settings that keep a confirmed ticket, and migrate it.

SQLite: WAL with ``synchronous=FULL`` (a committed ticket survives kill -9 and power loss), a busy
timeout so several processes wait instead of failing, foreign keys on, and every transaction
opened with ``BEGIN IMMEDIATE`` so two writers never deadlock upgrading a read lock.
PostgreSQL: psycopg 3. This module must never create tables itself: only Alembic does.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions. A kiosk whose database is already there starts
# without importing Alembic at all (a quarter of a second of the 3 s cold-start budget);
# tests/core/test_storage.py checks this constant against Alembic's own idea of the head.
HEAD_REVISION = "0006"
BUSY_TIMEOUT_MS = 15_000
# Any constant shared by all kiosks: serialises concurrent `migrate` calls on one PostgreSQL.
_MIGRATION_LOCK_KEY = 0x4B494F534B  # "KIOSK"


def normalise_url(url: str) -> str:
    """Accept ``postgresql://`` (what technicians write) and pick the psycopg 3 driver."""
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def make_engine(url: str, *, echo: bool = False, pool_size: int = 5) -> Engine:
    """An engine for ``url`` (``sqlite:///path`` or ``postgresql://…``) with durable settings."""
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, echo=echo, connect_args={
            "timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=pool_size)
    raise ValueError(f"unsupported database URL {parsed.render_as_string(hide_password=True)}: "
                     "expected sqlite:///… or postgresql://…")


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
