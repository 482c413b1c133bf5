"""What the console pages take from the running hall server (``app.state``, see SERVICES.md).

One place reads ``request.app.state`` so the pages never depend on how ``create_app`` names
things. A database transaction per request is opened with ``db(request)``; the console never
commits half an action: a refused change rolls back with its audit row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from kiosk.hall.console.session import session_key

if TYPE_CHECKING:
    from kiosk.catalogue import Catalogue
    from kiosk.hall.queue_desk import QueueDesk
    from kiosk.hall.settings import HallSettings
    from kiosk.queue.service import QueueService


def settings(request: Request) -> HallSettings:
    return request.app.state.settings


def engine(request: Request) -> Engine:
    return request.app.state.engine


def catalogue(request: Request) -> Catalogue:
    return settings(request).catalogue()


def queue_desk(request: Request) -> QueueDesk:
    return request.app.state.queue_desk


def queue_reader(request: Request) -> QueueService:
    """The kiosk's ``QueueService`` on the hall database, for its read-only public helpers (the
    wait estimate's ``mean_service_minutes``). Queue moves go through ``queue_desk`` only."""
    state = request.app.state
    reader = getattr(state, "console_queue_reader", None)
    if reader is None:
        from kiosk.config import load_config
        from kiosk.queue.service import QueueService

        hall = settings(request)
        reader = state.console_queue_reader = QueueService(
            engine(request), hall.catalogue(), load_config(hall.config_file), kiosk_id="hall",
            secret=hall.secret)
    return reader


def cookie_key(request: Request) -> bytes:
    state = request.app.state
    key = getattr(state, "console_cookie_key", None)
    if key is None:
        key = state.console_cookie_key = session_key(settings(request).secret)
    return key


@contextmanager
def db(request: Request) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on any error."""
    with request.app.state.sessions.begin() as session:
        yield session


def now_utc() -> datetime:
    return datetime.now(UTC)


def today(request: Request) -> date:
    return datetime.now(settings(request).tz).date()


def local(request: Request, at: datetime | None) -> datetime | None:
    """A stored UTC instant in the hall's time zone, for display."""
    return at.astimezone(settings(request).tz) if at is not None else None
