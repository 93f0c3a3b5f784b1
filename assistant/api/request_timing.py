"""``RequestTimingMiddleware``: times every HTTP request by route template into ``/metrics``.

A plain ASGI middleware (not ``@app.middleware("http")``, whose ``BaseHTTPMiddleware`` runs each
request through an extra task group and a streamed copy of the response on the event loop: under
load that was a large share of the loop's time)."""

from __future__ import annotations

import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class RequestTimingMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, recording_send)
        service = getattr(scope["app"].state, "service", None) if "app" in scope else None
        if service is not None and status:
            path = getattr(scope.get("route"), "path", "unmatched")
            service.metrics.request_seconds.labels(scope["method"], path, str(status)).observe(
                time.perf_counter() - started
            )
