"""The content teams' gaps page (``GET /gaps``), its data (``GET /api/gaps``) and the known gaps marked
on it (``/api/gaps/known``: a topic marked so gets no 'answer' card for like concerns of its city).

All need the content token (``SOUFFLEUR_CONTENT_TOKEN``; in development mode a generated token in
``<data_dir>/content-token``). The page takes it once from ``?token=`` and sends it as the header
``X-Content-Token``. In production mode without a content token the page is switched off.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import asdict
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from assistant.api.deps import ContentAuth, Service
from assistant.api.errors import declared
from assistant.api.routes.sidebar import SECURITY_HEADERS, STATIC
from assistant.api.schemas import MAX_GAP_ID, AnsweredLikeOut, AnswerWithoutGapOut, KnownGapOut, KnownGapRequest
from assistant.api.security import MissingTokenError, resolve_content_token
from assistant.gaps.embedding_cache import CachedQueryEmbedder
from assistant.gaps.report import GapReporter
from assistant.gaps.report_json import report_dict
from assistant.live.call_service import CallService
from assistant.settings import Settings
from assistant.storage.call_store import StoredKnownGap
from corpus.catalog import CatalogService, load_catalog

log = logging.getLogger("souffleur.gaps")

DISABLED_PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"><title>Souffleur</title>
<link rel="stylesheet" href="/static/sidebar.css"></head><body><main class="notice"><h1>Nicht eingerichtet</h1>
<p>Die Seite „Wissenslücken“ ist auf diesem Server nicht eingerichtet (kein Zugangstoken für Redaktionen
konfiguriert). Bitte wenden Sie sich an den Betrieb.</p></main></body></html>"""


def load_catalog_if_present(settings: Settings) -> list[CatalogService] | None:
    if not settings.gaps.catalog_file.is_file():
        log.warning("no service catalog at %s; the gaps report skips missing articles", settings.gaps.catalog_file)
        return None
    return load_catalog(settings.gaps.catalog_file)


def gaps_content_token(settings: Settings) -> str | None:
    """The content token, resolved at start (so the development token file exists); None switches the
    page off."""
    try:
        return resolve_content_token(
            settings.content_token.get_secret_value() if settings.content_token else None,
            settings.environment,
            settings.data_dir,
        )
    except MissingTokenError as exc:
        log.warning("gaps page disabled: %s", exc)
        return None


def known_gap_out(gap: StoredKnownGap, service: CallService) -> KnownGapOut:
    """A stored known gap with its checks: what the city's articles answered before that is like it, and
    what the engine would show as the answer without the gap."""
    articles = service.knowledge.articles
    answered = [
        AnsweredLikeOut(
            article_id=like.article_id,
            title=articles[like.article_id].title if like.article_id in articles else like.article_id,
            question=like.question,
            likeness=round(like.likeness, 3),
        )
        for like in service.answered_like(gap.city, gap.question)
    ]
    unmuted = [
        AnswerWithoutGapOut(article_id=card.article_id, title=card.title, answer=card.answer, score=card.score)
        for card in service.answered_without_gap(gap.city, gap.question)
    ]
    return KnownGapOut(**asdict(gap), answered_like=answered, answered_without_gap=unmuted)


def known_gaps_out(gaps: list[StoredKnownGap], service: CallService) -> list[KnownGapOut]:
    return [known_gap_out(gap, service) for gap in gaps]


def build_gaps_router(settings: Settings, token: str | None) -> APIRouter:
    """The page and its data; ``token`` is the content token (None: the page is switched off)."""
    catalog = load_catalog_if_present(settings)
    config = settings.gaps.report_config()
    embedders: dict[int, CachedQueryEmbedder] = {}
    guard = threading.Lock()
    router = APIRouter()

    def embedder_for(service: CallService) -> CachedQueryEmbedder:
        """One embedding cache per encoder, kept across requests."""
        encoder = service.encoder
        with guard:
            return embedders.setdefault(id(encoder), CachedQueryEmbedder(encoder))

    @router.get("/gaps", include_in_schema=False)
    def gaps_page() -> Response:
        if token is None:
            return HTMLResponse(DISABLED_PAGE, status_code=503, headers=SECURITY_HEADERS)
        return FileResponse(STATIC / "gaps.html", media_type="text/html", headers=SECURITY_HEADERS)

    @router.get("/api/gaps", tags=["gaps"], dependencies=[ContentAuth], responses=declared(401, 413, 422, 503))
    async def gaps_data(
        request: Request,
        city: Annotated[str | None, Query(max_length=64, description="City key; all cities when empty")] = None,
        since: Annotated[date | None, Query(description="Only calls from this day on (YYYY-MM-DD)")] = None,
        limit: Annotated[int | None, Query(ge=1, le=1000, description="At most this many topics")] = None,
    ) -> dict[str, Any]:
        """Knowledge gaps for content teams: topics ranked by impact, article health, city differences.
        Needs the content-team token (header ``X-Content-Token``)."""
        service: CallService = request.app.state.service
        reporter = GapReporter.for_service(service, catalog, config, embedder_for(service))
        report = await run_in_threadpool(reporter.build, city or None, since)
        return report_dict(report, limit)

    @router.post(
        "/api/gaps/known",
        tags=["gaps"],
        status_code=status.HTTP_201_CREATED,
        response_model=KnownGapOut,
        dependencies=[ContentAuth],
        responses=declared(401, 413, 422, 503),
    )
    async def add_known_gap(body: KnownGapRequest, service: Service) -> KnownGapOut:
        """Mark a gap topic as a known gap of its city: from now on a caller's concern of the city like
        ``question`` gets no 'answer' card, only 'maybe' (on every replica from its next index poll). The
        texts are redacted before they are stored; 422 for an unknown city or an empty question. The reply
        carries the checks ``answered_like``: questions the city's articles answered before that are like
        this gap, and ``answered_without_gap``: the articles shown as 'answer' for it if no gap were recorded
        (an article may answer the matter after all)."""
        gap = await run_in_threadpool(service.add_known_gap, body.city, body.label, body.question)
        return await run_in_threadpool(known_gap_out, gap, service)

    @router.get(
        "/api/gaps/known",
        tags=["gaps"],
        response_model=list[KnownGapOut],
        dependencies=[ContentAuth],
        responses=declared(401, 413, 422, 503),
    )
    async def list_known_gaps(
        service: Service,
        city: Annotated[str | None, Query(max_length=64, description="City key; all cities when empty")] = None,
    ) -> list[KnownGapOut]:
        """The known gaps marked on the gaps page and not removed, oldest first."""
        gaps = await run_in_threadpool(service.known_gaps, city or None)
        return await run_in_threadpool(known_gaps_out, gaps, service)

    @router.delete(
        "/api/gaps/known/{gap_id}",
        tags=["gaps"],
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        dependencies=[ContentAuth],
        responses=declared(401, 404, 413, 422, 503),
    )
    async def remove_known_gap(gap_id: Annotated[int, Path(ge=1, le=MAX_GAP_ID)], service: Service) -> None:
        """Stop treating a known gap marked on the gaps page as one (404 when unknown or already removed)."""
        await run_in_threadpool(service.remove_known_gap, gap_id)

    return router
