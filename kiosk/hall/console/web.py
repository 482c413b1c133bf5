"""Rendering for the console: Jinja2 templates, the guard every staff page passes, error pages.

``ConsoleRoute`` turns the console's own exceptions into pages: ``LoginRequired`` → the login
page (303), ``PageError`` → a page with one clear Chinese line and the right status. Every staff
page depends on ``staff_required``; every POST form goes through ``checked_form`` (same origin +
CSRF token). Must never render a traceback, an exception's repr or personal data into a page.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy import select
from starlette.datastructures import FormData

from kiosk.hall.console import deps
from kiosk.hall.console.session import (
    SESSION_COOKIE,
    Staff,
    csrf_ok,
    decode_session,
    same_origin,
)
from kiosk.hall.models import Staff as StaffRow

HALL_DIR = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = HALL_DIR / "templates"
STATIC_DIR = HALL_DIR / "static"

templates = Jinja2Templates(directory=str(TEMPLATES_DIR))

# Every page: never framed (staff forms cannot be clickjacked), no inline script, and no
# Referer to other sites (the board's key and ticket tokens travel in URLs).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; media-src 'self' data:; "
        "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; "
        "base-uri 'none'; object-src 'none'"),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


class LoginRequired(Exception):
    """No valid staff session: send the browser to the login page."""


class PageError(Exception):
    """A refusal shown to staff as a page with one clear line."""

    def __init__(self, status: int, message: str, title: str = "无法完成操作") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title


@pass_context
def _local_time(ctx: Context, value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant shown in the hall's time zone."""
    if value is None:
        return "—"
    return value.astimezone(ctx["hall_tz"]).strftime(fmt)


templates.env.filters["local"] = _local_time


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status: int = 200, staff: Staff | None = None) -> HTMLResponse:
    settings = deps.settings(request)
    page: dict[str, Any] = {"hall_tz": settings.tz,
        "hall_name": settings.hall_name or settings.hall_code, "staff": staff,
        "csrf": staff.csrf if staff else "", "path": request.url.path,
    }
    page.update(context or {})
    return templates.TemplateResponse(request, name, page, status_code=status,
                                      headers=SECURITY_HEADERS)


def current_staff(request: Request) -> Staff | None:
    """The session's member of staff, if the account still exists, is enabled, and with the
    role it has now: disabling an account or changing a role takes effect on the next page, not
    when the 12-hour cookie runs out."""
    staff = decode_session(deps.cookie_key(request), request.cookies.get(SESSION_COOKIE))
    if staff is None:
        return None
    with deps.engine(request).connect() as conn:
        row = conn.execute(select(StaffRow.role, StaffRow.disabled).where(
            StaffRow.username == staff.user)).first()
    if row is None or row.disabled:
        return None
    return staff if row.role == staff.role else replace(staff, role=row.role)


def staff_required(request: Request) -> Staff:
    """FastAPI dependency for every staff page and action."""
    staff = current_staff(request)
    if staff is None:
        raise LoginRequired()
    return staff


StaffDep = Annotated[Staff, Depends(staff_required)]


def supervisor_only(staff: Staff) -> None:
    if not staff.is_supervisor:
        raise PageError(403, "此页面仅限主管使用，请用主管账号登录。", "无权访问")


async def checked_form(request: Request, staff: Staff) -> FormData:
    """The posted form, after checking it came from our own page in this session."""
    form = await request.form()
    if not same_origin(request) or not csrf_ok(staff.csrf, form.get("csrf_token")):
        raise PageError(403, "表单已过期或来源不明（CSRF 校验未通过），请刷新页面后重试。",
                        "操作被拒绝")
    return form


def field(form: FormData, name: str, *, max_len: int = 500, required: bool = False,
          label: str = "") -> str:
    """One text field, trimmed; too long or missing when required is a clear refusal."""
    value = form.get(name)
    text = value.strip() if isinstance(value, str) else ""
    if required and not text:
        raise PageError(422, f"请填写“{label or name}”。", "信息不完整")
    if len(text) > max_len:
        raise PageError(422, f"“{label or name}”最多 {max_len} 个字，现在是 {len(text)} 个。",
                        "信息过长")
    return text


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


class ConsoleRoute(APIRoute):
    """Routes whose console exceptions become pages instead of JSON errors."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except LoginRequired:
                target = request.url.path
                if request.method == "GET" and request.url.query:
                    target += "?" + request.url.query
                return redirect(f"/login?next={quote(target, safe='')}")
            except PageError as exc:
                return render(request, "error.html", {"title": exc.title,
                                                      "message": exc.message},
                              status=exc.status, staff=current_staff(request))

        return handler
