"""Fault injection in front of the REAL hall server: an ASGI wrapper around ``create_app``.

For a matching kiosk write it can answer a status itself (the server never sees the request),
wait first, hold the request before the server gets it (then drop it: "never stored"), or let
the server store it and hold the answer (then deliver it, or to nobody if the kiosk was killed).
It also counts arrivals per Idempotency-Key and the server's replay answers, so tests can see
"sent twice" and "answered by replay" on the real inbox.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections import Counter
from typing import Any

from tests.sync.fake_hall import Fault

Scope = dict[str, Any]


class FaultGate:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.lock = threading.Lock()
        self.faults: list[Fault] = []
        self.arrivals: Counter[str] = Counter()
        self.replays = 0
        self.in_flight = 0

    def add_fault(self, fault: Fault) -> Fault:
        with self.lock:
            self.faults.append(fault)
        return fault

    def release_all(self) -> None:
        with self.lock:
            for fault in self.faults:
                fault.times = 0
                fault.release.set()

    def _take(self, path: str, body: dict[str, Any]) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times != 0 and fault.match(path, body):
                    if fault.times > 0:
                        fault.times -= 1
                    return fault
        return None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or scope.get("method") != "POST"
                or not path.startswith("/api/v1/") or path.endswith("/heartbeat")):
            await self.app(scope, receive, send)
            return
        with self.lock:
            self.in_flight += 1
        try:
            await self._write(scope, receive, send, path)
        finally:
            with self.lock:
                self.in_flight -= 1

    async def _write(self, scope: Scope, receive: Any, send: Any, path: str) -> None:
        chunks = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the kiosk went away before its body arrived
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        headers = {k.decode().lower(): v.decode() for k, v in scope.get("headers", [])}
        key = headers.get("idempotency-key", "")
        with self.lock:
            self.arrivals[key] += 1
        try:
            parsed = json.loads(raw) if raw[:1] == b"{" else {}
        except ValueError:
            parsed = {}
        fault = self._take(path, {**parsed, "_key": key})
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                await _json(send, fault.status, {"detail": f"injected {fault.status}"})
                return
            if fault.hold == "before":
                fault.arrived.set()
                await asyncio.to_thread(fault.release.wait, 60)
                await _json(send, 500, {"detail": "dropped before the server saw it"})
                return
        delivered = False

        async def replay_body() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": raw, "more_body": False}
            return await receive()

        held: list[dict[str, Any]] = []

        async def keep(message: dict[str, Any]) -> None:
            held.append(message)

        await self.app(scope, replay_body, keep)
        start = next((m for m in held if m["type"] == "http.response.start"), None)
        if start and any(k.lower() == b"idempotent-replay" and v.lower() == b"true"
                         for k, v in start.get("headers", [])):
            with self.lock:
                self.replays += 1
        if fault is not None and fault.answer_delay:
            await asyncio.sleep(fault.answer_delay)
        if fault is not None and fault.hold == "after":
            fault.arrived.set()
            await asyncio.to_thread(fault.release.wait, 60)
        for message in held:
            try:
                await send(message)
            except OSError:
                return  # the kiosk was killed while we held its answer


async def _json(send: Any, status: int, body: dict[str, Any]) -> None:
    data = json.dumps(body).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(data)).encode())]})
    await send({"type": "http.response.body", "body": data})
