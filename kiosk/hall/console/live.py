"""Live pages without a message bus: server-sent events fed by polling the shared database.

The board and the citizens' ticket pages show what is in the hall database, which kiosks, the
``kiosk queue`` command and every hall server process write. So each stream re-reads a small
state every ``interval`` seconds and pushes it only when it changed; pages that cannot use
EventSource poll the same state as JSON. A short memo shares one read among the many phones
watching the same ticket. Must never hold a database connection while waiting, and never stream
forever (a stream ends after ``MAX_STREAM_S``; EventSource reconnects by itself).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

# A stream ends after this and the browser reconnects (3 s later): a server restarting for an
# update then waits at most this long for open boards and phones, not indefinitely.
MAX_STREAM_S = 120.0
KEEPALIVE_S = 15.0
RETRY_MS = 3000


class Memo:
    """Results of ``fn`` kept for ``ttl`` seconds per key (thread-safe, bounded)."""

    def __init__(self, ttl: float, max_entries: int = 2048) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._values: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, fn: Callable[[], Any]) -> Any:
        now = time.monotonic()
        with self._lock:
            hit = self._values.get(key)
            if hit is not None and now - hit[0] < self.ttl:
                return hit[1]
        value = fn()
        with self._lock:
            if len(self._values) >= self.max_entries:
                self._values.clear()
            self._values[key] = (now, value)
        return value


def encode_state(state: dict[str, Any]) -> str:
    return json.dumps(state, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str)


def event_stream(request: Request, read_state: Callable[[], dict[str, Any]],
                 interval: float) -> StreamingResponse:
    """``text/event-stream`` of ``state`` events, one each time ``read_state()`` changes."""

    async def events() -> AsyncIterator[str]:
        yield f"retry: {RETRY_MS}\n\n"
        started = last_sent = time.monotonic()
        previous = None
        while time.monotonic() - started < MAX_STREAM_S:
            if await request.is_disconnected():
                return
            text = encode_state(await run_in_threadpool(read_state))
            if text != previous:
                previous = text
                last_sent = time.monotonic()
                yield f"event: state\ndata: {text}\n\n"
            elif time.monotonic() - last_sent > KEEPALIVE_S:
                last_sent = time.monotonic()
                yield ": keep-alive\n\n"
            await asyncio.sleep(interval)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
