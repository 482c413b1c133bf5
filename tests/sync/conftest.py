"""Fixtures for the sender's tests: a site file pointing at a test hall server, a migrated
kiosk database, tickets issued through the real queue service, and PostgreSQL for two senders."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from config.schema import Config
from kiosk.catalogue import load_catalogue
from kiosk.clock import ManualClock, SystemClock
from kiosk.config import load_config
from kiosk.queue import CounterService, QueueService
from kiosk.sync.worker import SyncWorker
from tests.sync.fake_hall import TOKEN, FakeHall, ServerThread

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = b"test-hall-secret-0123456789abcdef"
MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=SHANGHAI)
FAST = {"interval_seconds": 0.05, "request_timeout_seconds": 2.0, "max_backoff_seconds": 0.3,
        "heartbeat_seconds": 60.0}


def write_site(path: Path, db_url: str, url: str, token: str = TOKEN, *, kiosk_id: str = "K01",
               **sync: object) -> Path:
    values = {**FAST, **sync}
    lines = ["[kiosk]", f'id = "{kiosk_id}"', f'data_dir = "{path.parent / "var"}"',
             f'database = "{db_url}"', "",
             "[sync]", f'url = "{url}"', f'token = "{token}"']
    for key, value in values.items():
        lines.append(f"{key} = {value!r}" if not isinstance(value, str) else f'{key} = "{value}"')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def hall() -> Iterator[FakeHall]:
    fake = FakeHall()
    yield fake
    for fault in fake.faults:
        fault.release.set()


@pytest.fixture
def server(hall) -> Iterator[ServerThread]:
    thread = ServerThread(hall.app).start()
    yield thread
    for fault in hall.faults:
        fault.release.set()
    thread.stop()


SiteFactory = Callable[..., Path]


@pytest.fixture
def site(tmp_path, sqlite_url, server) -> SiteFactory:
    def build(**sync: object) -> Path:
        url = str(sync.pop("url", server.url))
        db = str(sync.pop("db", sqlite_url))
        return write_site(tmp_path / "site.toml", db, url, **sync)
    return build


@pytest.fixture
def make_worker(engine, site) -> Iterator[Callable[..., SyncWorker]]:
    made: list[SyncWorker] = []

    def build(eng: Engine | None = None, **sync: object) -> SyncWorker:
        config = load_config(site(**sync))
        worker = SyncWorker(eng or engine, config, SystemClock(SHANGHAI))
        made.append(worker)
        return worker
    yield build
    for worker in made:
        worker.stop(timeout=10)


@pytest.fixture
def queue(engine) -> QueueService:
    """Tickets issued on Monday 10:00 through the real service: their outbox rows are the app's."""
    config: Config = load_config(None)
    return QueueService(engine, load_catalogue(), config, ManualClock(MONDAY_10), "K01",
                        secret=SECRET)






def counter_for(queue: QueueService) -> CounterService:
    """The windows' side of ``queue``'s hall: the same database, catalogue, clock and outbox."""
    return CounterService(queue.engine, queue.catalogue, queue.config, queue.clock,
                          outbox=queue.outbox)
