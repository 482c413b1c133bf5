"""Staff login and logout (登录 / 退出) for the console.

Passwords are checked by ``kiosk.hall.auth.authenticate`` (argon2, accounts made with
``kiosk hall staff add``); a good login sets the signed session cookie, every attempt is audited.
Repeated failures for one user name lock it out for a while in this process. Must never log,
echo or keep a password, and never redirect after login to another site (``next`` is a local
path only).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kiosk.hall import audit
from kiosk.hall import auth as hall_auth
from kiosk.hall.console import deps
from kiosk.hall.console.session import (
    LOGIN_CSRF_COOKIE,
    clear_session,
    csrf_ok,
    login_csrf,
    new_session,
    same_origin,
    set_login_csrf,
    set_session,
)
from kiosk.hall.console.web import (
    ConsoleRoute,
    checked_form,
    current_staff,
    redirect,
    render,
    staff_required,
)

router = APIRouter(route_class=ConsoleRoute)

MAX_FAILURES = 5
LOCKOUT_S = 300.0


class LoginThrottle:
    """At most ``MAX_FAILURES`` wrong passwords per user name in ``LOCKOUT_S`` seconds."""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def locked(self, user: str, now: float) -> bool:
        with self._lock:
            recent = self._failures.get(user)
            while recent and now - recent[0] > LOCKOUT_S:
                recent.popleft()
            return bool(recent) and len(recent) >= MAX_FAILURES

    def failed(self, user: str, now: float) -> None:
        with self._lock:
            self._failures.setdefault(user, deque(maxlen=MAX_FAILURES)).append(now)

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._failures.pop(user, None)


throttle = LoginThrottle()


def safe_next(target: str | None) -> str:
    """Only a path on this server: "/cases?x" yes; "//evil", "https://…", "\\x" no."""
    if (not target or not target.startswith("/") or target.startswith("//")
            or "\\" in target or len(target) > 500):
        return "/counter"
    return target


def _login_page(request: Request, *, error: str = "", user: str = "", next_url: str = "",
                status: int = 200) -> HTMLResponse:
    token = login_csrf(request)
    response = render(request, "login.html", {"error": error, "user": user,
                                              "next": safe_next(next_url), "login_csrf": token},
                      status=status)
    set_login_csrf(response, request, token)
    return response


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> Response:
    return redirect("/counter" if current_staff(request) else "/login")


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "") -> Response:  # noqa: A002 (query name)
    if current_staff(request) is not None:
        return redirect(safe_next(next))
    return _login_page(request, next_url=next)


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request) -> Response:
    form = await request.form()
    user = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    next_url = str(form.get("next") or "")
    if not same_origin(request) or not csrf_ok(request.cookies.get(LOGIN_CSRF_COOKIE),
                                               form.get("csrf_token")):
        return _login_page(request, user=user, next_url=next_url, status=403,
                           error="登录页面已过期（CSRF 校验未通过），请重新输入后登录。")
    if not user or not password:
        return _login_page(request, user=user, next_url=next_url, status=422,
                           error="请输入用户名和密码。")
    now = time.monotonic()
    if throttle.locked(user, now):
        return _login_page(request, user=user, next_url=next_url, status=429,
                           error=f"密码错误次数过多，请 {int(LOCKOUT_S // 60)} 分钟后再试。")
    with deps.db(request) as session:
        staff = hall_auth.authenticate(session, user, password)
        audit.record(session, user, "console.login" if staff else "console.login_refused",
                     user, {"client": request.client.host if request.client else None})
    if staff is None:
        throttle.failed(user, now)
        return _login_page(request, user=user, next_url=next_url, status=401,
                           error="用户名或密码错误，请重新输入。")
    throttle.succeeded(user)
    response = redirect(safe_next(next_url))
    set_session(response, request, deps.cookie_key(request), new_session(user, staff.role))
    return response


@router.post("/logout")
async def logout(request: Request) -> Response:
    staff = staff_required(request)
    await checked_form(request, staff)
    with deps.db(request) as session:
        audit.record(session, staff.user, "console.logout", staff.user)
    response = redirect("/login")
    clear_session(response)
    return response
