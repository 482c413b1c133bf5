"""Fixtures for the hall server tests: a real server on loopback (uvicorn in a thread, real HTTP
through httpx) over SQLite and over a real throwaway PostgreSQL, kiosk tokens, images.

``db_url`` is parametrized, so every test that uses it runs on both databases.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import func, select

from kiosk.hall.app import create_app
from kiosk.hall.auth import add_kiosk
from kiosk.hall.settings import HallSettings

SECRET = b"test-hall-secret-0123456789abcdef"
HALL = "QZ01"
START_WAIT_S = 20


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a daemon thread."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", access_log=False))
        self.thread = threading.Thread(target=self.server.run, daemon=True, name="hall")

    def start(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + START_WAIT_S
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the hall server did not start")
            time.sleep(0.01)
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@dataclass
class Hall:
    url: str
    app: FastAPI
    settings: HallSettings
    tokens: dict[str, str]

    def client(self, kiosk: str | None = "K01", **kw: Any) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.tokens[kiosk]}"} if kiosk else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=30, **kw)

    def count(self, model: type) -> int:
        with self.app.state.sessions() as s:
            return int(s.execute(select(func.count()).select_from(model)).scalar_one())

    def files(self) -> list[Path]:
        """Every regular file under the files folder (except the notifications log)."""
        return sorted(p for p in self.settings.files_dir.rglob("*")
                      if p.is_file() and p.name != "notifications.jsonl")


def make_settings(db_url: str, tmp: Path, **over: Any) -> HallSettings:
    values: dict[str, Any] = dict(db_url=db_url, files_dir=tmp / "files", hall_code=HALL,
                                  secret=SECRET)
    values.update(over)
    return HallSettings(**values)


def start_hall(db_url: str, tmp: Path, kiosks: tuple[str, ...] = ("K01", "K02"),
               **over: Any) -> tuple[Hall, ThreadServer]:
    settings = make_settings(db_url, tmp, **over)
    app = create_app(settings)
    tokens = {}
    with app.state.sessions.begin() as s:
        for k in kiosks:
            tokens[k] = add_kiosk(s, k)
    server = ThreadServer(app)
    return Hall(server.start(), app, settings, tokens), server




@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'hall.sqlite3'}"
    return request.getfixturevalue("pg_server").create_database()


@pytest.fixture
def hall(db_url, tmp_path) -> Iterator[Hall]:
    built, server = start_hall(db_url, tmp_path)
    yield built
    server.stop()
    built.app.state.engine.dispose()


# ---- payloads and images ----
def image_bytes(kind: str = "jpeg", size: int = 64, noise: bool = False) -> bytes:
    from PIL import Image

    if noise:
        import numpy as np

        rng = np.random.default_rng(size)
        im = Image.fromarray(rng.integers(0, 255, (size, size, 3), dtype=np.uint8))
    else:
        im = Image.new("RGB", (size, size), (200, 30, 30))
    out = io.BytesIO()
    im.save(out, format="JPEG" if kind == "jpeg" else "PNG", quality=95)
    return out.getvalue()


def sha(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


PERSON = "ab" * 32


def case_payload(pages: dict[str, bytes], *, case_id: str | None = None,
                 person: str = PERSON, items: tuple[str, ...] = ("unemployment-registration",),
                 submitted: datetime | None = None) -> dict[str, Any]:
    return {
        "case_id": case_id or str(uuid.uuid4()), "hall": HALL, "kiosk": "K01",
        "item_ids": list(items), "bundle_id": None, "person_hash": person,
        "masked_name": "张*", "delivery": "locker",
        "submitted_at": (submitted or datetime(2026, 12, 1, 9, 30, tzinfo=UTC)).isoformat(),
        "promised_date": "2026-12-08", "repeat_of": None,
        "materials": [
            {"material_id": "id-card", "name": "身份证", "status": "received", "due_date": None,
             "pages": [{"file": f, "sha256": sha(b), "path": f"/var/kiosk/{f}"}
                       for f, b in pages.items()]},
            {"material_id": "household", "name": "户口簿", "status": "owed",
             "due_date": "2026-12-06", "pages": []}]}


def case_parts(payload: dict[str, Any], pages: dict[str, bytes],
               ctype: str = "image/jpeg") -> dict[str, Any]:
    return {"data": {"case": json.dumps(payload, ensure_ascii=False)},
            "files": [("files", (f, b, ctype)) for f, b in pages.items()]}


def event(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "payload": payload, "created_at": "2026-12-01T09:00:00+08:00"}


def issued(ticket_id: str | None = None, number: str = "A001") -> dict[str, Any]:
    return event("ticket.issued", {
        "hall": HALL, "kiosk": "K01", "uuid": ticket_id or str(uuid.uuid4()), "number": number,
        "service_date": date(2026, 12, 1).isoformat(), "category": "social",
        "item_id": "unemployment-registration", "people_ahead": 3,
        "issued_at": "2026-12-01T09:00:00+08:00", "priority_reason": None,
        "masked_name": None, "category_name": "社会民生"})


def rating(level: int, at: str = "2026-12-04T10:00:00+08:00", **over: Any) -> dict[str, Any]:
    body = {"rating_id": str(uuid.uuid4()), "hall": HALL, "kiosk": "K01",
            "target_kind": "ticket", "target_id": str(uuid.uuid4()), "level": level,
            "reasons": ["等待时间长"], "dimensions": {"overall": level, "attitude": 3},
            "contact_wanted": True, "contact_phone_masked": "138****0000", "at": at}
    body.update(over)
    return body
