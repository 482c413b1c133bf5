"""The hall's staff console, display board and the citizen's ticket page (server-rendered).

``router`` is what ``kiosk.hall`` includes in its app: staff login, the counter page (窗口叫号),
the display board (叫号屏) with its spoken announcements, cases, bad-rating follow-up, kiosk
health, ``/q/{token}`` (what the QR on every ticket opens) and ``/case/{token}`` (what the
progress QR on a submission receipt opens). Pages are Jinja2 templates in
``kiosk/hall/templates``. This package must never serve staff data or material images without a
logged-in session, nor echo personal data (ID numbers, clear names) into pages, errors or logs.
"""

from __future__ import annotations

from fastapi import APIRouter

from kiosk.hall.console import (
    assets,
    auth,
    board,
    case_page,
    cases,
    counter,
    kiosks,
    ratings,
    ticket_page,
)

router = APIRouter(include_in_schema=False)
for _pages in (assets, auth, counter, board, cases, ratings, kiosks, ticket_page, case_page):
    router.include_router(_pages.router)

__all__ = ["router"]
