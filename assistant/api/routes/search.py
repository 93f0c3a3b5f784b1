"""Manual search and whole articles, for the service or scoped to one call's city."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool

from assistant.api.deps import (
    MAX_CALL_ID,
    AuthorizedCall,
    CallToken,
    Service,
    ServiceTokenGiven,
    SettingsDep,
    authorize_call,
    base_url,
)
from assistant.api.errors import declared
from assistant.api.schemas import MAX_QUERY_CHARS, MAX_SEARCH_K, ArticleOut, SearchResponse, suggestion_out
from assistant.live.call_service import CallService

router = APIRouter(tags=["search"], responses=declared(401, 404, 413, 422))

CallIdQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=MAX_CALL_ID, description="Scope to this call's city (with its sidebar token)"),
]


def _scope(
    service: CallService, call_id: str | None, call_token: str | None, service_ok: bool
) -> AuthorizedCall | None:
    """The call the request is scoped to, or None for a service-wide request (service token)."""
    if call_id is not None:
        return authorize_call(service, call_id, call_token, service_ok)
    if not service_ok:
        raise HTTPException(401, "A valid service token is required (or call_id with its sidebar token).",
                            headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
    return None


@router.get("/api/search", response_model=SearchResponse)
async def search(
    request: Request,
    service: Service,
    settings: SettingsDep,
    service_ok: ServiceTokenGiven,
    call_token: CallToken,
    q: Annotated[str, Query(min_length=1, max_length=MAX_QUERY_CHARS, description="What to search for")],
    city: Annotated[
        str | None, Query(max_length=64, description="City key; a call's city when call_id is given")
    ] = None,
    k: Annotated[int, Query(ge=1, le=MAX_SEARCH_K)] = 5,
    call_id: CallIdQuery = None,
) -> SearchResponse:
    """Manual search, same result shape as suggestions. With ``call_id`` (and that call's sidebar
    token) the search is scoped to the call's city and recorded with the call."""
    scope = _scope(service, call_id, call_token, service_ok)
    if scope is not None:
        if city and city.strip().lower() != scope.call.city:
            raise HTTPException(422, f"This call is for '{scope.call.city}'; its sidebar searches only there")
        city = scope.call.city
    if not city or not city.strip():
        raise HTTPException(422, f"Give 'city'. Known cities: {', '.join(service.cities.keys)}")
    result = await run_in_threadpool(service.search, q, city, k, scope.call.id if scope else None)
    base = base_url(request, settings)
    key = service.cities.get(city).key
    return SearchResponse(query=q, city=key, suggestions=[suggestion_out(s, base) for s in result.suggestions])


@router.get("/api/articles/{article_id:path}", response_model=ArticleOut)
def get_article(
    article_id: str,
    service: Service,
    service_ok: ServiceTokenGiven,
    call_token: CallToken,
    call_id: CallIdQuery = None,
) -> ArticleOut:
    """A whole article. With ``call_id``, only articles the call's city may see are returned."""
    scope = _scope(service, call_id, call_token, service_ok)
    article = service.knowledge.articles.get(article_id)
    if article is None or not article.is_published:
        raise HTTPException(404, f"No published article '{article_id}'")
    if scope is not None and article.city not in service.cities.scope(scope.call.city):
        raise HTTPException(404, f"No published article '{article_id}' for this call's city")
    city_name = "alle Städte" if article.city == service.cities.common_key else service.cities.get(article.city).name
    return ArticleOut(
        article_id=article.id,
        title=article.title,
        city=article.city,
        city_name=city_name,
        service=article.service,
        updated=article.updated.isoformat(),
        office=article.office,
        contact=article.contact,
        fees=article.fees,
        source=article.source,
        sections=[{"heading": s.heading, "text": s.text} for s in article.sections],
    )
