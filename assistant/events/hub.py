"""``EventHub``: stores a call's events and hands them to the fan-out that reaches its sockets.

Durable events (transcript lines, suggestions, topic changes, call end) are numbered and stored
first, and published only after the transaction that stored them has committed, so a sidebar that
reconnects, or opens after a server restart or on another replica, asks for everything after the last
number it saw. Live partial transcripts are not stored and carry no number.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from assistant.events.fanout import CallEvent, EventFanout, InProcessFanout
from assistant.storage.call_store import CallStore, StoredEvent

__all__ = ["CallEvent", "EventHub"]
log = logging.getLogger("souffleur.events")


class EventHub:
    def __init__(self, store: CallStore, fanout: EventFanout | None = None) -> None:
        self.store = store
        self.fanout: EventFanout = fanout or InProcessFanout()

    async def subscribe(self, call_id: str) -> asyncio.Queue[CallEvent]:
        """A queue receiving the call's events from now on (call from the event loop)."""
        return await self.fanout.subscribe(call_id)

    async def unsubscribe(self, call_id: str, queue: asyncio.Queue[CallEvent]) -> None:
        await self.fanout.unsubscribe(call_id, queue)

    def publish(self, call_id: str, type_: str, payload: dict[str, Any], durable: bool = True) -> CallEvent:
        """Store (when durable, in its own transaction) and deliver an event. Safe from any thread."""
        seq = self.store.append_event(call_id, type_, payload) if durable else None
        event = CallEvent(type=type_, payload=payload, seq=seq)
        self._send(call_id, event)
        return event

    def deliver(self, call_id: str, events: Sequence[StoredEvent]) -> None:
        """Publish events that a committed unit of work stored, in their order."""
        for stored in events:
            if not self._send(call_id, CallEvent(stored.type, stored.payload, stored.seq)):
                return

    def _send(self, call_id: str, event: CallEvent) -> bool:
        """Publish; a fan-out failure (Redis unreachable) must not fail a request whose data is stored:
        sockets find stored events in the database (gap or idle check, reconnect)."""
        try:
            self.fanout.publish(call_id, event)
        except Exception as exc:
            log.warning("event fan-out failed (%s); sockets will read the event from storage", type(exc).__name__)
            return False
        return True

    def missed(self, call_id: str, after: int) -> list[CallEvent]:
        return [CallEvent(e.type, e.payload, e.seq) for e in self.store.events_since(call_id, after)]

    def close(self) -> None:
        self.fanout.close()
