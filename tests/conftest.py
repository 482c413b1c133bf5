"""Fixtures every test layer shares: a migrated SQLite kiosk database per test, and the one
throwaway PostgreSQL server of a test session.

One server per test process (core, sync, hall and browser tests each take fresh databases on
it), so a run pays initdb and start-up once per worker. Missing PostgreSQL fails the run, never
skips it.

``./kiosk.sh test`` runs one pytest-xdist worker per CPU with ``--dist loadfile``: each test file
is kept on one worker (its module fixtures, a browser, a hall server, 220 generated
photos, are built once; figures gathered over a module are written whole), except the files in
``SPREAD``, whose cases are independent of each other and are shared out one by one so the
longest file does not decide the run's length. Every worker has its own temporary folders, its
own PostgreSQL server on a free port, its own Xvfb display and Kivy app.

No test writes into the checkout: ``$KIOSK_CONFIG`` names a site file whose data folder is the
worker's own temporary folder, so a ``kiosk`` command a test runs without ``--config`` (the
hall server's commands, a printer simulator) starts from an empty folder on a clean clone just
as on a machine that has run the suite before.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from kiosk.storage import make_engine, migrate
from tests.pg_server import PgServer, PgUnavailable

# Files whose cases need nothing from each other: each case is its own unit of work for xdist.
SPREAD = frozenset({"tests/ui/test_layout_rules.py"})
# The longest files (`./kiosk.sh test --durations=40`), handed out first, and the spread cases
# last, where they fill in around whatever still runs: a long file started late on one worker
# kept the other idle for minutes at the end of the run.
LONGEST_FIRST = ("tests/ui/test_maint.py", "tests/ui/test_locker_flow.py",
                 "tests/ui/test_submit_journey.py", "tests/ui/test_soak.py",
                 "tests/ui/test_app.py", "tests/devices/test_document_assess.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run order only (every test stays, each file's own order kept): see LONGEST_FIRST."""
    def rank(item: pytest.Item) -> int:
        path = item.nodeid.split("::", 1)[0]
        if path in LONGEST_FIRST:
            return LONGEST_FIRST.index(path)
        return len(LONGEST_FIRST) + (1 if path in SPREAD else 0)

    items.sort(key=rank)  # stable


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``--dist loadfile``, except that a case of a ``SPREAD`` file is a unit of its own."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class FileUnlessSpread(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return nodeid if path in SPREAD else path

    return FileUnlessSpread(config, log)


@pytest.fixture(scope="session", autouse=True)
def site_outside_the_checkout(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("site")
    site = root / "site.toml"
    data = root / "var"
    site.write_text(f'[kiosk]\ndata_dir = "{data}"\n', encoding="utf-8")
    before = os.environ.get("KIOSK_CONFIG")
    os.environ["KIOSK_CONFIG"] = str(site)
    yield site
    if before is None:
        os.environ.pop("KIOSK_CONFIG", None)
    else:
        os.environ["KIOSK_CONFIG"] = before


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
