"""Builders for call data used by the knowledge-gap tests."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update

from assistant.storage.call_store import CallStore
from assistant.storage.models import CallRecord, FeedbackRecord, SearchRecord, SuggestionRecord, UtteranceRecord


def open_call(store: CallStore, city: str = "duisburg") -> str:
    call_id = uuid.uuid4().hex
    store.create_call(call_id, city, "hash", None, None)
    return call_id


def say(
    store: CallStore,
    call_id: str,
    text: str,
    topic: int = 0,
    outcome: str = "unanswered",
    top_article: str | None = None,
    pushed: tuple[str, ...] = (),
) -> int:
    """A caller utterance; ``pushed`` articles were suggested by it."""
    return store.add_utterance(
        call_id,
        "caller",
        text,
        topic=topic,
        outcome=outcome,
        top_score=0.3 if top_article else None,
        top_article_id=top_article,
        suggestions=[(a, rank, 0.8) for rank, a in enumerate(pushed, start=1)],
    )


def backdate(store: CallStore, call_id: str, when: datetime) -> None:
    """Move a call and everything in it to ``when``."""
    with store.engine.begin() as connection:
        connection.execute(update(CallRecord).where(CallRecord.id == call_id).values(started_at=when))
        for table in (UtteranceRecord, FeedbackRecord, SearchRecord, SuggestionRecord):
            column = table.at
            connection.execute(update(table).where(table.call_id == call_id).values({column: when}))
