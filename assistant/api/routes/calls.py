"""Calls: open, utterances, feedback, status, end."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from fastapi.concurrency import run_in_threadpool

from assistant.api.deps import MAX_CALL_ID, CallAccess, Service, ServiceAuth, SettingsDep, base_url
from assistant.api.errors import TextTooLongError, declared
from assistant.api.schemas import (
    CallStatus,
    FeedbackRequest,
    OpenCallRequest,
    OpenCallResponse,
    UtteranceRequest,
    UtteranceResponse,
    suggestion_out,
)
from assistant.live.suggestion_engine import SuggestionOutcome

router = APIRouter(tags=["calls"], responses=declared(413, 422))


@router.post(
    "/api/calls",
    status_code=status.HTTP_201_CREATED,
    response_model=OpenCallResponse,
    responses=declared(401),
    dependencies=[ServiceAuth],
)
def open_call(body: OpenCallRequest, request: Request, service: Service, settings: SettingsDep) -> OpenCallResponse:
    """Open a call for a city, given directly or by the number the call was forwarded from."""
    if not body.city and not body.dialed_number:
        known = ", ".join(service.cities.keys)
        raise HTTPException(422, f"Give 'city' or 'dialed_number'. Known cities: {known}")
    opened = service.open_call(body.city, body.dialed_number, body.agent_id)
    url = f"{base_url(request, settings)}/sidebar/{opened.call.id}?token={opened.sidebar_token}"
    return OpenCallResponse(call_id=opened.call.id, city=opened.call.city, sidebar_url=url)


@router.post(
    "/api/calls/{call_id}/utterances",
    response_model=UtteranceResponse,
    responses=declared(401, 404, 409),
    dependencies=[ServiceAuth],
)
async def add_utterance(
    call_id: Annotated[str, Path(min_length=1, max_length=MAX_CALL_ID)],
    body: UtteranceRequest,
    request: Request,
    service: Service,
    settings: SettingsDep,
) -> UtteranceResponse:
    """A transcript snippet. Final caller utterances may push suggestions; the reply lists the
    cards the sidebar shows for the current concern after it, best first (``new``: first shown in the call)."""

    def handle() -> SuggestionOutcome | None:
        # The service token is required (``ServiceAuth``), so no ``CallAccess``: ``utterance`` loads the
        # call under its lock (404 unknown, 409 ended), in the same worker thread, saving a thread
        # hand-off and a read. An unknown call is still a 404 before a too long text is a 413.
        if len(body.text) > settings.server.max_utterance_chars:
            service.get_call(call_id)
            raise TextTooLongError(settings.server.max_utterance_chars)
        return service.utterance(call_id, body.speaker, body.text, body.final)

    outcome = await run_in_threadpool(handle)
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
    "/api/calls/{call_id}/feedback",
    status_code=204,
    responses=declared(401, 404, 422),
    response_class=Response,
)
def add_feedback(access: CallAccess, body: FeedbackRequest, service: Service) -> None:
    """What the agent did with a suggestion. Accepts the service token or the call's sidebar token.
    The event ``answered`` marks the ``sentence`` of the article that answered the caller's last question:
    the engine highlights it for like questions from then on (422 when the article does not contain it
    or the caller has not spoken yet)."""
    service.feedback(access.call.id, body.article_id, body.event, body.reason, body.sentence)


@router.post(
    "/api/calls/{call_id}/end",
    response_model=CallStatus,
    responses=declared(401, 404, 409),
    dependencies=[ServiceAuth],
)
def end_call(access: CallAccess, service: Service) -> CallStatus:
    call = service.end_call(access.call.id)
    return CallStatus(call_id=call.id, city=call.city, status=call.status)


@router.get("/api/calls/{call_id}", response_model=CallStatus, responses=declared(401, 404))
def get_call(access: CallAccess) -> CallStatus:
    """The call's status. Accepts the service token or the call's sidebar token."""
    return CallStatus(call_id=access.call.id, city=access.call.city, status=access.call.status)
