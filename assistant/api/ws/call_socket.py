"""The call WebSocket ``/ws/calls/{call_id}``: one socket for ingest and sidebar.

The token decides the role: the service token may stream utterances (``ingest``), the call's
sidebar token may not (``sidebar``). Browsers send the token as the subprotocol
``souffleur.token.<token>`` next to ``souffleur`` (the server answers ``souffleur``), other clients
as ``Authorization: Bearer``; the query parameter ``?token=`` still works but puts the token into
URLs, so it is discouraged (``souffleur serve`` scrubs it from every log line). The socket is always
accepted first and then closed with 1008 (no valid token) or 4404 (service token, unknown call), so
browsers see the code and stop reconnecting.

Every socket receives the call's events, may send feedback and manual searches, and may ask to
``resume`` after the last event number it saw. Every bad message (not JSON, nested too deeply, a
number too long, a lone surrogate, a field out of range, a frame above ``max_body_bytes``) gets an
``error`` message with a status from the API's one error table; the socket stays open.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from assistant.api.deps import AuthorizedCall, authorize_call, matches_token
from assistant.api.errors import (
    CLOSE_POLICY,
    CLOSE_UNKNOWN_CALL,
    NotAllowedError,
    TextTooLongError,
    readable,
    status_for,
)
from assistant.api.schemas import (
    MAX_EVENT_SEQ,
    FeedbackRequest,
    ResumeMessage,
    SearchMessage,
    UtteranceRequest,
    suggestion_out,
)
from assistant.events.hub import CallEvent
from assistant.live.call_service import CallNotFoundError, CallService
from assistant.settings import Settings

log = logging.getLogger("souffleur.websocket")
websocket_router = APIRouter()

SUBPROTOCOL = "souffleur"
TOKEN_SUBPROTOCOL = "souffleur.token."
IDLE_CHECK_SECONDS = 5.0  # without a live event this long, the socket looks in storage for missed ones


class MessageError(ValueError):
    """A message the socket answers with an ``error`` of this status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def parse_message(raw: str, max_bytes: int) -> dict[str, Any]:
    """One client message as a JSON object, or ``MessageError`` saying what is wrong with it."""
    try:
        size = len(raw.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise MessageError("the message contains an unpaired surrogate (not valid UTF-8)") from exc
    if size > max_bytes:
        raise MessageError(f"message larger than {max_bytes} bytes", 413)
    try:
        message = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise MessageError(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from exc
    except RecursionError as exc:
        raise MessageError("not valid JSON: nested too deeply") from exc
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise MessageError(f"not valid JSON: {exc}") from exc
    if not isinstance(message, dict):
        raise MessageError("a message must be a JSON object")
    try:
        json.dumps(message, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise MessageError("a text contains an unpaired surrogate (escaped \\ud800-\\udfff)") from exc
    except (RecursionError, ValueError) as exc:
        raise MessageError("not valid JSON: nested too deeply or a number too long") from exc
    return message


class _Connection:
    def __init__(self, websocket: WebSocket, service: CallService, settings: Settings, access: AuthorizedCall):
        self.websocket = websocket
        self.service = service
        self.settings = settings
        self.call_id = access.call.id
        self.role = access.role
        self.last_seq = 0
        self._send_lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            await self.websocket.send_text(json.dumps(message, ensure_ascii=False))

    async def deliver(self, event: CallEvent) -> None:
        if event.seq is not None:
            if event.seq <= self.last_seq:
                return
            if event.seq > self.last_seq + 1:  # a gap (lost or reordered message): fill it from storage
                await self.catch_up(self.last_seq)
                return
            self.last_seq = event.seq
        await self.send(event.message())

    async def catch_up(self, after: int) -> None:
        """Send every stored event after ``after`` (a reconnect, or a client that saw a gap)."""
        for event in await run_in_threadpool(self.service.hub.missed, self.call_id, after):
            await self.send(event.message())
            self.last_seq = max(self.last_seq, event.seq or 0)

    async def error(self, message: str, status: int = 422, ref: Any = None) -> None:
        self.service.metrics.websocket_errors.inc()
        await self.send({"type": "error", "status": status, "message": message, "ref": ref})

    async def handle(self, raw: str) -> None:
        try:
            message = parse_message(raw, self.settings.server.max_body_bytes)
        except MessageError as exc:
            await self.error(str(exc), exc.status)
            return
        ref = message.pop("ref", None)
        if not isinstance(ref, str | int | None) or isinstance(ref, bool):
            ref = None
        kind = message.get("type") or ("utterance" if "text" in message else None)
        handlers: dict[str, Callable[[dict[str, Any], Any], Awaitable[None]]] = {
            "utterance": self._utterance,
            "feedback": self._feedback,
            "search": self._search,
            "resume": self._resume,
            "ping": self._ping,
        }
        handler = handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            shown = kind if isinstance(kind, str) and len(kind) <= 40 else "?"
            await self.error(f"unknown message type {shown!r} (one of: {', '.join(handlers)})", ref=ref)
            return
        try:
            await handler({k: v for k, v in message.items() if k != "type"}, ref)
        except ValidationError as exc:
            await self.error(readable([dict(e) for e in exc.errors()]), ref=ref)
        except (WebSocketDisconnect, asyncio.CancelledError):
            raise
        except Exception as exc:
            status = status_for(exc)
            if status is None:  # the type only: the message could carry user text or SQL parameters
                log.error("unexpected %s while handling a %s message", type(exc).__name__, kind)
                await self.error("internal error; it has been logged", 500, ref)
            else:
                await self.error(str(exc), status, ref)

    async def _utterance(self, body: dict[str, Any], ref: Any) -> None:
        if self.role != "ingest":
            raise NotAllowedError("only the service token may send utterances")
        request = UtteranceRequest.model_validate(body)
        if len(request.text) > self.settings.server.max_utterance_chars:
            raise TextTooLongError(self.settings.server.max_utterance_chars)
        outcome = await run_in_threadpool(
            self.service.utterance, self.call_id, request.speaker, request.text, request.final
        )
        reply: dict[str, Any] = {"type": "ack", "ref": ref, "outcome": outcome.outcome if outcome else "partial"}
        if outcome is not None:
            reply["suggestions"] = [suggestion_out(s).model_dump() for s in outcome.suggestions]
        await self.send(reply)

    async def _feedback(self, body: dict[str, Any], ref: Any) -> None:
        request = FeedbackRequest.model_validate(body)
        await run_in_threadpool(
            self.service.feedback, self.call_id, request.article_id, request.event, request.reason, request.sentence
        )
        await self.send({"type": "ack", "ref": ref})

    async def _search(self, body: dict[str, Any], ref: Any) -> None:
        request = SearchMessage.model_validate(body)
        city = self.service.get_call(self.call_id).city
        result = await run_in_threadpool(self.service.search, request.q, city, request.k, self.call_id)
        await self.send(
            {
                "type": "search_results",
                "ref": ref,
                "query": request.q,
                "suggestions": [suggestion_out(s).model_dump() for s in result.suggestions],
            }
        )

    async def _resume(self, body: dict[str, Any], ref: Any) -> None:
        request = ResumeMessage.model_validate(body)
        await self.catch_up(request.after)

    async def _ping(self, _body: dict[str, Any], ref: Any) -> None:
        await self.send({"type": "pong", "ref": ref})


def _offered_token(websocket: WebSocket) -> tuple[str | None, bool]:
    """The token (subprotocol, ``Authorization: Bearer`` or ``?token=``) and whether the client
    offered the ``souffleur`` subprotocol (then the server must answer with it)."""
    offered = [p.strip() for p in websocket.headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
    token = next((p.removeprefix(TOKEN_SUBPROTOCOL) for p in offered if p.startswith(TOKEN_SUBPROTOCOL)), None)
    authorization = websocket.headers.get("authorization", "")
    if not token and authorization.lower().startswith("bearer "):
        token = authorization[7:].strip()
    return token or websocket.query_params.get("token") or None, SUBPROTOCOL in offered


def _after(websocket: WebSocket) -> int | None:
    """The ``after`` query parameter, or None when it is not a number in range."""
    text = websocket.query_params.get("after", "0") or "0"
    if not text.isascii() or not text.isdigit() or len(text) > 19 or int(text) > MAX_EVENT_SEQ:
        return None
    return int(text)


@websocket_router.websocket("/ws/calls/{call_id}")
async def call_socket(websocket: WebSocket, call_id: str) -> None:
    service: CallService = websocket.app.state.service
    settings: Settings = websocket.app.state.settings
    token, wants_subprotocol = _offered_token(websocket)
    await websocket.accept(subprotocol=SUBPROTOCOL if wants_subprotocol else None)
    is_service = matches_token(token, websocket.app.state.api_token)
    try:
        access = await run_in_threadpool(authorize_call, service, call_id[:128], token, is_service)
    except CallNotFoundError:
        await websocket.close(CLOSE_UNKNOWN_CALL, "unknown call")
        return
    except HTTPException:  # 401: no usable token for this call
        await websocket.close(CLOSE_POLICY, "a valid token is required")
        return
    connection = _Connection(websocket, service, settings, access)
    queue = await service.hub.subscribe(access.call.id)
    service.metrics.websockets.inc()
    call = access.call
    city_name = service.cities.get(call.city).name
    pump: asyncio.Task[None] | None = None
    try:
        await connection.send(
            {"type": "hello", "call_id": call_id, "city": call.city, "city_name": city_name, "role": access.role,
             "status": call.status}
        )  # fmt: skip
        after = _after(websocket)
        if after is None:
            await connection.error(f"after must be a whole number from 0 to {MAX_EVENT_SEQ}; sending every event")
        await connection.catch_up(after or 0)
        pump = asyncio.create_task(_pump(connection, queue))
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                try:
                    text = (message.get("bytes") or b"").decode("utf-8")
                except UnicodeDecodeError:
                    await connection.error("a binary frame must be UTF-8 JSON")
                    continue
            await connection.handle(text)
    except WebSocketDisconnect:
        pass
    except RuntimeError as exc:  # the client went away mid-send
        log.debug("socket closed: %s", type(exc).__name__)
    finally:
        if pump is not None:
            pump.cancel()
        await service.hub.unsubscribe(access.call.id, queue)
        service.metrics.websockets.dec()


async def _pump(connection: _Connection, queue: asyncio.Queue[CallEvent]) -> None:
    """Deliver the call's live events; after ``IDLE_CHECK_SECONDS`` without one, look in storage for
    events that never arrived (a message lost between replicas, a full queue), so even a call's last
    event reaches the socket."""
    try:
        while True:
            try:
                event = await asyncio.wait_for(queue.get(), IDLE_CHECK_SECONDS)
            except TimeoutError:
                await connection.catch_up(connection.last_seq)
                continue
            await connection.deliver(event)
    except (WebSocketDisconnect, RuntimeError):
        return
