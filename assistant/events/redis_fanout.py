"""``RedisFanout``: events through Redis pub/sub, one channel per call, so a socket on any replica
receives the events of utterances handled by any other.

Publishing uses a synchronous client (the call service runs in worker threads). Each process keeps one
subscribing connection, listening to the channels of the calls its sockets watch; when that connection
drops it reconnects and resubscribes, and sockets fill the gap from the database (they see the next
event's number jump).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging

import redis
import redis.asyncio as aioredis

from assistant.events.fanout import CallEvent, LocalSubscribers

log = logging.getLogger("souffleur.events")
CHANNEL_PREFIX = "souffleur:call:"


def channel(call_id: str) -> str:
    return f"{CHANNEL_PREFIX}{call_id}"


class RedisFanout:
    def __init__(self, url: str, queue_size: int = 1000) -> None:
        self.url = url
        self.local = LocalSubscribers(queue_size)
        self._client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._pubsub: aioredis.client.PubSub | None = None
        self._listener: asyncio.Task[None] | None = None
        self._connection: aioredis.Redis | None = None
        self._lock: asyncio.Lock | None = None
        self._command_lock: asyncio.Lock | None = None

    def publish(self, call_id: str, event: CallEvent) -> None:
        self._client.publish(channel(call_id), json.dumps(event.to_json_dict(), ensure_ascii=False))

    async def subscribe(self, call_id: str) -> asyncio.Queue[CallEvent]:
        queue, first = self.local.add(call_id)
        if first:
            pubsub = await self._ensure_listener()
            async with self._commands():  # one (un)subscribe at a time on the shared connection
                await pubsub.subscribe(channel(call_id))
        return queue

    async def unsubscribe(self, call_id: str, queue: asyncio.Queue[CallEvent]) -> None:
        if self.local.remove(call_id, queue) and self._pubsub is not None:
            async with self._commands():
                with contextlib.suppress(redis.RedisError, OSError):
                    await self._pubsub.unsubscribe(channel(call_id))

    def _commands(self) -> asyncio.Lock:
        if self._command_lock is None:
            self._command_lock = asyncio.Lock()
        return self._command_lock

    def ping(self) -> None:
        self._client.ping()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
        self._client.close()

    async def _ensure_listener(self) -> aioredis.client.PubSub:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if self._pubsub is None:
                self._connection = aioredis.Redis.from_url(self.url, socket_connect_timeout=5)
                self._pubsub = self._connection.pubsub(ignore_subscribe_messages=True)
                await self._pubsub.connect()  # type: ignore[no-untyped-call]
                self._listener = asyncio.create_task(self._listen())
            return self._pubsub

    async def _listen(self) -> None:
        while True:
            pubsub = self._pubsub
            assert pubsub is not None
            try:
                if not pubsub.subscribed:
                    await asyncio.sleep(0.05)
                    continue
                message = await pubsub.get_message(timeout=1.0)
            except asyncio.CancelledError:
                raise
            except (redis.RedisError, OSError) as exc:
                log.warning("Redis subscription lost (%s); reconnecting", type(exc).__name__)
                await self._resubscribe()
                continue
            if message is None or message.get("type") != "message":
                continue
            name = message["channel"].decode() if isinstance(message["channel"], bytes) else str(message["channel"])
            try:
                event = CallEvent.from_json_dict(json.loads(message["data"]))
            except (ValueError, KeyError, TypeError):
                log.warning("ignored a malformed event on %s", name)
                continue
            self.local.deliver(name.removeprefix(CHANNEL_PREFIX), event)

    async def _resubscribe(self) -> None:
        await asyncio.sleep(0.5)
        old = self._pubsub
        if old is not None:
            with contextlib.suppress(Exception):
                await old.aclose()  # type: ignore[no-untyped-call]
        assert self._connection is not None
        self._pubsub = self._connection.pubsub(ignore_subscribe_messages=True)
        channels = [channel(c) for c in self.local.calls()]
        async with self._commands():
            with contextlib.suppress(redis.RedisError, OSError):
                await self._pubsub.connect()  # type: ignore[no-untyped-call]
                if channels:
                    await self._pubsub.subscribe(*channels)
