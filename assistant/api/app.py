"""``create_app``: the FastAPI application of the live service."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from assistant.api.body_limit import BodyLimitMiddleware
from assistant.api.errors import install_error_handlers
from assistant.api.request_timing import RequestTimingMiddleware
from assistant.api.routes import admin, calls, search
from assistant.api.routes.gaps import build_gaps_router, gaps_content_token
from assistant.api.routes.health import health_router
from assistant.api.routes.service_pages import service_pages_router
from assistant.api.routes.sidebar import sidebar_router
from assistant.api.security import resolve_api_token
from assistant.api.ws.call_socket import websocket_router
from assistant.live.call_service import CallService
from assistant.live.index_reload import start_index_watcher
from assistant.settings import Settings

log = logging.getLogger("souffleur.api")
STATIC = Path(__file__).parent / "static"

DESCRIPTION = """Souffleur's live call API for telephony and speech-recognition integrations.

Open a call with `POST /api/calls`, send transcript snippets with `POST /api/calls/{call_id}/utterances`
or over the WebSocket `/ws/calls/{call_id}`, and open the returned `sidebar_url` in the agent's browser.
Ingest and admin endpoints need the service token (`Authorization: Bearer <token>`); the sidebar uses
the per-call token carried in its URL, sent as `X-Call-Token` (HTTP) or as the WebSocket subprotocol
`souffleur.token.<token>`. Every error is `{"detail": message}`."""


def create_app(settings: Settings, service: CallService | None = None) -> FastAPI:
    """The app. Without ``service``, the knowledge base, model and index are loaded at start-up."""
    api_token = resolve_api_token(
        settings.api_token.get_secret_value() if settings.api_token else None, settings.environment, settings.data_dir
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Only the lifespan that built the service closes it: a nested start (a test client inside
        # another) must not stop the inference worker the outer one still uses.
        built = not hasattr(app.state, "service")
        if built:
            from assistant.wiring import build_call_service

            app.state.service = build_call_service(settings)
        watcher = start_index_watcher(settings, app.state.service)
        # Blocking request work (sync handlers and dependencies, utterances) runs on at most this many
        # threads; the rest wait on the event loop. Dozens of threads on a few cores fought over the
        # GIL: every thread that released it (a database statement, waiting for the encoder) waited
        # behind all the others to get it back.
        to_thread.current_default_thread_limiter().total_tokens = settings.server.request_threads
        yield
        if watcher is not None:
            watcher.stop()
        if built:
            app.state.service.close()
            del app.state.service

    # /docs and /redoc come from service_pages_router, with packaged assets instead of a CDN.
    app = FastAPI(
        title="Souffleur", version="0.1.0", description=DESCRIPTION, lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.settings = settings
    app.state.api_token = api_token
    app.state.content_token = gaps_content_token(settings)
    if service is not None:
        app.state.service = service
    install_error_handlers(app)

    routers = (calls.router, search.router, admin.router, health_router, websocket_router, sidebar_router)
    for router in (*routers, service_pages_router):
        app.include_router(router)
    app.include_router(build_gaps_router(settings, app.state.content_token))
    if settings.server.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Call-Token", "X-Souffleur-Token"],
        )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.server.max_body_bytes)
    app.add_middleware(RequestTimingMiddleware)
    return app
