"""The case's own page, ``/case/{token}``: what the progress QR on a submission receipt opens on
a citizen's phone.

No login: the token (``kiosk.tokens.case_token``, signed with the hall secret by the kiosk that
printed the receipt) is the only key, so cases cannot be enumerated. Shows what the kiosk's
progress lookup shows — status, timeline, everything still owed with its deadline, how to
collect — built from the same kiosk view (``kiosk.hall.api_reads.kiosk_view``): the masked
name only, no ID number, no staff notes, no material images. A forged, mangled or unknown token
gets the same friendly 404, and nothing about the token is logged.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from kiosk.hall.api_reads import kiosk_view
from kiosk.hall.console import deps
from kiosk.hall.console.web import ConsoleRoute, render
from kiosk.hall.models import Case
from kiosk.hall.services import cases
from kiosk.tokens import case_from_token

router = APIRouter(route_class=ConsoleRoute)

PENDING = ("received", "under_review", "more_needed")


class CaseGone(Exception):
    """Token invalid or its case unknown: both look the same from outside."""


def read_case(request: Request, token: str) -> dict[str, Any]:
    settings = deps.settings(request)
    case_id = case_from_token(token, settings.secret)
    if case_id is None:
        raise CaseGone()
    with request.app.state.sessions() as s:
        number = s.execute(select(Case.case_number).where(Case.case_id == case_id)).scalar()
        detail = cases.get_case(s, number) if number else None
        if detail is None:
            raise CaseGone()
        view = kiosk_view(s, detail, datetime.now(UTC))
    catalogue = settings.catalogue()
    items, windows = [], []
    for item_id in view["item_ids"]:
        try:
            item = catalogue.item(item_id)
        except KeyError:
            items.append(item_id)
            continue
        items.append(item.name)
        windows += [w for w in item.windows if w not in windows]
    tz = settings.tz
    locker = view["locker"]
    return {
        "number": view["case_number"], "status": view["status"], "status_zh": view["status_zh"],
        "item_names": items, "masked_name": view["masked_name"],
        "submitted": datetime.fromisoformat(view["submitted_at"]).astimezone(tz)
        .strftime("%Y-%m-%d %H:%M"),
        "promised": view["promised_date"] if view["status"] in PENDING else None,
        "owed": [{"name": o["name"], "due": _day(o["due_date"])} for o in view["owed"]],
        "timeline": [{"at": datetime.fromisoformat(t["at"]).astimezone(tz)
                      .strftime("%Y-%m-%d %H:%M"), "status_zh": t["status_zh"]}
                     for t in reversed(view["timeline"])],
        "collect": _collect(view, windows, locker, tz)}


def _day(value: str | None) -> str | None:
    return date.fromisoformat(value).isoformat() if value else None


def _collect(view: dict[str, Any], windows: list[str], locker: dict[str, Any] | None,
             tz: Any) -> str:
    status, delivery = view["status"], view["delivery"]
    where = "、".join(windows) or "办事"
    if status == "collected":
        return "结果已领取。"
    if status == "rejected":
        return "如有疑问，请到服务台咨询。"
    if delivery == "post":
        return "结果将邮寄给您，请留意快递通知。"
    if status == "ready_for_pickup" and locker is not None:
        until = datetime.fromisoformat(locker["expires_at"]).astimezone(tz).date()
        return (f"结果已放入 {locker['compartment']} 号文件柜，取件码已短信发送给您，"
                f"请于 {until.isoformat()} 前到文件柜取件。")
    if status == "ready_for_pickup":
        return f"结果已可领取，请带身份证到 {where} 窗口领取。"
    return f"结果尚未办好，办好后会短信通知您，届时请到 {where} 窗口领取。"


@router.get("/case/{token}", response_class=HTMLResponse)
async def case_page(request: Request, token: str) -> Response:
    try:
        case = await run_in_threadpool(read_case, request, token)
    except CaseGone:
        return render(request, "case_public_404.html", {}, status=404)
    return render(request, "case_public.html", {"c": case})
