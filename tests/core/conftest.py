"""Fixtures for the core tests: a hall config, the shipped catalogue, a clock a test moves by
hand, SQLite files, and a real throwaway PostgreSQL server for the ``postgres`` tests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from config.schema import Config
from drivers.idcard.base import CardType, IdCard
from kiosk.catalogue import Catalogue, load_catalogue
from kiosk.clock import ManualClock
from kiosk.config import load_config
from kiosk.queue import CounterService, QueueService
from kiosk.storage import make_engine, migrate

SHANGHAI = ZoneInfo("Asia/Shanghai")
SECRET = b"test-hall-secret-0123456789abcdef"
# Monday 5 January 2026, 10:00 in the hall: every weekday item is open.
MONDAY_10 = datetime(2026, 1, 5, 10, 0, tzinfo=SHANGHAI)


def make_card(id_number: str = "11010519491231002X", name: str = "张三",
              birth: date = date(1980, 5, 17)) -> IdCard:
    return IdCard(card_type=CardType.RESIDENT, name=name, sex="男", birth_date=birth,
                  id_number=id_number, issuer="北京市公安局西城分局",
                  valid_from=date(2015, 1, 1), valid_until=None, nation="汉")


@pytest.fixture(scope="session")
def config() -> Config:
    return load_config(None)


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(MONDAY_10)


ServiceFactory = Callable[..., QueueService]


@pytest.fixture
def make_service(config, catalogue, clock) -> ServiceFactory:
    def build(engine: Engine, *, kiosk_id: str = "K01", cat: Catalogue | None = None,
              clk: ManualClock | None = None) -> QueueService:
        return QueueService(engine, cat or catalogue, config, clk or clock, kiosk_id,
                            secret=SECRET)
    return build


@pytest.fixture
def service(engine, make_service) -> QueueService:
    return make_service(engine)


@pytest.fixture
def make_counter(config, catalogue, clock) -> Callable[..., CounterService]:
    def build(engine: Engine, *, clk: ManualClock | None = None) -> CounterService:
        return CounterService(engine, catalogue, config, clk or clock)
    return build


@pytest.fixture
def counter(engine, make_counter) -> CounterService:
    """The windows' side of the same hall database as ``service``."""
    return make_counter(engine)






@pytest.fixture
def pg_engine(pg_url) -> Iterator[Engine]:
    eng = make_engine(pg_url, pool_size=10)
    migrate(eng)
    yield eng
    eng.dispose()
