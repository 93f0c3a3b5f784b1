"""Prometheus metrics (health and readiness live in ``health.py``)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from assistant.api.deps import Service, ServiceAuth
from assistant.api.errors import declared

router = APIRouter(tags=["admin"])


@router.get(
    "/metrics",
    dependencies=[ServiceAuth],
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}, "description": "Prometheus text"},
               **declared(401, 413)},
)  # fmt: skip
def metrics(service: Service) -> Response:
    """Prometheus metrics (service token required)."""
    return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)
