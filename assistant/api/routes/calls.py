"""The HTTP endpoints: calls, utterances, feedback, manual search, articles, health and metrics."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from assistant.api.schemas import (
    ArticleOut,
    CallStatus,
    ErrorOut,
    FeedbackRequest,
    OpenCallRequest,
    OpenCallResponse,
    SearchResponse,
    UtteranceRequest,
    UtteranceResponse,
    suggestion_out,
)
from assistant.api.security import Access
from assistant.live.call_service import (
    CallEndedError,
    CallNotFoundError,
    CallService,
    UnknownArticleError,
    UnknownNumberError,
)
from assistant.settings import Settings
from corpus.errors import UnknownCityError
from embeddings.retrieval.retriever import EmptyQueryError

ERRORS: dict[int | str, dict[str, object]] = {
    401: {"model": ErrorOut, "description": "Missing or wrong token"},
    404: {"model": ErrorOut, "description": "Unknown call or article"},
    409: {"model": ErrorOut, "description": "The call has ended"},
    413: {"model": ErrorOut, "description": "Body or text too large"},
    422: {"model": ErrorOut, "description": "Malformed request"},
}

router = APIRouter()


def get_service(request: Request) -> CallService:
    service: CallService = request.app.state.service
    return service


def get_access(request: Request) -> Access:
    access: Access = request.app.state.access
    return access


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Service = Annotated[CallService, Depends(get_service)]
AccessDep = Annotated[Access, Depends(get_access)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def service_token(request: Request, access: AccessDep) -> None:
    access.require_service(request)


ServiceAuth = Depends(service_token)


def base_url(request: Request, settings: Settings) -> str:
    return (settings.public_url or str(request.base_url)).rstrip("/")


@contextmanager
def call_errors() -> Iterator[None]:
    """Unknown call: 404. Ended call: 409."""
    try:
        yield
    except CallNotFoundError as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
    except CallEndedError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


def _call_or_http(service: CallService, call_id: str, active: bool) -> None:
    with call_errors():
        service.active_call(call_id) if active else service.get_call(call_id)


@router.post(
    "/api/calls",
    status_code=status.HTTP_201_CREATED,
    response_model=OpenCallResponse,
    responses=ERRORS,
    dependencies=[ServiceAuth],
    tags=["calls"],
)
def open_call(body: OpenCallRequest, request: Request, service: Service, settings: SettingsDep) -> OpenCallResponse:
    """Open a call for a city, given directly or by the number the call was forwarded from."""
    if not body.city and not body.dialed_number:
        known = ", ".join(service.cities.keys)
        raise HTTPException(422, f"Give 'city' or 'dialed_number'. Known cities: {known}")
    try:
        opened = service.open_call(body.city, body.dialed_number, body.agent_id)
    except (UnknownCityError, UnknownNumberError) as exc:
        raise HTTPException(422, str(exc)) from exc
    url = f"{base_url(request, settings)}/sidebar/{opened.call.id}?token={opened.sidebar_token}"
    return OpenCallResponse(call_id=opened.call.id, city=opened.call.city, sidebar_url=url)


@router.post(
    "/api/calls/{call_id}/utterances",
    response_model=UtteranceResponse,
    responses=ERRORS,
    dependencies=[ServiceAuth],
    tags=["calls"],
)
async def add_utterance(
    call_id: str, body: UtteranceRequest, request: Request, service: Service, settings: SettingsDep
) -> UtteranceResponse:
    """A transcript snippet. Final caller utterances may push suggestions; the reply lists the
    cards the sidebar shows for the current concern after it, best first (``new``: first shown in the call)."""
    if len(body.text) > settings.max_utterance_chars:
        raise HTTPException(413, f"text is longer than {settings.max_utterance_chars} characters")
    with call_errors():
        outcome = await run_in_threadpool(service.utterance, call_id, body.speaker, body.text, body.final)
    if outcome is None:
        return UtteranceResponse(outcome="partial", suggestions=[])
    base = base_url(request, settings)
    return UtteranceResponse(
        outcome=outcome.outcome,
        topic=outcome.topic,
        topic_changed=outcome.topic_changed,
        suggestions=[suggestion_out(s, base) for s in outcome.suggestions],
    )


@router.post(
    "/api/calls/{call_id}/feedback", status_code=204, responses=ERRORS, tags=["calls"], response_class=Response
)
def add_feedback(call_id: str, body: FeedbackRequest, request: Request, service: Service, access: AccessDep) -> None:
    """What the agent did with a suggestion. Accepts the service token or the call's sidebar token."""
    _call_or_http(service, call_id, active=False)
    access.require_call(request, call_id)
    try:
        service.feedback(call_id, body.article_id, body.event, body.reason)
    except UnknownArticleError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.post(
    "/api/calls/{call_id}/end", response_model=CallStatus, responses=ERRORS, dependencies=[ServiceAuth], tags=["calls"]
)
def end_call(call_id: str, service: Service) -> CallStatus:
    with call_errors():
        call = service.end_call(call_id)
    return CallStatus(call_id=call.id, city=call.city, status=call.status)


