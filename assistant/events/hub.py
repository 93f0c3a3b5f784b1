"""``EventHub``: fans a call's events out to the sockets watching it.

Durable events (transcript lines, suggestions, topic changes, call end) are numbered and stored
first, so a sidebar that reconnects, or opens after a server restart, asks for everything after
the last number it saw. Live partial transcripts are not stored and carry no number.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass
from typing import Any

from assistant.storage.call_store import CallStore


@dataclass(frozen=True)
class CallEvent:
    type: str
    payload: dict[str, Any]
    seq: int | None = None

    def message(self) -> dict[str, Any]:
        return {"type": self.type, "seq": self.seq, **self.payload}


@dataclass
class _Subscriber:
    queue: asyncio.Queue[CallEvent]
    loop: asyncio.AbstractEventLoop


class EventHub:
    def __init__(self, store: CallStore, queue_size: int = 1000) -> None:
        self.store = store
        self.queue_size = queue_size
        self._subscribers: dict[str, list[_Subscriber]] = {}
        self._lock = threading.Lock()

    def subscribe(self, call_id: str) -> asyncio.Queue[CallEvent]:
        """A queue receiving the call's events from now on (call from the event loop)."""
        queue: asyncio.Queue[CallEvent] = asyncio.Queue(self.queue_size)
        with self._lock:
            self._subscribers.setdefault(call_id, []).append(_Subscriber(queue, asyncio.get_running_loop()))
        return queue

    def unsubscribe(self, call_id: str, queue: asyncio.Queue[CallEvent]) -> None:
        with self._lock:
            remaining = [s for s in self._subscribers.get(call_id, []) if s.queue is not queue]
            if remaining:
                self._subscribers[call_id] = remaining
            else:
                self._subscribers.pop(call_id, None)

    def publish(self, call_id: str, type_: str, payload: dict[str, Any], durable: bool = True) -> CallEvent:
        """Store (when durable) and deliver an event. Safe to call from any thread."""
        seq = self.store.append_event(call_id, type_, payload) if durable else None
        event = CallEvent(type=type_, payload=payload, seq=seq)
        with self._lock:
            subscribers = list(self._subscribers.get(call_id, []))
        for subscriber in subscribers:
            subscriber.loop.call_soon_threadsafe(_offer, subscriber.queue, event)
        return event

    def missed(self, call_id: str, after: int) -> list[CallEvent]:
        return [CallEvent(e.type, e.payload, e.seq) for e in self.store.events_since(call_id, after)]


def _offer(queue: asyncio.Queue[CallEvent], event: CallEvent) -> None:
    """Deliver without blocking; a watcher too slow to keep up loses live partials first, and for
    durable events it catches up from storage on reconnect."""
    with contextlib.suppress(asyncio.QueueFull):
        queue.put_nowait(event)
