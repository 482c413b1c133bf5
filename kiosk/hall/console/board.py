"""The hall's display board (叫号屏): the last calls and their windows, live and spoken.

A TV browser opens ``/board?key=…`` (no staff login: the key, derived from the hall secret, is
shown to logged-in staff on the counter page). What it shows is read from the kiosk's
``audit_log`` rows ``queue.called`` / ``queue.recalled`` that every counter action writes in the
same transaction as the ticket change, so calls made by any hall server process or by
``kiosk queue call`` appear too, in the order they happened, and a recall is announced again.
``/board/voice.wav`` speaks one call (kiosk.hall.voice). Must never show a name or anything but
numbers and windows, and never speak text that is not a ticket number and a window id.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from kiosk.catalogue import Catalogue
from kiosk.hall import voice
from kiosk.hall.console import deps
from kiosk.hall.console.live import Memo, event_stream
from kiosk.hall.console.web import ConsoleRoute, PageError, render
from kiosk.storage.models import AuditEntry

router = APIRouter(route_class=ConsoleRoute)

CALL_ACTIONS = ("queue.called", "queue.recalled")
SHOWN_CALLS = 8  # distinct tickets listed on the board
EVENTS_KEPT = 20  # recent call events sent to the page (what it announces from)
INTERVAL_S = 1.0
_DOMAIN = b"zhengwu-kiosk/display-board/v1"
_memo = Memo(ttl=0.8)


def board_key(hall_secret: bytes) -> str:
    """The key in the board's URL: stable per hall secret, useless for anything else."""
    digest = hmac.new(hall_secret, _DOMAIN, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(digest).decode("ascii")


def board_path(hall_secret: bytes) -> str:
    return f"/board?key={board_key(hall_secret)}"


def _check_key(request: Request, key: str) -> None:
    expected = board_key(deps.settings(request).secret)
    if not hmac.compare_digest(key.encode("utf-8", "replace"), expected.encode("ascii")):
        raise PageError(403, "叫号屏地址不正确：请向值班主管索取带密钥的完整地址。",
                        "无法打开叫号屏")


def read_board(engine: Engine, hall: str, catalogue: Catalogue, since: datetime,
               waiting: dict[str, int]) -> dict[str, Any]:
    """The board's whole state: recent call events (oldest first) and the distinct calls."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(AuditEntry.id, AuditEntry.at, AuditEntry.action, AuditEntry.detail)
            .where(AuditEntry.hall == hall, AuditEntry.action.in_(CALL_ACTIONS),
                   AuditEntry.at >= since)
            .order_by(AuditEntry.id.desc()).limit(EVENTS_KEPT * 3)).all()
    names = {w.id: w.name for w in catalogue.windows}
    events, calls, seen = [], [], set()
    for row in rows:
        detail = row.detail or {}
        number, window = str(detail.get("number", "")), str(detail.get("window", ""))
        if not number or not window:
            continue
        event = {"id": row.id, "number": number, "window": window,
                 "recall": row.action == "queue.recalled", "at": row.at.isoformat()}
        if len(events) < EVENTS_KEPT:
            events.append(event)
        ticket = detail.get("ticket") or number
        if ticket not in seen and len(calls) < SHOWN_CALLS:
            seen.add(ticket)
            calls.append({**event, "window_name": names.get(window, window)})
    events.reverse()
    categories = [{"name": c.name, "prefix": c.prefix, "waiting": waiting.get(c.code, 0)}
                  for c in catalogue.categories]
    return {"last_id": rows[0].id if rows else 0, "events": events, "calls": calls,
            "categories": categories}


def _state(request: Request) -> dict[str, Any]:
    settings = deps.settings(request)

    def read() -> dict[str, Any]:
        local_day = datetime.now(settings.tz).date()
        since = datetime.combine(local_day, time(0), tzinfo=settings.tz).astimezone(UTC)
        status = deps.queue_desk(request).status(local_day)
        waiting = {c.code: c.waiting for c in status.categories}
        return read_board(deps.engine(request), settings.hall_code, settings.catalogue(),
                          since, waiting)

    return _memo.get((id(deps.engine(request)), settings.hall_code), read)


@router.get("/board", response_class=HTMLResponse)
async def board_page(request: Request, key: str = "", poll: int = 0) -> Response:
    _check_key(request, key)
    state = await run_in_threadpool(_state, request)
    return render(request, "board.html", {"state": state, "key": key, "poll": bool(poll)})


@router.get("/board/state")
async def board_state(request: Request, key: str = "") -> Response:
    _check_key(request, key)
    state = await run_in_threadpool(_state, request)
    return JSONResponse(state, headers={"Cache-Control": "no-store"})


@router.get("/board/events")
async def board_events(request: Request, key: str = "") -> Response:
    _check_key(request, key)
    return event_stream(request, lambda: _state(request), INTERVAL_S)


@router.get("/board/voice.wav")
async def board_voice(request: Request, key: str = "", number: str = "",
                      window: str = "") -> Response:
    _check_key(request, key)
    if window not in {w.id for w in deps.catalogue(request).windows}:
        raise PageError(422, f"窗口编号“{window[:16]}”不在本大厅的窗口列表中。", "无法播报")
    try:
        text = voice.call_announcement(number, window)
    except ValueError:
        raise PageError(422, "号码应为 1-8 位字母或数字，例如 A023。", "无法播报") from None
    try:
        wav = await run_in_threadpool(voice.synthesise, text)
    except voice.VoiceUnavailable as exc:
        raise PageError(503, f"语音播报暂不可用：{exc}", "无法播报") from None
    return Response(wav, media_type="audio/wav",
                    headers={"Cache-Control": "public, max-age=86400"})
