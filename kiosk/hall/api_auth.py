"""Bearer-token authentication of kiosks for everything under ``/api/v1``, as ASGI middleware,
so a request without a valid token is refused (401) before its body is read or parsed: nothing
about a malformed or oversized body is revealed to an unauthenticated caller.

The kiosk id is put in ``request.state.kiosk_id`` for the routes. A database outage answers 503.
Never logs the token.
"""

from __future__ import annotations

import json
from typing import Any

import anyio.to_thread
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from kiosk.hall.auth import kiosk_for_token

API_PREFIX = "/api/v1"
CASES_PATH = "/api/v1/cases"  # multipart uploads: limited per file and part by kiosk.hall.uploads
MAX_JSON_BYTES = 1024 * 1024  # every other kiosk request is a small JSON document


class KioskAuthMiddleware:
    def __init__(self, app: ASGIApp, sessions: sessionmaker[Session]) -> None:
        self.app, self.sessions = app, sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        token = _bearer(scope)
        if token is None:
            await _answer(send, 401, "missing credentials: expected 'Authorization: Bearer "
                                     "<kiosk token>'")
            return
        try:
            kiosk_id = await anyio.to_thread.run_sync(self._lookup, token)
        except (DBAPIError, PoolTimeout):
            await _answer(send, 503, "the hall database is unavailable; retry later")
            return
        if kiosk_id is None:
            await _answer(send, 401, "unknown or revoked kiosk token")
            return
        if scope["path"] != CASES_PATH and _content_length(scope) > MAX_JSON_BYTES:
            await _answer(send, 413, f"request body over {MAX_JSON_BYTES} bytes")
            return
        scope.setdefault("state", {})["kiosk_id"] = kiosk_id
        await self.app(scope, receive, send)

    def _lookup(self, token: str) -> str | None:
        with self.sessions() as session:
            return kiosk_for_token(session, token)


def _content_length(scope: Scope) -> int:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return 0
    return 0


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode("utf-8")
    headers: list[Any] = [(b"content-type", b"application/json"),
                          (b"content-length", str(len(body)).encode())]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
