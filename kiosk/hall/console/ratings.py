"""Bad-rating follow-up (差评回访整改): every 不满意 / 非常不满意 rating with its deadlines.

A follow-up is contacted (the rater was called back) and then resolved (the cause fixed and the
rater told), each with a note; deadlines past due show in red. Any member of staff sees the
list; only a supervisor marks contacted or resolved (it is their duty under the 2019 rules).
Goes through ``kiosk.hall.services.ratings``; must never show a clear phone number or name.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk.hall.console import deps
from kiosk.hall.console.web import (
    ConsoleRoute,
    PageError,
    StaffDep,
    checked_form,
    field,
    redirect,
    render,
    supervisor_only,
)
from kiosk.hall.services import ratings as rating_service
from kiosk.hall.services.errors import ServiceRefusal

router = APIRouter(route_class=ConsoleRoute)

LEVEL_ZH = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
TARGET_ZH = {"ticket": "取号", "case": "办件"}
OK = {"contacted": "已记录回访。", "resolved": "已记录整改办结。"}


@router.get("/ratings", response_class=HTMLResponse)
def follow_ups(request: Request, staff: StaffDep, all: int = 0,  # noqa: A002 (query name)
               done: str = "") -> Response:
    with deps.db(request) as session:
        rows = rating_service.list_bad_ratings(session, open_only=not all,
                                               today=deps.today(request))
    return render(request, "ratings.html", {
        "title": "差评回访", "rows": rows, "show_all": bool(all), "level_zh": LEVEL_ZH,
        "target_zh": TARGET_ZH, "ok": OK.get(done, ""),
        "followup": deps.settings(request).followup}, staff=staff)


@router.post("/ratings/{rating_id}/{step}", response_class=HTMLResponse)
async def mark(request: Request, rating_id: str, step: str, staff: StaffDep) -> Response:
    form = await checked_form(request, staff)
    supervisor_only(staff)
    if step not in OK:
        raise PageError(404, "没有这个回访操作。", "操作不存在")
    note = field(form, "note", max_len=500, required=True, label="回访 / 整改说明")
    action = rating_service.mark_contacted if step == "contacted" else rating_service.mark_resolved
    try:
        with deps.db(request) as session:
            action(session, rating_id[:64], actor=staff.user, note=note)
    except ServiceRefusal as refusal:
        raise PageError(refusal.status_code, refusal.message_zh) from None
    return redirect(f"/ratings?done={step}")