@router.get("/api/calls/{call_id}", response_model=CallStatus, responses=ERRORS, tags=["calls"])
def get_call(call_id: str, request: Request, service: Service, access: AccessDep) -> CallStatus:
    _call_or_http(service, call_id, active=False)
    access.require_call(request, call_id)
    call = service.get_call(call_id)
    return CallStatus(call_id=call.id, city=call.city, status=call.status)


@router.get("/api/search", response_model=SearchResponse, responses=ERRORS, tags=["search"])
async def search(
    request: Request,
    service: Service,
    access: AccessDep,
    settings: SettingsDep,
    q: Annotated[str, Query(min_length=1, max_length=500, description="What to search for")],
    city: Annotated[
        str | None, Query(max_length=64, description="City key; a call's city when call_id is given")
    ] = None,
    k: Annotated[int, Query(ge=1, le=20)] = 5,
    call_id: Annotated[str | None, Query(max_length=64)] = None,
) -> SearchResponse:
    """Manual search, same result shape as suggestions. With ``call_id`` (and that call's sidebar
    token) the search is scoped to the call's city and recorded with the call."""
    if call_id:
        _call_or_http(service, call_id, active=False)
        access.require_call(request, call_id)
        call_city = service.get_call(call_id).city
        if city and city.strip().lower() != call_city:
            raise HTTPException(422, f"This call is for '{call_city}'; its sidebar searches only there")
        city = call_city
    else:
        access.require_service(request)
    if not city:
        raise HTTPException(422, f"Give 'city'. Known cities: {', '.join(service.cities.keys)}")
    try:
        result = await run_in_threadpool(service.search, q, city, k, call_id)
    except UnknownCityError as exc:
        raise HTTPException(422, str(exc)) from exc
    except EmptyQueryError as exc:
        raise HTTPException(422, str(exc)) from exc
    base = base_url(request, settings)
    return SearchResponse(
        query=q, city=city.strip().lower(), suggestions=[suggestion_out(s, base) for s in result.suggestions]
    )


@router.get("/api/articles/{article_id:path}", response_model=ArticleOut, responses=ERRORS, tags=["search"])
def get_article(
    article_id: str,
    request: Request,
    service: Service,
    access: AccessDep,
    call_id: Annotated[str | None, Query(max_length=64)] = None,
) -> ArticleOut:
    """A whole article. With ``call_id``, only articles the call's city may see are returned."""
    if call_id:
        _call_or_http(service, call_id, active=False)
        access.require_call(request, call_id)
    else:
        access.require_service(request)
    article = service.knowledge.articles.get(article_id)
    if article is None or not article.is_published:
        raise HTTPException(404, f"No published article '{article_id}'")
    if call_id and article.city not in service.cities.scope(service.get_call(call_id).city):
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


@router.get("/healthz", tags=["admin"])
def healthz(service: Service) -> dict[str, object]:
    return {"status": "ok", "articles": len(service.knowledge.published), "cities": service.cities.keys}


@router.get("/metrics", dependencies=[ServiceAuth], tags=["admin"], response_class=Response)
def metrics(service: Service) -> Response:
    """Prometheus metrics (service token required)."""
    return Response(generate_latest(service.metrics.registry), media_type=CONTENT_TYPE_LATEST)
