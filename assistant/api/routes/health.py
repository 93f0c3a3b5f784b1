"""Health endpoints for load balancers: ``/healthz`` (the process is alive) and ``/readyz`` (it can
serve: model and index loaded, database and, when configured, Redis reachable)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from assistant.api.errors import declared
from assistant.live.call_service import CallService

log = logging.getLogger("souffleur.health")
health_router = APIRouter(tags=["admin"])


class Alive(BaseModel):
    status: str


class Readiness(BaseModel):
    status: str
    checks: dict[str, str]


@health_router.get("/healthz", response_model=Alive, responses=declared(413))
def healthz() -> Alive:
    """Alive: the process answers (restart it when this fails)."""
    return Alive(status="ok")


def _index_serves(service: CallService) -> bool:
    published = service.knowledge.published
    return bool(published) and bool(service.retriever.sections(published[0].id))


def _checks(service: CallService | None) -> dict[str, str]:
    if service is None:
        return {"model": "loading", "index": "loading", "database": "unknown", "events": "unknown"}
    checks = {
        "model": "ok" if service.encoder is not None else "missing",
        "index": "ok"
        if service.knowledge.published and service.retriever.sections(service.knowledge.published[0].id)
        else "empty",
    }
    for name, probe in (("database", service.store.ping), ("events", service.hub.fanout.ping)):
        try:
            probe()
            checks[name] = "ok"
        except Exception as exc:  # any failure means: not ready; the reason is the exception's type only
            log.warning("readiness: %s unreachable (%s)", name, type(exc).__name__)
            checks[name] = f"unreachable ({type(exc).__name__})"
    return checks


@health_router.get("/readyz", response_model=Readiness, responses={503: {"model": Readiness}, **declared(413)})
async def readyz(request: Request) -> JSONResponse:
    """Ready: model and index loaded, database and event fan-out (Redis) reachable; 503 otherwise
    (take the replica out of the load balancer)."""
    service: CallService | None = getattr(request.app.state, "service", None)
    checks = await run_in_threadpool(_checks, service)
    ready = all(v == "ok" for v in checks.values())
    body = Readiness(status="ready" if ready else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)
