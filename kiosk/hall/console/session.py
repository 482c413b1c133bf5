"""The staff session: a signed, HttpOnly, SameSite cookie, and CSRF tokens for every POST form.

The cookie holds who is logged in (user, role), when, and the session's CSRF token, signed with
HMAC-SHA256 under a key derived from the hall secret; nothing is stored server-side, so several
hall server processes behind a proxy accept each other's sessions. Forms carry the CSRF token in a
hidden ``csrf_token`` field; the login form, before any session exists, uses a double-submit
cookie. Must never put a password or personal data in a cookie, and never compare a signature or
token with ``==``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

from fastapi import Request, Response

SESSION_COOKIE = "hall_staff"
LOGIN_CSRF_COOKIE = "hall_login_csrf"
SESSION_MAX_AGE_S = 12 * 3600  # one working day; then log in again
ROLES = ("clerk", "supervisor")
_DOMAIN = b"zhengwu-kiosk/console-session/v1"


@dataclass(frozen=True)
class Staff:
    """The logged-in member of staff, as the pages see them."""

    user: str
    role: str
    csrf: str
    issued_at: int

    @property
    def is_supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def role_zh(self) -> str:
        return {"clerk": "窗口人员", "supervisor": "主管"}.get(self.role, self.role)


def session_key(hall_secret: bytes) -> bytes:
    """The cookie signing key: derived, so a leaked cookie key never reveals the ID-hash key."""
    return hmac.new(hall_secret, _DOMAIN, hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(key: bytes, body: str) -> str:
    return _b64(hmac.new(key, body.encode("ascii"), hashlib.sha256).digest())


def encode_session(key: bytes, staff: Staff) -> str:
    body = _b64(json.dumps({"u": staff.user, "r": staff.role, "c": staff.csrf,
                            "t": staff.issued_at}, separators=(",", ":")).encode("utf-8"))
    return f"{body}.{_sign(key, body)}"


def decode_session(key: bytes, value: str | None, now: float | None = None) -> Staff | None:
    """The staff member a cookie names, or None when absent, tampered with or expired."""
    if not value or len(value) > 2000 or not value.isascii():
        return None
    body, dot, sig = value.partition(".")
    if not dot or not hmac.compare_digest(sig.encode("ascii"), _sign(key, body).encode("ascii")):
        return None
    try:
        data = json.loads(_unb64(body))
        staff = Staff(user=str(data["u"]), role=str(data["r"]), csrf=str(data["c"]),
                      issued_at=int(data["t"]))
    except (binascii.Error, ValueError, KeyError, TypeError):
        return None
    age = (time.time() if now is None else now) - staff.issued_at
    if staff.role not in ROLES or not 0 <= age <= SESSION_MAX_AGE_S:
        return None
    return staff


def new_session(user: str, role: str) -> Staff:
    return Staff(user=user, role=role, csrf=secrets.token_urlsafe(24), issued_at=int(time.time()))


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


def set_session(response: Response, request: Request, key: bytes, staff: Staff) -> None:
    response.set_cookie(SESSION_COOKIE, encode_session(key, staff), max_age=SESSION_MAX_AGE_S,
                        httponly=True, samesite="lax", secure=_secure(request), path="/")
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/")


def clear_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/")


def login_csrf(request: Request) -> str:
    """The login form's token: the existing double-submit cookie's value, or a new one."""
    current = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return current if 20 <= len(current) <= 64 else secrets.token_urlsafe(24)


def set_login_csrf(response: Response, request: Request, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, httponly=True,
                        samesite="strict", secure=_secure(request), path="/")


def same_origin(request: Request) -> bool:
    """A browser's POST names where it came from; one from another site is refused outright."""
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None  # "null" comes from sandboxed frames and data: URLs
    host = request.headers.get("host", "")
    return origin.split("://", 1)[-1] == host


def csrf_ok(expected: str | None, given: object) -> bool:
    return bool(expected) and isinstance(given, str) and hmac.compare_digest(
        expected.encode("utf-8"), given.encode("utf-8", "replace"))
