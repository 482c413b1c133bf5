"""Cases (办件管理): the list with filters, a case with its material images and timeline, status
changes with a note, and the one-time list of what is still owed (一次性告知).

Everything goes through ``kiosk.hall.services.cases``; only the transitions it allows are
offered. Material images are served only to a logged-in member of staff, only from the hall's
files folder, never cached by the browser. Must never show more of an applicant than the masked
name, nor accept a status or owed list the service would refuse without saying why.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from kiosk.hall.console import deps
from kiosk.hall.console.session import Staff
from kiosk.hall.console.web import (
    ConsoleRoute,
    PageError,
    StaffDep,
    checked_form,
    field,
    redirect,
    render,
)
from kiosk.hall.services import cases as case_service
from kiosk.hall.services.errors import ServiceRefusal

router = APIRouter(route_class=ConsoleRoute)

PAGE_SIZE = 50
CASE_NUMBER = re.compile(r"^SB\d{8}-\d{4,6}$")
DELIVERY_ZH = {"window": "窗口领取", "locker": "智能柜", "post": "邮寄"}
MATERIAL_ZH = {"received": "已收", "owed": "欠缺（容缺）"}
OWED_ROWS_NEW = 3  # blank rows on the owed form for materials not yet on the case
OK = {"status": "状态已更新。", "owed": "一次性告知清单已保存。"}


def _helpers(request: Request) -> dict[str, Any]:
    items = {i.id: i.name for i in deps.catalogue(request).items}
    return {"status_zh": case_service.STATUS_ZH, "delivery_zh": DELIVERY_ZH,
            "material_zh": MATERIAL_ZH, "item_names": items}


def _parse_day(text: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise PageError(422, f"日期“{text[:20]}”格式不对，应为 年-月-日，例如 2026-12-01。",
                        "筛选条件有误") from None


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, staff: StaffDep, status: str = "", item: str = "",
              day: str = "", number: str = "", page: int = 1) -> Response:
    number = number.strip().upper()
    if status and status not in case_service.STATUSES:
        raise PageError(422, f"没有“{status[:20]}”这种办件状态。", "筛选条件有误")
    if number and not CASE_NUMBER.match(number):
        raise PageError(422, f"办件编号“{number[:24]}”格式不对，应类似 SB20261201-0001。",
                        "筛选条件有误")
    when = _parse_day(day)
    page = max(1, min(page, 1000))
    with deps.db(request) as session:
        if number:
            found = case_service.get_case(session, number)
            rows = [found] if found else []
        else:
            rows = case_service.list_cases(session, status=status or None, item_id=item or None,
                                           day=when, limit=PAGE_SIZE + 1,
                                           offset=(page - 1) * PAGE_SIZE)
    items = sorted(deps.catalogue(request).items, key=lambda i: (i.category, i.id))
    return render(request, "cases.html", {
        "title": "办件管理", "rows": rows[:PAGE_SIZE], "more": len(rows) > PAGE_SIZE,
        "page": page, "items": items, "statuses": case_service.STATUSES,
        "f": {"status": status, "item": item, "day": day, "number": number},
        **_helpers(request)}, staff=staff)


def _case_page(request: Request, staff: Staff, number: str, *, ok: str = "", error: str = "",
               status: int = 200) -> Response:
    with deps.db(request) as session:
        case = case_service.get_case(session, number)
    if case is None:
        raise PageError(404, f"没有找到办件 {number[:24]}。", "办件不存在")
    catalogue = deps.catalogue(request)
    listed = {m.material_id for m in case.materials}
    extra = []  # catalogue materials of the case's items not on the case yet: can become owed
    for item_id in case.item_ids:
        try:
            item = catalogue.item(item_id)
        except KeyError:
            continue
        for i, mat in enumerate(item.materials):
            mid = f"{item_id}:{i}"
            if mid not in listed and mat.name not in {m.name for m in case.materials}:
                extra.append({"material_id": mid, "name": mat.name})
    return render(request, "case.html", {
        "title": f"办件 {case.case_number}", "case": case, "ok": ok, "error": error,
        "next_statuses": case_service.ALLOWED.get(case.status, ()), "extra": extra,
        "blank_rows": OWED_ROWS_NEW, **_helpers(request)}, staff=staff, status=status)


@router.get("/cases/{number}", response_class=HTMLResponse)
def case_page(request: Request, number: str, staff: StaffDep, done: str = "") -> Response:
    return _case_page(request, staff, number, ok=OK.get(done, ""))


@router.post("/cases/{number}/status", response_class=HTMLResponse)
async def change_status(request: Request, number: str, staff: StaffDep) -> Response:
    form = await checked_form(request, staff)
    wanted = field(form, "status", max_len=32, required=True, label="新状态")
    note = field(form, "note", max_len=500, required=True, label="说明")

    def change() -> Response:
        try:
            with deps.db(request) as session:
                case_service.change_status(session, number, wanted, actor=staff.user, note=note,
                                           notifier=request.app.state.notifier)
        except ServiceRefusal as refusal:
            return _case_page(request, staff, number, error=refusal.message_zh,
                              status=getattr(refusal, "status_code", 422))
        return redirect(f"/cases/{number}?done=status")

    return await run_in_threadpool(change)


def owed_from_form(form: FormData) -> list[case_service.OwedItem]:
    """Rows ``owed_<i>`` (checkbox), ``mid_<i>``, ``name_<i>``, ``due_<i>`` → the owed list."""
    owed: dict[str, case_service.OwedItem] = {}
    indices = sorted({k.split("_", 1)[1] for k in form if k.startswith("mid_")})
    for i in indices:
        name = field(form, f"name_{i}", max_len=100, label="材料名称")
        mid = field(form, f"mid_{i}", max_len=100) or (f"extra:{name}" if name else "")
        if not form.get(f"owed_{i}") or not mid:
            continue
        if not name:
            raise PageError(422, "勾选为欠缺的材料需要填写材料名称。", "清单不完整")
        due_text = field(form, f"due_{i}", max_len=10)
        try:
            due = date.fromisoformat(due_text) if due_text else None
        except ValueError:
            raise PageError(422, f"“{name}”的补交期限“{due_text}”格式不对，应为 年-月-日。",
                            "清单有误") from None
        owed[mid] = case_service.OwedItem(material_id=mid, name=name, due_date=due)
    return list(owed.values())


@router.post("/cases/{number}/owed", response_class=HTMLResponse)
async def set_owed(request: Request, number: str, staff: StaffDep) -> Response:
    form = await checked_form(request, staff)
    owed = owed_from_form(form)
    note = field(form, "note", max_len=500, label="说明")

    def save() -> Response:
        try:
            with deps.db(request) as session:
                case_service.set_owed(session, number, owed, actor=staff.user, note=note)
        except ServiceRefusal as refusal:
            return _case_page(request, staff, number, error=refusal.message_zh,
                              status=getattr(refusal, "status_code", 422))
        return redirect(f"/cases/{number}?done=owed")

    return await run_in_threadpool(save)


@router.get("/cases/{number}/pages/{page_id}")
def case_page_image(request: Request, number: str, page_id: int, staff: StaffDep) -> Response:
    files_dir = Path(deps.settings(request).files_dir).resolve()
    with deps.db(request) as session:
        case = case_service.get_case(session, number)
        path = case_service.page_path(session, number, page_id, files_dir)
    page = next((p for m in (case.materials if case else []) for p in m.pages
                 if p.id == page_id), None)
    if path is None or page is None:
        raise PageError(404, "没有这张材料图片。", "图片不存在")
    path = path.resolve()
    if not path.is_relative_to(files_dir) or not path.is_file():
        raise PageError(404, "材料图片文件已不在服务器上，请联系管理员。", "图片不存在")
    return FileResponse(path, media_type=page.content_type,
                        headers={"Cache-Control": "private, no-store",
                                 "X-Content-Type-Options": "nosniff"})
