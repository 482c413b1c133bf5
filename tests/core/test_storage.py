"""Storage: durable SQLite settings, Alembic migrations on empty databases, models = migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.exc import IntegrityError

from kiosk.storage import Base, Ticket, make_engine, migrate, normalise_url
from kiosk.storage.engine import HEAD_REVISION

TABLES = {"tickets", "daily_sequences", "appointments", "outbox", "audit_log", "alerts",
          "alembic_version"}


def ticket_row(seq: int, **over: object) -> dict[str, object]:
    row = dict(id=f"00000000-0000-0000-0000-{seq:012d}", hall="QZ01",
               service_date=date(2026, 1, 5), category="social", prefix="A", seq=seq,
               number=f"A{seq:03d}", item_id="x", priority=False, status="waiting", recalls=0,
               issued_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC), kiosk_id="K01")
    row.update(over)
    return row


def test_normalise_url_picks_psycopg3():
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("sqlite:///x.db") == "sqlite:///x.db"


def test_unsupported_url_is_refused():
    with pytest.raises(ValueError, match="expected sqlite"):
        make_engine("mysql://u@h/db")


def test_sqlite_migrates_from_empty_with_durable_settings(sqlite_url):
    """Given an empty SQLite file, when migrating twice, then every table exists, the second run
    is a no-op, and connections use WAL + synchronous=FULL + foreign keys + busy timeout."""
    engine = make_engine(sqlite_url)
    migrate(engine)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 10_000
        version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        assert version == HEAD_REVISION


def test_sqlite_models_match_migrations(engine):
    """Given a migrated database, when Alembic compares it with the models, then no difference."""
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_unique_number_is_enforced_by_the_database(engine):
    """Given ticket A001 stored, when another row claims (hall, date, A, 1), then it is refused."""
    with engine.begin() as conn:
        conn.execute(insert(Ticket).values(**ticket_row(1)))
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(insert(Ticket).values(**ticket_row(1, id="another")))


def test_timestamps_come_back_aware_utc(engine):
    """Given a Shanghai-time timestamp, when stored and read, then the same instant in UTC."""
    at = datetime(2026, 1, 5, 0, 30, tzinfo=timezone(timedelta(hours=8)))
    with engine.begin() as conn:
        conn.execute(insert(Ticket).values(**ticket_row(1, issued_at=at)))
        back = conn.execute(select(Ticket.issued_at)).scalar_one()
    assert back == at and back.tzinfo is UTC
    with pytest.raises(Exception, match="naive"), engine.begin() as conn:
        conn.execute(insert(Ticket).values(**ticket_row(2, issued_at=datetime(2026, 1, 5))))


@pytest.mark.postgres
def test_postgresql_migrates_from_empty_and_matches_models(pg_url):
    """Given an empty PostgreSQL database, when migrating (plain postgresql:// URL), then every
    table exists and Alembic finds no difference from the models."""
    engine = make_engine(pg_url.replace("postgresql+psycopg://", "postgresql://"))
    migrate(engine)
    migrate(engine)
    assert set(inspect(engine).get_table_names()) >= TABLES
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_session_scope_commits_or_rolls_back(engine):
    """Given a unit of work that fails, nothing of it stays; one that succeeds is committed."""
    from kiosk.storage import Alert, session_scope

    at = datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    alert = dict(at=at, kiosk_id="K01", kind="printer.paper_out", severity="error",
                 message="out of paper", message_zh="打印机缺纸")
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        session.add(Alert(**alert))
        session.flush()
        raise RuntimeError("boom")
    with session_scope(engine) as session:
        assert session.scalars(select(Alert)).all() == []
        session.add(Alert(**alert))
    with session_scope(engine) as session:
        assert [a.kind for a in session.scalars(select(Alert))] == ["printer.paper_out"]


def test_head_revision_constant_is_alembics_head():
    """Given the migrations folder, when Alembic reads it, then its head is HEAD_REVISION, so the
    start-up fast path never skips a migration that exists."""
    from alembic.config import Config as AlembicConfig
    from alembic.script import ScriptDirectory

    from kiosk.storage.engine import HEAD_REVISION, MIGRATIONS_DIR

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    assert ScriptDirectory.from_config(cfg).get_current_head() == HEAD_REVISION


def test_migrate_on_an_up_to_date_database_does_not_run_alembic(sqlite_url, monkeypatch):
    """Given a database at head, when migrating again, then Alembic's upgrade is not called."""
    from alembic import command

    engine = make_engine(sqlite_url)
    migrate(engine)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("upgrade ran on an up-to-date database")

    monkeypatch.setattr(command, "upgrade", refuse)
    migrate(engine)
    with pytest.raises(AssertionError, match="upgrade ran"):
        migrate(make_engine(sqlite_url.replace(".sqlite3", "-empty.sqlite3")))
