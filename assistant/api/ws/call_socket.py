"""The call WebSocket ``/ws/calls/{call_id}``: one socket for ingest and sidebar.

The token decides the role: the service token may stream utterances (``ingest``), the call's
sidebar token may not (``sidebar``). Every socket receives the call's events, may send feedback
and manual searches, and may ask to ``resume`` after the last event number it saw. A bad message
gets an ``error`` event; the socket stays open.
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError

from assistant.api.schemas import FeedbackRequest, Strict, UtteranceRequest, suggestion_out
from assistant.api.security import Access
from assistant.events.hub import CallEvent
from assistant.live.call_service import CallEndedError, CallNotFoundError, CallService, UnknownArticleError
from assistant.settings import Settings
from embeddings.retrieval.retriever import EmptyQueryError

log = logging.getLogger("souffleur.websocket")
websocket_router = APIRouter()

CLOSE_POLICY = 1008
CLOSE_UNKNOWN_CALL = 4404
IDLE_CHECK_SECONDS = 5.0


class SearchMessage(Strict):
    type: str
    q: str
    k: int = 5


class ResumeMessage(Strict):
    type: str
    after: int = 0


class _Connection:
    def __init__(self, websocket: WebSocket, service: CallService, settings: Settings, call_id: str, role: str):
        self.websocket = websocket
        self.service = service
        self.settings = settings
        self.call_id = call_id
        self.role = role
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
        if len(raw.encode()) > self.settings.max_body_bytes:
            await self.error(f"message larger than {self.settings.max_body_bytes} bytes", 413)
            return
        try:
            message = json.loads(raw)
        except json.JSONDecodeError as exc:
            await self.error(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
            return
        if not isinstance(message, dict):
            await self.error("a message must be a JSON object")
            return
        ref = message.pop("ref", None)
        kind = message.get("type") or ("utterance" if "text" in message else None)
        handlers = {
            "utterance": self._utterance,
            "feedback": self._feedback,
            "search": self._search,
            "resume": self._resume,
            "ping": self._ping,
        }
        handler = handlers.get(str(kind))
        if handler is None:
            await self.error(f"unknown message type {kind!r} (one of: {', '.join(handlers)})", ref=ref)
            return
        try:
            await handler({k: v for k, v in message.items() if k != "type"}, ref)
        except ValidationError as exc:
            details = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'message'}: {e['msg']}" for e in exc.errors())
            await self.error(details, ref=ref)
        except CallEndedError as exc:
            await self.error(str(exc), 409, ref)
        except (CallNotFoundError, UnknownArticleError) as exc:
            await self.error(str(exc), 404 if isinstance(exc, CallNotFoundError) else 422, ref)
        except EmptyQueryError as exc:
            await self.error(str(exc), ref=ref)

    async def _utterance(self, body: dict[str, Any], ref: Any) -> None:
        if self.role != "ingest":
            await self.error("only the service token may send utterances", 403, ref)
            return
        request = UtteranceRequest.model_validate(body)
        if len(request.text) > self.settings.max_utterance_chars:
            await self.error(f"text is longer than {self.settings.max_utterance_chars} characters", 413, ref)
            return
        outcome = await run_in_threadpool(
            self.service.utterance, self.call_id, request.speaker, request.text, request.final
        )
        reply: dict[str, Any] = {"type": "ack", "ref": ref, "outcome": outcome.outcome if outcome else "partial"}
        if outcome is not None:
            reply["suggestions"] = [suggestion_out(s).model_dump() for s in outcome.suggestions]
        await self.send(reply)

    async def _feedback(self, body: dict[str, Any], ref: Any) -> None:
        request = FeedbackRequest.model_validate(body)
        await run_in_threadpool(self.service.feedback, self.call_id, request.article_id, request.event, request.reason)
        await self.send({"type": "ack", "ref": ref})

    async def _search(self, body: dict[str, Any], ref: Any) -> None:
        request = SearchMessage.model_validate({"type": "search", **body})
        if not 1 <= request.k <= 20 or len(request.q) > 500:
            await self.error("q must be at most 500 characters and k between 1 and 20", ref=ref)
            return
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
        request = ResumeMessage.model_validate({"type": "resume", **body})
        await self.catch_up(request.after)

    async def _ping(self, _body: dict[str, Any], ref: Any) -> None:
        await self.send({"type": "pong", "ref": ref})


def _role(access: Access, call_id: str, token: str | None) -> str | None:
    if access.is_service(token):
        return "ingest"
    if token and access.service.check_sidebar_token(call_id, token):
        return "sidebar"
    return None


@websocket_router.websocket("/ws/calls/{call_id}")
async def call_socket(websocket: WebSocket, call_id: str, token: str | None = None, after: int = 0) -> None:
    service: CallService = websocket.app.state.service
    access: Access = websocket.app.state.access
    settings: Settings = websocket.app.state.settings
    call = await run_in_threadpool(service.store.get_call, call_id)
    if call is None:
        await websocket.close(CLOSE_UNKNOWN_CALL, "unknown call")
        return
    header_token = websocket.headers.get("authorization", "").removeprefix("Bearer ").strip() or None
    role = _role(access, call_id, token or header_token)
    if role is None:
        await websocket.close(CLOSE_POLICY, "a valid token is required")
        return
    await websocket.accept()
    connection = _Connection(websocket, service, settings, call_id, role)
    queue = await service.hub.subscribe(call_id)
    service.metrics.websockets.inc()
    city_name = service.cities.get(call.city).name
    pump: asyncio.Task[None] | None = None
    try:
        await connection.send(
            {"type": "hello", "call_id": call_id, "city": call.city, "city_name": city_name, "role": role,
             "status": call.status}
        )  # fmt: skip
        await connection.catch_up(max(after, 0))
        pump = asyncio.create_task(_pump(connection, queue))
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            raw = message.get("text") or (message.get("bytes") or b"").decode("utf-8", "replace")
            await connection.handle(raw)
    except WebSocketDisconnect:
        pass
    except RuntimeError as exc:  # the client went away mid-send
        log.debug("socket closed: %s", exc)
    finally:
        if pump is not None:
            pump.cancel()
        await service.hub.unsubscribe(call_id, queue)
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
