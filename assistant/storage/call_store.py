"""``CallStore``: the one place that reads and writes call data."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, func, select
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import QueuePool, StaticPool

from assistant.storage.models import (
    Base,
    CallRecord,
    EventRecord,
    FeedbackRecord,
    SearchRecord,
    SuggestionRecord,
    UtteranceRecord,
    utcnow,
)


@dataclass(frozen=True)
class CallInfo:
    id: str
    city: str
    agent_id: str | None
    dialed_number: str | None
    sidebar_token_hash: str
    status: str
    topic: int
    started_at: datetime
    ended_at: datetime | None

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    type: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class SessionState:
    """What the suggestion engine needs to continue a call after a restart: the recent turns and
    articles of the current topic, and every article already pushed in the call."""

    topic: int
    turns: list[tuple[str, str]]
    topic_articles: list[str]
    pushed: set[str]


@dataclass(frozen=True)
class PurgeReport:
    calls: int
    searches: int


def _call_info(record: CallRecord) -> CallInfo:
    return CallInfo(
        id=record.id,
        city=record.city,
        agent_id=record.agent_id,
        dialed_number=record.dialed_number,
        sidebar_token_hash=record.sidebar_token_hash,
        status=record.status,
        topic=record.topic,
        started_at=record.started_at,
        ended_at=record.ended_at,
    )


def make_engine(url: str) -> Engine:
    """An engine for the URL. SQLite files get their folder created, WAL journaling and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Owner-only; SQLite gives its -wal and -shm files the database file's mode.
        os.close(os.open(parsed.database, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(parsed.database, 0o600)
    memory = not parsed.database or parsed.database == ":memory:"
    engine = create_engine(
        url, connect_args={"check_same_thread": False}, poolclass=StaticPool if memory else QueuePool
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if parsed.database and parsed.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    return engine


class CallStore:
    """Calls, utterances, pushed suggestions, feedback, manual searches and sidebar events."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        Base.metadata.create_all(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.Lock()

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._write_lock, self._sessions.begin() as session:
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with self._sessions() as session:
            yield session

    # ---- calls ----------------------------------------------------------------------------------
    def create_call(
        self, call_id: str, city: str, sidebar_token_hash: str, agent_id: str | None, dialed_number: str | None
    ) -> CallInfo:
        record = CallRecord(
            id=call_id,
            city=city,
            agent_id=agent_id,
            dialed_number=dialed_number,
            sidebar_token_hash=sidebar_token_hash,
            status="active",
            topic=0,
            started_at=utcnow(),
        )
        with self._write() as session:
            session.add(record)
        return _call_info(record)

    def get_call(self, call_id: str) -> CallInfo | None:
        with self._read() as session:
            record = session.get(CallRecord, call_id)
            return _call_info(record) if record else None

    def end_call(self, call_id: str) -> None:
        with self._write() as session:
            record = session.get(CallRecord, call_id)
            if record is not None:
                record.status = "ended"
                record.ended_at = utcnow()

    def set_topic(self, call_id: str, topic: int) -> None:
        with self._write() as session:
            record = session.get(CallRecord, call_id)
            if record is not None:
                record.topic = topic

    # ---- what happens in a call ---------------------------------------------------------------
    def add_utterance(
        self,
        call_id: str,
        speaker: str,
        text: str,
        topic: int,
        outcome: str,
        top_score: float | None = None,
        top_article_id: str | None = None,
        suggestions: Sequence[tuple[str, int, float]] = (),
    ) -> int:
        """Store a (redacted) utterance and the suggestions it pushed as (article id, rank, score)."""
        with self._write() as session:
            seq = session.scalar(
                select(func.coalesce(func.max(UtteranceRecord.seq), 0)).where(UtteranceRecord.call_id == call_id)
            )
            record = UtteranceRecord(
                call_id=call_id,
                seq=int(seq or 0) + 1,
                speaker=speaker,
                text=text,
                topic=topic,
                outcome=outcome,
                top_score=top_score,
                top_article_id=top_article_id,
                at=utcnow(),
            )
            session.add(record)
            session.flush()
            for article_id, rank, score in suggestions:
                session.add(
                    SuggestionRecord(
                        call_id=call_id,
                        utterance_id=record.id,
                        article_id=article_id,
                        rank=rank,
                        score=score,
                        topic=topic,
                        at=utcnow(),
                    )
                )
            return record.id

    def add_feedback(self, call_id: str, article_id: str, event_name: str, reason: str | None) -> None:
        with self._write() as session:
            session.add(FeedbackRecord(call_id=call_id, article_id=article_id, event=event_name, reason=reason))

    def add_search(
        self, call_id: str | None, city: str, query: str, article_ids: list[str], top_score: float | None
    ) -> int:
        record = SearchRecord(call_id=call_id, city=city, query=query, article_ids=article_ids, top_score=top_score)
        with self._write() as session:
            session.add(record)
            session.flush()
            return record.id

    def session_state(self, call_id: str, turns: int) -> SessionState:
        """The last ``turns`` meaningful turns of the call's current topic, its articles, and every
        article pushed in the call."""
        with self._read() as session:
            call = session.get(CallRecord, call_id)
            topic = call.topic if call else 0
            rows = session.execute(
                select(UtteranceRecord.speaker, UtteranceRecord.text)
                .where(
                    UtteranceRecord.call_id == call_id,
                    UtteranceRecord.topic == topic,
                    UtteranceRecord.outcome != "trivial",
                )
                .order_by(UtteranceRecord.seq.desc())
                .limit(turns)
            ).all()
            suggested = session.execute(
                select(SuggestionRecord.article_id, SuggestionRecord.topic)
                .where(SuggestionRecord.call_id == call_id)
                .order_by(SuggestionRecord.id)
            ).all()
        topic_articles = list(dict.fromkeys(a for a, t in suggested if t == topic))
        return SessionState(
            topic=topic,
            turns=[(speaker, text) for speaker, text in reversed(rows)],
            topic_articles=topic_articles,
            pushed={a for a, _ in suggested},
        )

    # ---- sidebar events -------------------------------------------------------------------------
    def append_event(self, call_id: str, type_: str, payload: dict[str, Any]) -> int:
        with self._write() as session:
            seq = session.scalar(
                select(func.coalesce(func.max(EventRecord.seq), 0)).where(EventRecord.call_id == call_id)
            )
            number = int(seq or 0) + 1
            session.add(EventRecord(call_id=call_id, seq=number, type=type_, payload=payload, at=utcnow()))
            return number

    def events_since(self, call_id: str, seq: int) -> list[StoredEvent]:
        with self._read() as session:
            rows = session.scalars(
                select(EventRecord)
                .where(EventRecord.call_id == call_id, EventRecord.seq > seq)
                .order_by(EventRecord.seq)
            ).all()
            return [StoredEvent(seq=r.seq, type=r.type, payload=r.payload) for r in rows]

    # ---- retention ------------------------------------------------------------------------------
    def purge(self, older_than: datetime) -> PurgeReport:
        """Delete calls (with everything in them) and manual searches started before ``older_than``."""
        with self._write() as session:
            old_calls = select(CallRecord.id).where(CallRecord.started_at < older_than)
            ids = list(session.scalars(old_calls))
            for table in (EventRecord, SuggestionRecord, FeedbackRecord, UtteranceRecord):
                session.execute(delete(table).where(table.call_id.in_(ids)))
            session.execute(delete(SearchRecord).where(SearchRecord.call_id.in_(ids)))
            old_searches = select(SearchRecord.id).where(SearchRecord.at < older_than)
            search_ids = list(session.scalars(old_searches))
            session.execute(delete(SearchRecord).where(SearchRecord.id.in_(search_ids)))
            session.execute(delete(CallRecord).where(CallRecord.id.in_(ids)))
        return PurgeReport(calls=len(ids), searches=len(search_ids))
