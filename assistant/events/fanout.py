"""Event fan-out: how a stored event reaches the sockets watching its call.

``EventPublisher`` sends an event (after the transaction that stored it has committed);
``EventSubscriber`` hands a socket a queue of its call's events. :class:`InProcessFanout` (the default)
delivers inside one process; :class:`assistant.events.redis_fanout.RedisFanout` delivers through Redis
pub/sub (one channel per call) to every replica. Either way a socket deduplicates by event number and
fills any gap from the database, so it sees every durable event once and in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class CallEvent:
    type: str
    payload: dict[str, Any]
    seq: int | None = None

    def message(self) -> dict[str, Any]:
        return {"type": self.type, "seq": self.seq, **self.payload}

    def to_json_dict(self) -> dict[str, Any]:
        return {"type": self.type, "payload": self.payload, "seq": self.seq}

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> CallEvent:
        seq = data.get("seq")
        number = None if seq is None else int(seq)
        return cls(type=str(data["type"]), payload=dict(data.get("payload") or {}), seq=number)


class EventPublisher(Protocol):
    def publish(self, call_id: str, event: CallEvent) -> None:
        """Send an event to every subscriber of the call (any thread)."""


class EventSubscriber(Protocol):
    async def subscribe(self, call_id: str) -> asyncio.Queue[CallEvent]:
        """A queue receiving the call's events from now on (on the event loop)."""

    async def unsubscribe(self, call_id: str, queue: asyncio.Queue[CallEvent]) -> None: ...


class EventFanout(EventPublisher, EventSubscriber, Protocol):
    def ping(self) -> None:
        """Raises when the fan-out's backend cannot be reached."""

    def close(self) -> None: ...


@dataclass
class _Subscriber:
    queue: asyncio.Queue[CallEvent]
    loop: asyncio.AbstractEventLoop


class LocalSubscribers:
    """The queues of this process's sockets, per call; delivery is safe from any thread."""

    def __init__(self, queue_size: int = 1000) -> None:
        self.queue_size = queue_size
        self._subscribers: dict[str, list[_Subscriber]] = {}
        self._lock = threading.Lock()

    def add(self, call_id: str) -> tuple[asyncio.Queue[CallEvent], bool]:
        """A new queue, and whether it is the call's first subscriber here."""
        queue: asyncio.Queue[CallEvent] = asyncio.Queue(self.queue_size)
        with self._lock:
            entries = self._subscribers.setdefault(call_id, [])
            entries.append(_Subscriber(queue, asyncio.get_running_loop()))
            return queue, len(entries) == 1

    def remove(self, call_id: str, queue: asyncio.Queue[CallEvent]) -> bool:
        """Drop the queue; whether the call has no subscriber left here."""
        with self._lock:
            remaining = [s for s in self._subscribers.get(call_id, []) if s.queue is not queue]
            if remaining:
                self._subscribers[call_id] = remaining
                return False
            self._subscribers.pop(call_id, None)
            return True

    def calls(self) -> list[str]:
        with self._lock:
            return list(self._subscribers)

    def deliver(self, call_id: str, event: CallEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(call_id, []))
        for subscriber in subscribers:
            subscriber.loop.call_soon_threadsafe(_offer, subscriber.queue, event)


def _offer(queue: asyncio.Queue[CallEvent], event: CallEvent) -> None:
    """Deliver without blocking; a watcher too slow to keep up loses live partials first, and for
    durable events it catches up from storage (gap or reconnect)."""
    with contextlib.suppress(asyncio.QueueFull):
        queue.put_nowait(event)


class InProcessFanout:
    """The default: events go to the sockets of this process only (one process serves everything)."""

    def __init__(self, queue_size: int = 1000) -> None:
        self.local = LocalSubscribers(queue_size)

    def publish(self, call_id: str, event: CallEvent) -> None:
        self.local.deliver(call_id, event)

    async def subscribe(self, call_id: str) -> asyncio.Queue[CallEvent]:
        return self.local.add(call_id)[0]

    async def unsubscribe(self, call_id: str, queue: asyncio.Queue[CallEvent]) -> None:
        self.local.remove(call_id, queue)

    def ping(self) -> None:
        return None

    def close(self) -> None:
        return None
