"""Open the hall database and bring both schemas to their heads: the kiosk's (tickets,
appointments, outbox … via ``kiosk.storage.migrate``) and the server's own ``hall_*`` tables.

Start-up must stay well under 3 s, so when the hall schema is already at its head Alembic is not
imported at all. Never creates tables with ``create_all``: only migrations do.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from kiosk.storage import make_engine, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "hall_alembic_version"
HEAD_REVISION = "h0002"  # tests/hall/test_storage.py checks this against Alembic's head
_MIGRATION_LOCK_KEY = 0x48414C4C  # "HALL": serialises hall servers migrating one PostgreSQL


def open_engine(url: str, *, pool_size: int = 10) -> Engine:
    return make_engine(url, pool_size=pool_size)


def hall_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as conn:
            return conn.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    except DBAPIError:
        return None


def migrate_hall(engine: Engine, revision: str = "head") -> None:
    """Kiosk schema first (the hall tables never reference it), then the hall's own."""
    migrate(engine)
    if revision == "head" and hall_revision(engine) == HEAD_REVISION:
        return
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("version_table", VERSION_TABLE)
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _MIGRATION_LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)
