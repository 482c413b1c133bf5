"""The ticket's own page, ``/q/{token}``: what the QR on every ticket opens on a citizen's phone.

No login: the token (kiosk.tokens, signed with the hall secret) is the only key, so a
number cannot be enumerated. Shows the number, people ahead, the estimated wait and the numbers
being served, updated live (server-sent events, polling as the fallback), so people can sit down
or step out. Must never show the name, the item applied for or anything else personal, and must
answer a forged, mangled or unknown token with the same friendly 404.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import and_, func, or_, select
from starlette.concurrency import run_in_threadpool

from kiosk.catalogue import Category
from kiosk.hall.console import deps
from kiosk.hall.console.live import Memo, event_stream
from kiosk.hall.console.web import ConsoleRoute, render
from kiosk.storage.models import Ticket, TicketStatus
from kiosk.tokens import ticket_from_token

router = APIRouter(route_class=ConsoleRoute)

INTERVAL_S = 3.0
SERVING_SHOWN = 3
_memo = Memo(ttl=1.0)
_category_memo = Memo(ttl=1.0)

STATUS_ZH = {"waiting": "等候中", "called": "请前往窗口", "serving": "办理中", "done": "已办结",
             "skipped": "已过号", "expired": "已失效"}


class TicketGone(Exception):
    """Token invalid or its ticket unknown: both look the same from outside."""


def _category_view(request: Request, category: Category, day: date) -> tuple[float, list[str]]:
    """What every phone watching this category shares: mean service minutes, now serving."""

    def read() -> tuple[float, list[str]]:
        with deps.engine(request).connect() as conn:
            mean = deps.queue_reader(request).mean_service_minutes(conn, category, day)
            serving = [r.number for r in conn.execute(
                select(Ticket.number).where(
                    Ticket.hall == deps.settings(request).hall_code, Ticket.service_date == day,
                    Ticket.category == category.code, Ticket.called_at.is_not(None))
                .order_by(Ticket.called_at.desc()).limit(SERVING_SHOWN)).all()]
        return mean, serving

    return _category_memo.get((id(deps.engine(request)), category.code, day), read)


def read_ticket(request: Request, ticket_id: str) -> dict[str, Any]:
    settings = deps.settings(request)
    today = deps.today(request)
    with deps.engine(request).connect() as conn:
        row = conn.execute(select(Ticket).where(Ticket.id == ticket_id,
                                                Ticket.hall == settings.hall_code)).first()
        if row is None:
            raise TicketGone()
        status = row.status if row.service_date == today else "expired"
        ahead = None
        if status == TicketStatus.WAITING.value:
            # The calling order (kiosk.queue.counter): priority first, then number order.
            ahead = int(conn.execute(select(func.count()).select_from(Ticket).where(
                Ticket.hall == row.hall, Ticket.service_date == row.service_date,
                Ticket.category == row.category, Ticket.status == TicketStatus.WAITING.value,
                or_(and_(Ticket.priority.is_(True), Ticket.priority != row.priority),
                    and_(Ticket.priority == row.priority, Ticket.seq < row.seq)))).scalar_one())
    category = settings.catalogue().category(row.category)
    mean, serving = _category_view(request, category, today)
    wait = None
    if ahead is not None:
        wait = math.ceil(ahead * mean / max(1, len(category.windows))) if ahead else 0
    return {"number": row.number, "category": category.name, "status": status,
            "status_zh": STATUS_ZH.get(status, status), "ahead": ahead, "wait_minutes": wait,
            "window": row.window_id if status == TicketStatus.CALLED.value else None,
            "serving": serving, "service_date": _day(row.service_date),
            "updated": datetime.now(settings.tz).strftime("%H:%M:%S")}


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日"


def _ticket_id(request: Request, token: str) -> str:
    ticket_id = ticket_from_token(token, deps.settings(request).secret)
    if ticket_id is None:
        raise TicketGone()
    return ticket_id


def _state(request: Request, token: str) -> dict[str, Any]:
    ticket_id = _ticket_id(request, token)
    return _memo.get((id(deps.engine(request)), ticket_id),
                     lambda: read_ticket(request, ticket_id))


def _gone(request: Request) -> HTMLResponse:
    return render(request, "ticket_404.html", {}, status=404)


@router.get("/q/{token}", response_class=HTMLResponse)
async def ticket_page(request: Request, token: str) -> Response:
    try:
        state = await run_in_threadpool(_state, request, token)
    except TicketGone:
        return _gone(request)
    return render(request, "ticket.html", {"t": state, "token": token})


@router.get("/q/{token}/state")
async def ticket_state(request: Request, token: str) -> Response:
    try:
        state = await run_in_threadpool(_state, request, token)
    except TicketGone:
        return JSONResponse({"detail": "没有这张票"}, status_code=404)
    return JSONResponse(state, headers={"Cache-Control": "no-store"})


@router.get("/q/{token}/events")
async def ticket_events(request: Request, token: str) -> Response:
    try:
        await run_in_threadpool(_state, request, token)
    except TicketGone:
        return JSONResponse({"detail": "没有这张票"}, status_code=404)
    return event_stream(request, lambda: _state(request, token), INTERVAL_S)
