"""The agent's sidebar page, served by the app itself (static HTML, CSS and JavaScript)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from assistant.live.call_service import CallService

STATIC = Path(__file__).parent.parent / "static"
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; style-src 'self'; "
        "script-src 'self'; frame-ancestors 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
ASSETS = {
    "sidebar.js": "text/javascript",
    "sidebar.css": "text/css",
    "gaps.js": "text/javascript",
    "gaps.css": "text/css",
    "favicon.svg": "image/svg+xml",
}

sidebar_router = APIRouter(include_in_schema=False)

INVALID_LINK = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Souffleur</title>
<link rel="stylesheet" href="/static/sidebar.css"></head><body><main class="notice"><h1>Link ungültig</h1>
<p>Dieser Seitenleisten-Link gehört zu keinem Gespräch oder ist abgelaufen.
Bitte öffnen Sie den Link aus Ihrer Telefonanlage erneut.</p></main></body></html>"""


@sidebar_router.get("/sidebar/{call_id}")
def sidebar_page(request: Request, call_id: str, token: Annotated[str, Query(max_length=128)] = "") -> Response:
    service: CallService = request.app.state.service
    if not token or not service.check_sidebar_token(call_id, token):
        return HTMLResponse(INVALID_LINK, status_code=403, headers=SECURITY_HEADERS)
    return FileResponse(STATIC / "sidebar.html", media_type="text/html", headers=SECURITY_HEADERS)


@sidebar_router.get("/static/{name}")
def static_asset(name: str) -> Response:
    media_type = ASSETS.get(name)
    if media_type is None or not (STATIC / name).is_file():
        return Response("not found", status_code=404)
    return FileResponse(STATIC / name, media_type=media_type, headers={"Cache-Control": "no-cache"})
