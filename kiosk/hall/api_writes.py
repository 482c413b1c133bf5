"""What kiosks write (``/api/v1``): every route goes through the idempotent inbox.

The routing follows the contract's table (outbox kind → request). A route validates, hashes the
request as data, and hands ``kiosk.hall.inbox.handle`` a unit of work that calls one service.
Never trusts the kiosk id in a body over the token's: the token decides who sent it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from kiosk.hall import inbox
from kiosk.hall.api_errors import validation_line
from kiosk.hall.schemas import CaseIn, EventIn, HeartbeatIn, LockerEventIn, RatingIn
from kiosk.hall.services import cases, events, kiosks, lockers, ratings
from kiosk.hall.services.errors import Forbidden, ServiceRefusal, WrongHall
from kiosk.hall.settings import HallSettings
from kiosk.hall.uploads import CaseUpload, UploadRefused

router = APIRouter(prefix="/api/v1", tags=["kiosk"])

IdempotencyKey = Annotated[str, Header(alias="Idempotency-Key", min_length=1,
                                       max_length=inbox.MAX_KEY_CHARS,
                                       description="the outbox row's idempotency_key")]
CREATED = {201: {"description": "stored (or, with Idempotent-Replay: true, stored before)"},
           409: {"description": "the key was used for a different request"}}


def _answer(ans: inbox.Answer) -> JSONResponse:
    headers = {"Idempotent-Replay": "true"} if ans.replay else None
    return JSONResponse(ans.body, ans.status_code, headers=headers)


def _check_hall(settings: HallSettings, hall: str) -> None:
    if hall != settings.hall_code:
        raise WrongHall(hall, settings.hall_code)


def _write(request: Request, key: str, endpoint: str, body: BaseModel, work: Any,
           *extra: str, **hooks: Any) -> JSONResponse:
    """Through the inbox; the request is hashed as data (plus ``extra``, e.g. uploads' hashes)."""
    digest = inbox.canonical_hash(body.model_dump(mode="json"), *extra)
    state = request.app.state
    return _answer(inbox.handle(state.sessions, key=key, kiosk_id=request.state.kiosk_id,
                                endpoint=endpoint, digest=digest, work=work, **hooks))


@router.post("/tickets/events", status_code=201, responses=CREATED)
def ticket_event(request: Request, body: EventIn, key: IdempotencyKey) -> JSONResponse:
    """``ticket.issued|called|done|skipped`` → ``{"ticket_id"}``."""
    kiosk_id = request.state.kiosk_id
    hall = body.payload.get("hall")
    if isinstance(hall, str):
        _check_hall(request.app.state.settings, hall)

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        return 201, events.store_ticket_event(s, body, kiosk_id)
    return _write(request, key, "tickets/events", body, work)


@router.post("/cases/events", status_code=201, responses=CREATED)
def case_event(request: Request, body: EventIn, key: IdempotencyKey) -> JSONResponse:
    """Other ``case.*`` events, kept for the audit trail → ``{"event_id"}``."""
    kiosk_id = request.state.kiosk_id

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        return 201, events.store_case_event(s, body, kiosk_id)
    return _write(request, key, "cases/events", body, work)


@router.post("/ratings", status_code=201, responses=CREATED)
def rating(request: Request, body: RatingIn, key: IdempotencyKey) -> JSONResponse:
    """A rating (好差评); levels 1–2 open a follow-up → ``{"rating_id", "follow_up"?}``."""
    settings: HallSettings = request.app.state.settings
    _check_hall(settings, body.hall)
    kiosk_id = request.state.kiosk_id

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        return 201, ratings.store_rating(s, body, kiosk_id, settings)
    return _write(request, key, "ratings", body, work)


@router.post("/locker/events", status_code=201, responses=CREATED)
def locker_event(request: Request, body: EventIn, key: IdempotencyKey) -> JSONResponse:
    """``locker.*``; a deposit of a case issues and sends a pickup code → ``{"event_id"}``."""
    state = request.app.state
    if not body.kind.startswith("locker."):
        raise ServiceRefusal(f"kind {body.kind!r}: expected locker.*", "未知的文件柜事件类型")
    try:
        event = LockerEventIn.model_validate(body.payload)
    except ValidationError as exc:
        raise ServiceRefusal(f"{body.kind} {validation_line(list(exc.errors()))}",
                             "文件柜事件数据格式错误") from None
    _check_hall(state.settings, event.hall)
    kiosk_id = request.state.kiosk_id

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        return 201, lockers.store_locker_event(s, body.kind, event, kiosk_id, state.settings,
                                               state.notifier)
    return _write(request, key, "locker/events", body, work)


@router.post("/alerts", status_code=201, responses=CREATED)
def alert(request: Request, body: EventIn, key: IdempotencyKey) -> JSONResponse:
    """``alert.raised|cleared`` → ``{"alert_id"}``."""
    kiosk_id = request.state.kiosk_id

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        return 201, events.store_alert(s, body, kiosk_id)
    return _write(request, key, "alerts", body, work)


@router.post("/heartbeat")
def heartbeat(request: Request, body: HeartbeatIn) -> dict[str, str]:
    """Latest state only (not through the outbox, no idempotency key) → ``{"server_time"}``."""
    kiosk_id = request.state.kiosk_id
    if body.kiosk_id != kiosk_id:
        raise Forbidden(f"kiosk_id {body.kiosk_id!r} does not match the token's kiosk",
                        "终端编号与令牌不符")
    now = datetime.now(UTC)
    with request.app.state.sessions.begin() as s:
        kiosks.store_heartbeat(s, kiosk_id, body, now)
    return {"server_time": now.isoformat()}


CASE_FORM = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["case"],
    "properties": {
        "case": {"type": "string", "description": "JSON of the case.created payload (CaseIn)"},
        "files": {"type": "array", "items": {"type": "string", "format": "binary"},
                  "description": "one part per page; filename = the page's 'file'; "
                                 "image/jpeg or image/png; at most 40, 10 MiB each"}}}}}}}


