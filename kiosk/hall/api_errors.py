"""How refusals become HTTP answers: always ``{"detail": one line}`` (plus ``detail_zh`` where
staff or citizens read it), never a traceback, never the submitted values (they may hold
personal data)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from kiosk.hall.inbox import InboxConflict
from kiosk.hall.services.errors import ServiceRefusal
from kiosk.hall.uploads import UploadRefused

UNAVAILABLE = "the hall database is unavailable; retry later"


def validation_line(errors: list[dict[str, object]]) -> str:
    """``body.payload.level: Input should be less than or equal to 5`` (first problem)."""
    if not errors:
        return "invalid request"
    err = errors[0]
    loc = ".".join(str(p) for p in err.get("loc", ()))  # type: ignore[union-attr]
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{loc}: {err.get('msg')}{more}"


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": validation_line(list(exc.errors()))}, 422)

    @app.exception_handler(ServiceRefusal)
    async def _refused(_: Request, exc: ServiceRefusal) -> JSONResponse:
        return JSONResponse({"detail": exc.message_en, "detail_zh": exc.message_zh},
                            exc.status_code)

    @app.exception_handler(InboxConflict)
    async def _conflict(_: Request, exc: InboxConflict) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 409)

    @app.exception_handler(UploadRefused)
    async def _upload(_: Request, exc: UploadRefused) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, exc.status_code)

    @app.exception_handler(OperationalError)
    async def _down(_: Request, exc: OperationalError) -> JSONResponse:
        return JSONResponse({"detail": UNAVAILABLE}, 503, headers={"Retry-After": "5"})

    @app.exception_handler(PoolTimeout)
    async def _busy(_: Request, exc: PoolTimeout) -> JSONResponse:
        # every database connection busy for the pool's timeout: the kiosk retries later
        return JSONResponse({"detail": UNAVAILABLE}, 503, headers={"Retry-After": "5"})

    @app.exception_handler(DBAPIError)
    async def _dbapi(_: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated or _is_disconnect(exc):
            return JSONResponse({"detail": UNAVAILABLE}, 503, headers={"Retry-After": "5"})
        raise exc


def _is_disconnect(exc: DBAPIError) -> bool:
    name = type(exc.orig).__name__ if exc.orig is not None else ""
    return name in ("OperationalError", "InterfaceError", "AdminShutdown")
