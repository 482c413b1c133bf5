"""The counter page (窗口叫号): a clerk picks their window, calls, recalls, skips and finishes.

Queue moves go through ``app.state.queue_desk`` (kiosk/hall/queue_desk.py, the adapter over the
kiosk's queue services on the shared hall database), which applies the calling rules (green
channel first, then number order) and writes the ticket audit rows; this page adds a
``hall_audit`` row naming the clerk. What is on screen (the window's current ticket, who waits
next) is read straight from the ``tickets`` table, read-only. Must never change a ticket itself,
and never show more of a citizen than the masked name.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool

from kiosk.catalogue import Catalogue, Window
from kiosk.hall import audit
from kiosk.hall.console import deps
from kiosk.hall.console.board import board_path
from kiosk.hall.console.session import Staff
from kiosk.hall.console.web import (
    ConsoleRoute,
    PageError,
    StaffDep,
    checked_form,
    redirect,
    render,
)
from kiosk.queue.errors import QueueRefusal
from kiosk.queue.tickets import PRIORITY_REASONS_ZH
from kiosk.storage.models import Ticket, TicketStatus

router = APIRouter(route_class=ConsoleRoute)

ACTIONS = {"call": ("call_next", "已呼叫下一位。"),
           "recall": ("recall", "已重呼，叫号屏将再次播报。"),
           "skip": ("skip", "已过号。"), "done": ("done", "已办结。")}
NEXT_SHOWN = 8


def _window_or_404(catalogue: Catalogue, window_id: str) -> Window:
    window = next((w for w in catalogue.windows if w.id == window_id), None)
    if window is None:
        raise PageError(404, f"没有编号为“{window_id[:16]}”的窗口，请从窗口列表中选择。",
                        "窗口不存在")
    return window


def read_counter(engine: Engine, hall: str, day: date, catalogue: Catalogue,
                 window_id: str, category: str) -> dict[str, Any]:
    """The window's current ticket and the next tickets this window would call, in order."""
    served = [i.id for i in catalogue.items_served_at(window_id)]
    with engine.connect() as conn:
        current = conn.execute(
            select(Ticket).where(Ticket.hall == hall, Ticket.window_id == window_id,
                                 Ticket.status == TicketStatus.CALLED.value)
            .order_by(Ticket.called_at.desc()).limit(1)).first()
        waiting = conn.execute(
            select(Ticket.number, Ticket.priority_reason, Ticket.item_id).where(
                Ticket.hall == hall, Ticket.service_date == day, Ticket.category == category,
                Ticket.status == TicketStatus.WAITING.value, Ticket.item_id.in_(served))
            .order_by(Ticket.priority.desc(), Ticket.seq).limit(NEXT_SHOWN)).all()
    names = {i.id: i.name for i in catalogue.items}
    now = None
    if current is not None:
        now = {"number": current.number, "item": names.get(current.item_id, current.item_id),
               "priority": PRIORITY_REASONS_ZH.get(current.priority_reason or "", ""),
               "masked_name": current.masked_name or "", "called_at": current.called_at,
               "issued_at": current.issued_at, "recalls": current.recalls}
    upcoming = [{"number": r.number, "item": names.get(r.item_id, r.item_id),
                 "priority": PRIORITY_REASONS_ZH.get(r.priority_reason or "", "")}
                for r in waiting]
    return {"current": now, "upcoming": upcoming}


def current_numbers(engine: Engine, hall: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(Ticket.window_id, Ticket.number).where(
            Ticket.hall == hall, Ticket.status == TicketStatus.CALLED.value)).all()
    return {r.window_id: r.number for r in rows}


@router.get("/counter", response_class=HTMLResponse)
async def windows(request: Request, staff: StaffDep) -> Response:
    settings = deps.settings(request)
    catalogue = settings.catalogue()
    busy = await run_in_threadpool(current_numbers, deps.engine(request), settings.hall_code)
    groups = [(c, [w for w in catalogue.windows if w.category == c.code])
              for c in catalogue.categories]
    return render(request, "counter_list.html", {
        "title": "窗口叫号", "groups": groups, "busy": busy,
        "board_url": board_path(settings.secret)}, staff=staff)


def _counter_page(request: Request, staff: Staff, window_id: str, *, ok: str = "",
                  error: str = "", status: int = 200) -> Response:
    settings = deps.settings(request)
    catalogue = settings.catalogue()
    window = _window_or_404(catalogue, window_id)
    day = deps.today(request)
    seen = read_counter(deps.engine(request), settings.hall_code, day, catalogue, window.id,
                        window.category)
    queue = next((c for c in deps.queue_desk(request).status(day).categories
                  if c.code == window.category), None)
    return render(request, "counter.html", {
        "title": f"{window.id} 窗口叫号", "window": window, "queue": queue, "ok": ok,
        "error": error, **seen}, staff=staff, status=status)


@router.get("/counter/{window_id}", response_class=HTMLResponse)
async def counter(request: Request, window_id: str, staff: StaffDep,
                  done: str = "") -> Response:
    ok = ACTIONS[done][1] if done in ACTIONS else ""
    return await run_in_threadpool(_counter_page, request, staff, window_id, ok=ok)


@router.post("/counter/{window_id}/{action}", response_class=HTMLResponse)
async def act(request: Request, window_id: str, action: str,
              staff: StaffDep) -> Response:
    await checked_form(request, staff)
    window = _window_or_404(deps.catalogue(request), window_id)
    if action not in ACTIONS:
        raise PageError(404, "没有这个叫号操作。", "操作不存在")
    method = getattr(deps.queue_desk(request), ACTIONS[action][0])
    try:
        ticket = await run_in_threadpool(method, window.id)
    except QueueRefusal as refusal:
        with deps.db(request) as session:
            audit.record(session, staff.user, f"counter.{action}.refused", window.id,
                         {"reason": type(refusal).__name__})
        return await run_in_threadpool(_counter_page, request, staff, window.id,
                                       error=refusal.message_zh, status=409)
    with deps.db(request) as session:
        audit.record(session, staff.user, f"counter.{action}", window.id,
                     {"number": ticket.number, "status": ticket.status,
                      "recalls": ticket.recalls})
    return redirect(f"/counter/{window.id}?done={action}")
