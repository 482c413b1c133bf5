"""The console's own CSS and JavaScript (``kiosk/hall/static``), served at ``/static/<name>``.

A fixed set of files known at start: a request can never name a path outside the folder.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from kiosk.hall.console.web import STATIC_DIR, ConsoleRoute, PageError

router = APIRouter(route_class=ConsoleRoute)

MEDIA_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
               ".svg": "image/svg+xml", ".png": "image/png"}
FILES = {p.name: p for p in STATIC_DIR.iterdir() if p.suffix in MEDIA_TYPES}


@router.get("/static/{name}")
def static_file(name: str) -> Response:
    path = FILES.get(name)
    if path is None:
        raise PageError(404, "找不到这个文件。", "页面不存在")
    return FileResponse(path, media_type=MEDIA_TYPES[path.suffix],
                        headers={"Cache-Control": "public, max-age=300"})
