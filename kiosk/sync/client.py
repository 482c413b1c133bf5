"""The only place the kiosk talks HTTP to the hall server (httpx, one keep-alive client).

Turns every answer or failure into a ``Verdict`` the worker acts on, by the wire contract:
2xx (first answer or ``Idempotent-Replay``) → delivered; 401 → the token is refused (pause, alert,
never park); 408 and 5xx → retry this message later; 429, 502–504 and network failures
(refused, reset, timed out) → the server is unreachable or busy: the whole sender waits;
any other 4xx → refused for good: park. Error texts keep the status and the server's reason
but never the values a citizen typed (pydantic echoes input back; only ``loc`` and ``msg`` are
kept). Never logs or shows the token.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.sync.routes import OutgoingRequest
from kiosk.sync.settings import API_PREFIX, SyncSettings

if TYPE_CHECKING:  # httpx loads with the first client: a standalone kiosk never pays for it
    import httpx

MAX_ERROR_CHARS = 300


class Verdict(enum.Enum):
    DELIVERED = "delivered"
    PARK = "park"  # refused for good: 4xx other than 401/408/429
    RETRY = "retry"  # this message, later (5xx, 408)
    UNREACHABLE = "unreachable"  # the server, later (network, timeout, 502-504, 429)
    UNAUTHORIZED = "unauthorized"  # the kiosk's token (401): pause and alert

    @property
    def server_level(self) -> bool:
        return self in (Verdict.UNREACHABLE, Verdict.UNAUTHORIZED)


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    status: int | None  # None: no HTTP answer at all
    body: dict[str, Any] | None
    error: str | None  # for last_error and the technician; never personal data
    replay: bool = False
    retry_after_s: float | None = None


class HallClient:
    def __init__(self, settings: SyncSettings, *, connections: int = 4,
                 transport: httpx.BaseTransport | None = None) -> None:
        import httpx

        self._timeout_error, self._transport_error = httpx.TimeoutException, httpx.TransportError
        timeout = httpx.Timeout(settings.request_timeout_s)
        self._http = httpx.Client(
            base_url=settings.base_url + API_PREFIX, timeout=timeout, transport=transport,
            headers={"Authorization": f"Bearer {settings.token}",
                     "User-Agent": f"zhengwu-kiosk-sync ({settings.kiosk_id})"},
            limits=httpx.Limits(max_connections=connections,
                                max_keepalive_connections=connections))

    def close(self) -> None:
        self._http.close()

    def send(self, request: OutgoingRequest) -> Answer:
        try:
            response = self._http.post(request.path, content=request.content,
                                       headers=request.headers)
        except self._timeout_error as exc:
            return Answer(Verdict.UNREACHABLE, None, None, f"timed out ({type(exc).__name__})")
        except self._transport_error as exc:
            return Answer(Verdict.UNREACHABLE, None, None, f"cannot reach the hall server "
                          f"({type(exc).__name__}: {_first_line(exc)})")
        finally:
            request.close()
        return judge(response)

    def post_json(self, path: str, body: dict[str, Any]) -> Answer:
        """A POST outside the outbox (the heartbeat): no idempotency key, latest state only."""
        try:
            response = self._http.post(path, content=json.dumps(body, ensure_ascii=False),
                                       headers={"Content-Type": "application/json"})
        except self._timeout_error as exc:
            return Answer(Verdict.UNREACHABLE, None, None, f"timed out ({type(exc).__name__})")
        except self._transport_error as exc:
            return Answer(Verdict.UNREACHABLE, None, None, f"cannot reach the hall server "
                          f"({type(exc).__name__}: {_first_line(exc)})")
        return judge(response)


def judge(response: httpx.Response) -> Answer:
    status = response.status_code
    body = _json_body(response)
    if 200 <= status < 300:
        replay = response.headers.get("Idempotent-Replay", "").lower() == "true"
        return Answer(Verdict.DELIVERED, status, body, None, replay=replay)
    error = f"HTTP {status}" + (f": {_reason(body)}" if _reason(body) else "")
    if status == 401:
        return Answer(Verdict.UNAUTHORIZED, status, body, error)
    if status == 429:
        return Answer(Verdict.UNREACHABLE, status, body, error,
                      retry_after_s=_retry_after(response))
    if status in (502, 503, 504):
        return Answer(Verdict.UNREACHABLE, status, body, error,
                      retry_after_s=_retry_after(response))
    if status == 408 or status >= 500 or status < 400:
        return Answer(Verdict.RETRY, status, body, error)
    return Answer(Verdict.PARK, status, body, error)


def _json_body(response: httpx.Response) -> dict[str, Any] | None:
    try:
        value = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else {"value": value}


def _reason(body: dict[str, Any] | None) -> str:
    """The server's reason without echoed input: a string detail, or loc+msg of each error."""
    if not body or "detail" not in body:
        return ""
    detail = body["detail"]
    if isinstance(detail, str):
        text = detail
    elif isinstance(detail, list):
        parts = []
        for item in detail[:5]:
            if isinstance(item, dict):
                loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
                parts.append(f"{loc}: {item.get('msg', '')}".strip(": "))
        text = "; ".join(parts)
    else:
        text = ""
    text = " ".join(text.split())
    return text[:MAX_ERROR_CHARS]


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if 0 <= seconds < 86_400 else None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:MAX_ERROR_CHARS] if text else "no detail"