@router.post("/cases", status_code=201, openapi_extra=CASE_FORM, responses={
    **CREATED, 413: {"description": "a file or the part count is over the limit"},
    415: {"description": "not a JPEG or PNG image"},
    422: {"description": "malformed case JSON, wrong types, missing/extra pages, sha256"}})
async def create_case(request: Request, key: IdempotencyKey) -> JSONResponse:
    """``case.created`` with its page images → ``{"case_number", "case_id", "receipt_token"}``."""
    state = request.app.state
    settings: HallSettings = state.settings
    length = int(request.headers.get("content-length") or 0)
    if length > settings.max_parts * settings.max_file_bytes + 2 * 1024 * 1024:
        raise UploadRefused(413, f"request body of {length} bytes is over the limit")
    upload = CaseUpload(settings.files_dir, max_file_bytes=settings.max_file_bytes,
                        max_parts=settings.max_parts)
    await upload.receive(request.headers.get("content-type", ""), request.stream())
    try:
        return await run_in_threadpool(_store_case, request, key, upload)
    finally:
        upload.discard()  # after success the folder was moved away: this removes nothing


def _store_case(request: Request, key: str, upload: CaseUpload) -> JSONResponse:
    state = request.app.state
    settings: HallSettings = state.settings
    try:
        case = CaseIn.model_validate_json(upload.case_json)
    except ValidationError as exc:
        raise UploadRefused(422, f"case {validation_line(list(exc.errors()))}") from None
    _check_hall(settings, case.hall)
    pages = _match_pages(case, upload)
    upload.verify_images()
    kiosk_id = request.state.kiosk_id

    def work(s: Session) -> tuple[int, dict[str, Any]]:
        placed = upload.place(str(case.case_id), key)
        stored = {i: cases.StoredPage(f.file, f.sha256, f.size, f.content_type, str(placed[j]))
                  for i, (j, f) in pages.items()}
        return 201, cases.create_case(s, case, kiosk_id, stored, settings)
    return _write(request, key, "cases", case, work,
                  *sorted(f"{f.file}:{f.sha256}" for f in upload.files),
                  on_failure=upload.unplace)


def _match_pages(case: CaseIn, upload: CaseUpload) -> dict[int, tuple[int, Any]]:
    """Each page of the payload (in order) → the upload index of its part, by name and hash."""
    free = dict(enumerate(upload.files))
    out: dict[int, tuple[int, Any]] = {}
    n = 0
    for m in case.materials:
        for p in m.pages:
            named = [(j, f) for j, f in free.items() if f.file == p.file]
            if not named:
                raise UploadRefused(422, f"material {m.material_id} page {p.file}: no 'files' "
                                         "part with that filename")
            hit = next(((j, f) for j, f in named if f.sha256 == p.sha256), None)
            if hit is None:
                raise UploadRefused(422, f"material {m.material_id} page {p.file}: the "
                                         "upload's sha256 does not match the payload's")
            out[n] = hit
            del free[hit[0]]
            n += 1
    if free:
        extra = ", ".join(f.file for f in free.values())
        raise UploadRefused(422, f"files not named by any page of the case: {extra[:100]}")
    return out
