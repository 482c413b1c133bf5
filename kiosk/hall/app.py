"""The hall server's FastAPI application: kiosk API, staff console, health check.

``create_app(settings)`` builds everything from settings alone (no globals), so tests and the
benchmark run several apps in one process. ``app.state`` holds what the console pages use:
``settings``, ``engine``, ``sessions``, ``notifier``, ``queue_desk``. Never serves anything under
``/api/v1`` without a kiosk token (``KioskAuthMiddleware``).
"""

from __future__ import annotations

from fastapi import Depends, FastAPI
from fastapi.security import HTTPBearer

from kiosk.hall import api_errors, api_reads, api_writes
from kiosk.hall.api_auth import KioskAuthMiddleware
from kiosk.hall.db import migrate_hall, open_engine, session_factory
from kiosk.hall.notify import FileNotifier, Notifier
from kiosk.hall.queue_desk import QueueDesk
from kiosk.hall.settings import HallSettings

VERSION = "1.0.0"
# Documents the scheme in OpenAPI; the middleware does the checking.
bearer = HTTPBearer(description="the kiosk's token (kiosk hall kiosk add ID)", auto_error=False)


def create_app(settings: HallSettings, *, migrate: bool = True,
               notifier: Notifier | None = None) -> FastAPI:
    engine = open_engine(settings.db_url)
    if migrate:
        migrate_hall(engine)
    sessions = session_factory(engine)
    # No /docs, /redoc or /openapi.json: nothing answers without credentials; the document
    # is published as config/hall-openapi.json (kiosk hall openapi).
    app = FastAPI(title="Hall server (政务服务大厅)", version=VERSION, openapi_url=None,
                  docs_url=None, redoc_url=None,
                  description="What the hall's kiosks send and read. Every write carries "
                              "Idempotency-Key; a repeat gets the first answer again.")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = sessions
    app.state.notifier = notifier or FileNotifier(settings.notifications_path)
    app.state.queue_desk = QueueDesk(engine, settings)
    api_errors.install(app)
    for router in (api_writes.router, api_reads.router):
        app.include_router(router, dependencies=[Depends(bearer)])

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness, no credentials, no database round trip."""
        return {"status": "ok"}

    from kiosk.hall.console import router as console_router

    app.include_router(console_router)
    app.add_middleware(KioskAuthMiddleware, sessions=sessions)
    _document_payloads(app)
    return app


def _document_payloads(app: FastAPI) -> None:
    """Payloads validated inside routes (the case JSON part, per-kind event payloads) are added
    to the OpenAPI components, so the document describes every shape a kiosk sends."""
    from pydantic.json_schema import models_json_schema

    from kiosk.hall.schemas import CaseIn, LockerEventIn, TicketIssued, TicketMoved

    build = app.openapi

    def openapi() -> dict[str, object]:
        if app.openapi_schema is None:
            doc = build()
            _, extra = models_json_schema(
                [(m, "validation") for m in (CaseIn, TicketIssued, TicketMoved, LockerEventIn)],
                ref_template="#/components/schemas/{model}")
            doc.setdefault("components", {}).setdefault("schemas", {}).update(extra["$defs"])
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
