"""A hall server for the sender's tests: the wire contract's idempotent inbox plus fault injection.

It keeps what it stored per ``Idempotency-Key`` (a repeat with the same body hash replays the
first answer with ``Idempotent-Replay: true``; a different body is a 409) and can be told to
answer with a status, be slow, or hold a request before or after storing it until the test lets
go (kill -9 tests). The hash is of the raw body bytes — stricter than the real server, which
hashes the parsed data — so a sender whose retry bodies differ by a byte is caught here.
``ServerThread`` runs any ASGI app (this one or the real ``kiosk.hall.app``) on loopback.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

TOKEN = "test-kiosk-token-K01"
PATHS = {"/api/v1/tickets/events", "/api/v1/cases", "/api/v1/cases/events", "/api/v1/ratings",
         "/api/v1/locker/events", "/api/v1/alerts"}


@dataclass
class Fault:
    """What to do with the next matching request. ``status``: answer it without storing.
    ``delay``: wait first. ``hold``: "before" (wait for ``release``, then drop the request
    unstored) or "after" (store, then wait for ``release``, then answer).
    ``answer_delay``: store at once, answer late."""

    match: Callable[[str, dict[str, Any] | None], bool] = lambda _path, _body: True
    status: int | None = None
    delay: float = 0.0
    hold: str | None = None
    answer_delay: float = 0.0  # store at once, answer this much later (an answer lost)
    times: int = 1  # how many requests it applies to; -1: all
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


class FakeHall:
    def __init__(self, tokens: dict[str, str] | None = None) -> None:
        self.tokens = tokens or {TOKEN: "K01"}
        self.lock = threading.Lock()
        self.inbox: dict[str, tuple[str, str, int, dict[str, Any]]] = {}
        self.stored: list[tuple[str, str, dict[str, Any]]] = []  # path, key, parsed body
        self.files: dict[str, list[tuple[str, str, int]]] = {}  # key -> (filename, sha256, size)
        self.requests: list[tuple[str, str | None]] = []  # every write that arrived
        self.replays = 0
        self.in_flight = 0  # write requests the server is still working on
        self.heartbeats: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.app = self._build()

    # ---- what the tests read ----
    def keys_stored(self) -> Counter[str]:
        with self.lock:
            return Counter(key for _path, key, _body in self.stored)

    def arrivals(self) -> Counter[str]:
        with self.lock:
            return Counter(key for _path, key in self.requests if key)

    def order_of(self, record: str) -> list[str]:
        """Kinds stored for a ticket/case id, in arrival order."""
        with self.lock:
            out = []
            for _path, _key, body in self.stored:
                payload = body.get("payload", body)
                ids = {payload.get("uuid"), payload.get("ticket"), payload.get("case_id")}
                if record in ids:
                    out.append(body.get("kind", "case.created"))
            return out

    def add_fault(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return True
            time.sleep(0.01)
        return predicate()

    # ---- the app ----
    def _take_fault(self, path: str, body: dict[str, Any] | None) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times != 0 and fault.match(path, body):
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    def _build(self) -> FastAPI:
        app = FastAPI()

        @app.post("/api/v1/heartbeat")
        async def heartbeat(request: Request) -> JSONResponse:
            if not self._authorised(request):
                return JSONResponse({"detail": "unknown kiosk token"}, 401)
            with self.lock:
                self.heartbeats.append(await request.json())
            return JSONResponse({"server_time": "2026-12-01T00:00:00+00:00"}, 200)

        @app.post("/api/v1/{rest:path}")
        async def write(rest: str, request: Request) -> JSONResponse:
            with self.lock:
                self.in_flight += 1
            try:
                return await self._write("/api/v1/" + rest, request)
            finally:
                with self.lock:
                    self.in_flight -= 1

        return app

    async def _write(self, path: str, request: Request) -> JSONResponse:
        if path not in PATHS:
            return JSONResponse({"detail": "not found"}, 404)
        kiosk = self._authorised(request)
        if not kiosk:
            return JSONResponse({"detail": "unknown kiosk token"}, 401)
        key = request.headers.get("Idempotency-Key")
        raw = await request.body()
        with self.lock:
            self.requests.append((path, key))
        if not key:
            return JSONResponse({"detail": "Idempotency-Key header required"}, 400)
        parsed, files, error = await self._parse(path, request, raw)
        fault = self._take_fault(path, parsed)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                return JSONResponse({"detail": f"injected {fault.status}"}, fault.status)
            if fault.hold == "before":
                fault.arrived.set()
                await asyncio.to_thread(fault.release.wait, 60)
                return JSONResponse({"detail": "dropped"}, 500)
        if error:
            return JSONResponse({"detail": error}, 422)
        digest = hashlib.sha256(raw).hexdigest()
        answer = self._store(path, key, kiosk, digest, parsed or {}, files)
        if fault is not None and fault.answer_delay:
            await asyncio.sleep(fault.answer_delay)
        if fault is not None and fault.hold == "after":
            fault.arrived.set()
            await asyncio.to_thread(fault.release.wait, 60)
        status, body, replay = answer
        headers = {"Idempotent-Replay": "true"} if replay else {}
        return JSONResponse(body, status, headers=headers)

    def _authorised(self, request: Request) -> str | None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        return self.tokens.get(token) if scheme == "Bearer" else None

    async def _parse(self, path: str, request: Request, raw: bytes
                     ) -> tuple[dict[str, Any] | None, list[tuple[str, str, int]], str | None]:
        if path != "/api/v1/cases":
            try:
                body = json.loads(raw)
            except ValueError:
                return None, [], "body is not JSON"
            return body, [], None if isinstance(body, dict) else "body is not an object"
        form = await request.form()
        try:
            case = json.loads(str(form["case"]))
        except (KeyError, ValueError):
            return None, [], "part 'case' missing or not JSON"
        files = []
        for upload in form.getlist("files"):
            data = await upload.read()  # type: ignore[union-attr]
            if not (data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG")):
                return case, [], f"{upload.filename}: not an image"  # type: ignore[union-attr]
            files.append((upload.filename, hashlib.sha256(data).hexdigest(), len(data)))  # type: ignore[union-attr]
        wanted = [(p["file"], p["sha256"]) for m in case.get("materials", [])
                  for p in m.get("pages", [])]
        if sorted(wanted) != sorted((f, h) for f, h, _n in files):
            return case, files, "pages do not match the uploaded files (name or sha256)"
        if any("path" in p for m in case.get("materials", []) for p in m.get("pages", [])):
            return case, files, "a page carries the kiosk's local path"
        return case, files, None

    def _store(self, path: str, key: str, kiosk: str, digest: str, body: dict[str, Any],
               files: list[tuple[str, str, int]]) -> tuple[int, dict[str, Any], bool]:
        with self.lock:
            if key in self.inbox:
                first_kiosk, first_digest, status, answer = self.inbox[key]
                if first_kiosk != kiosk or first_digest != digest:
                    return 409, {"detail": "Idempotency-Key reused with a different body"}, False
                self.replays += 1
                return status, answer, True
            n = len(self.stored) + 1
            if path == "/api/v1/cases":
                answer: dict[str, Any] = {"case_number": f"SB20261201-{n:04d}",
                                          "case_id": body.get("case_id"),
                                          "receipt_token": f"r{n}"}
                self.files[key] = files
            elif path == "/api/v1/tickets/events":
                payload = body.get("payload", {})
                answer = {"ticket_id": payload.get("uuid") or payload.get("ticket")}
            elif path == "/api/v1/ratings":
                answer = {"rating_id": body.get("rating_id")}
            else:
                answer = {"stored": n}
            self.stored.append((path, key, body))
            self.inbox[key] = (kiosk, digest, 201, answer)
            return 201, answer, False


class ServerThread:
    """Serve an ASGI app on 127.0.0.1 in a thread; ``stop`` then ``start`` again on the same port
    is a server restart (connections refused in between)."""

    def __init__(self, app: Any, port: int = 0) -> None:
        self.app = app
        self.port = port or _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> ServerThread:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="error",
                                lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"test hall server did not start on port {self.port}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            assert self._thread is not None
            self._thread.join(30)
            self._server = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
