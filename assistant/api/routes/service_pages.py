"""The service's own pages: API documentation (Swagger UI at ``/docs``, ReDoc at ``/redoc``) served from
assets packaged in the pinned ``fastapi-offline`` wheel, so they work without any CDN; a start page at
``/`` that links them; the favicon."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

STATIC = Path(__file__).parent.parent / "static"
# Swagger UI and ReDoc as shipped inside the fastapi-offline package (no network at run time).
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
DOCS_MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
}
FAVICON = "/favicon.ico"

service_pages_router = APIRouter(include_in_schema=False)

START_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Souffleur</title>
<link rel="icon" href="/favicon.ico" type="image/svg+xml"><link rel="stylesheet" href="/static/sidebar.css">
</head><body><main class="notice"><h1>Souffleur</h1>
<p>The live call service of the Souffleur knowledge assistant is running.</p>
<ul>
<li><a href="/docs">API documentation</a> (Swagger UI) or <a href="/redoc">as a reference</a> (ReDoc)</li>
<li>Gaps page for content teams: <code>/gaps</code> with the content-team token;
<code>souffleur gaps url</code> prints the link</li>
<li>Agent sidebars open from the <code>sidebar_url</code> of each call (<code>POST /api/calls</code>)</li>
<li><a href="/healthz">Health check</a></li>
</ul></main></body></html>"""


@service_pages_router.get("/")
def start_page() -> HTMLResponse:
    return HTMLResponse(START_PAGE)


@service_pages_router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    return get_swagger_ui_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} – API",
        swagger_js_url="/static/api-docs/swagger-ui-bundle.js",
        swagger_css_url="/static/api-docs/swagger-ui.css",
        swagger_favicon_url=FAVICON,
    )


@service_pages_router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    return get_redoc_html(
        openapi_url=request.app.openapi_url,
        title=f"{request.app.title} – API",
        redoc_js_url="/static/api-docs/redoc.standalone.js",
        redoc_favicon_url=FAVICON,
        with_google_fonts=False,
    )


@service_pages_router.get("/static/api-docs/{name}")
def docs_asset(name: str) -> Response:
    media_type = DOCS_MEDIA_TYPES.get(name)
    if media_type is None:
        return Response("not found", status_code=404)
    return FileResponse(DOCS_ASSETS / name, media_type=media_type, headers={"Cache-Control": "max-age=86400"})


@service_pages_router.get("/favicon.ico")
def favicon() -> FileResponse:
    return FileResponse(STATIC / "favicon.svg", media_type="image/svg+xml", headers={"Cache-Control": "max-age=86400"})
