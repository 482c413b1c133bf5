"""Every database call ends: connect and statement timeouts, and failures worded accurately."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError

from kiosk.storage import engine as storage
from kiosk.storage.engine import describe_error, make_engine


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A host that accepts TCP connections and never says a word (a frozen database host)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    yield sock.getsockname()[1]
    sock.close()


@pytest.mark.timeout(60)
def test_a_database_host_that_never_answers_fails_instead_of_hanging(silent_server,
                                                                     monkeypatch):
    """Given a PostgreSQL URL whose host accepts and never answers, when the kiosk connects,
    then the connection fails (connect_timeout) and the failure says it did not answer."""
    monkeypatch.setattr(storage, "CONNECT_TIMEOUT_S", 1)
    engine = make_engine(f"postgresql://kiosk@127.0.0.1:{silent_server}/hall")
    with pytest.raises(OperationalError) as info, engine.connect():
        pass
    what, todo = describe_error(info.value)
    assert "in time" in what or "cannot be reached" in what
    engine.dispose()


@pytest.mark.postgres
@pytest.mark.timeout(60)
def test_a_statement_that_runs_too_long_is_cancelled_by_the_server(pg_url, monkeypatch):
    """Given statement_timeout set by the engine, when a statement runs longer, then PostgreSQL
    cancels it (57014) and the technician reads "did not answer in time"."""
    monkeypatch.setattr(storage, "STATEMENT_TIMEOUT_MS", 300)
    engine = make_engine(pg_url)
    with pytest.raises(DBAPIError) as info, engine.connect() as conn:
        conn.execute(text("SELECT pg_sleep(30)"))
    assert getattr(info.value.orig, "sqlstate", None) == "57014"
    assert "did not answer in time" in describe_error(info.value)[0]
    engine.dispose()


@pytest.mark.postgres
def test_a_value_too_long_is_not_reported_as_a_server_down(pg_url):
    engine = make_engine(pg_url)
    with pytest.raises(DBAPIError) as info, engine.begin() as conn:
        conn.execute(text("CREATE TEMP TABLE t (x varchar(2))"))
        conn.execute(text("INSERT INTO t VALUES ('far too long')"))
    what, todo = describe_error(info.value)
    assert "longer than its column" in what and "server is running" not in todo
    engine.dispose()


def test_sqlite_disk_full_is_named_as_such(tmp_path):
    """Given a SQLite database that can grow no more (max_page_count: SQLite's own
    "database or disk is full"), when a write fails, then the reason says the disk is full."""
    engine = make_engine(f"sqlite:///{tmp_path / 'k.sqlite3'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
    with pytest.raises(DBAPIError) as info, engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA max_page_count = 3")
        conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": "x" * 100_000})
    what, todo = describe_error(info.value)
    assert what == "the disk holding the database is full"
    assert "free disk space" in todo
    engine.dispose()


@pytest.mark.parametrize("url", ["mysql://kiosk@db/hall", "::::"])
def test_unsupported_or_unparsable_urls_are_a_typed_error(url):
    with pytest.raises(storage.DatabaseUrlError):
        make_engine(url)
