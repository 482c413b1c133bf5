"""Fixtures every test layer shares: a migrated SQLite kiosk database per test, and the one
throwaway PostgreSQL server of a test session.

One server for the whole run (core, sync, hall and browser tests each take fresh databases on it),
so the suite pays initdb and start-up once. Missing PostgreSQL fails the run, never skips it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kiosk.storage import make_engine, migrate
from tests.pg_server import PgServer, PgUnavailable


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    server = PgServer()
    try:
        server.start()
    except PgUnavailable as exc:  # the test command installs PostgreSQL: missing is a failure
        pytest.fail(f"cannot start the throwaway PostgreSQL server: {exc}", pytrace=False)
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """A fresh empty database on the throwaway server."""
    return pg_server.create_database()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"


@pytest.fixture
def engine(sqlite_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_url)
    migrate(eng)
    yield eng
    eng.dispose()
