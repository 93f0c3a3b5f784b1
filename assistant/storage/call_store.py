"""``CallStore``: the one place that reads and writes call data.

An utterance is one unit of work (:meth:`CallStore.record_utterance`): the utterance, its suggestions,
its events and the engine's memory of the call are written in one transaction, and event numbers
come from a counter on the call row, taken inside that transaction (safe with several writers).
:class:`CallLocks` serializes the utterances of one call: a lock per call in this process and, on
PostgreSQL, an advisory lock per call across every replica on the same database.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, create_engine, delete, event, insert, select, text, update
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from assistant.storage.gap_queries import GapQueries
from assistant.storage.models import (
    Base,
    CallRecord,
    EventRecord,
    FeedbackRecord,
    KnownGapRecord,
    SearchRecord,
    SuggestionRecord,
    UtteranceRecord,
    utcnow,
)
from assistant.storage.schema import upgrade


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
    event_seq: int = 0  # the number of the call's last stored event

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
class UtteranceWrite:
    """A (redacted) utterance and what the engine decided for it; ``suggestions`` are
    (article id, rank, score) of the pushed ones."""

    speaker: str
    text: str
    topic: int
    outcome: str
    top_score: float | None = None
    top_article_id: str | None = None
    suggestions: Sequence[tuple[str, int, float]] = ()
    topic_changed: bool = False


@dataclass(frozen=True)
class EngineState:
    """The engine's stored memory of a call, as of event ``event_seq``."""

    state: dict[str, Any]
    event_seq: int


@dataclass(frozen=True)
class StoredKnownGap:
    """A known gap marked on the gaps page (redacted texts)."""

    id: int
    city: str
    label: str
    question: str
    created_at: datetime


@dataclass(frozen=True)
class PurgeReport:
    calls: int
    searches: int


_CALLS = Base.metadata.tables[CallRecord.__tablename__]
_UTTERANCES = Base.metadata.tables[UtteranceRecord.__tablename__]
_SUGGESTIONS = Base.metadata.tables[SuggestionRecord.__tablename__]
_EVENTS = Base.metadata.tables[EventRecord.__tablename__]

# The statements of the live path, built once: SQLAlchemy Core on a connection, no ORM unit of work, and
# each statement's cache key is computed once instead of for every utterance.
_CALL_INFO = select(
    *(
        _CALLS.c[name]
        for name in (
            "id",
            "city",
            "agent_id",
            "dialed_number",
            "sidebar_token_hash",
            "status",
            "topic",
            "started_at",
            "ended_at",
            "event_seq",
        )
    )
).where(_CALLS.c.id == bindparam("call_id"))
_ENGINE_STATE = select(_CALLS.c.engine_state, _CALLS.c.state_event_seq).where(_CALLS.c.id == bindparam("call_id"))
_INSERT_UTTERANCE = insert(_UTTERANCES).returning(_UTTERANCES.c.id)
_INSERT_SUGGESTIONS = insert(_SUGGESTIONS)
_INSERT_EVENTS = insert(_EVENTS)


def _utterance_update(topic: bool, state: bool, events: bool) -> Any:
    """The one statement on the call row of an utterance: both counters, the topic (``topic``) and the
    engine's memory (``state``; its event number only when the utterance has ``events``)."""
    values: dict[str, Any] = {
        "utterance_seq": _CALLS.c.utterance_seq + 1,
        "event_seq": _CALLS.c.event_seq + bindparam("n_events"),
    }
    if topic:
        values["topic"] = bindparam("new_topic")
    if state:
        values["engine_state"] = bindparam("new_state", type_=_CALLS.c.engine_state.type)
        # SET expressions read the row as it was: this is the new last event number.
        values["state_event_seq"] = _CALLS.c.event_seq + bindparam("n_events") if events else None
    return (
        update(_CALLS)
        .where(_CALLS.c.id == bindparam("call_id"))
        .values(values)
        .returning(_CALLS.c.utterance_seq, _CALLS.c.event_seq)
    )


_UTTERANCE_UPDATES = {
    (topic, state, events): _utterance_update(topic, state, events)
    for topic in (False, True)
    for state in (False, True)
    for events in (False, True)
}


def _call_info(record: Any) -> CallInfo:
    """A ``CallRecord`` or a row of ``_CALL_INFO``."""
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
        event_seq=record.event_seq or 0,
    )


def _known_gap(record: KnownGapRecord) -> StoredKnownGap:
    created = record.created_at  # SQLite gives it back without its zone (stored in UTC)
    created = created if created.tzinfo is not None else created.replace(tzinfo=UTC)
    return StoredKnownGap(record.id, record.city, record.label, record.question, created)


SQLITE_POOL = 48


def make_engine(url: str) -> Engine:
    """An engine for the URL. SQLite files get their folder created, WAL journaling and foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        # An utterance holds two connections (the call's advisory lock and its unit of work).
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=40)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # Owner-only; SQLite gives its -wal and -shm files the database file's mode.
        os.close(os.open(parsed.database, os.O_RDWR | os.O_CREAT, 0o600))
        os.chmod(parsed.database, 0o600)
    memory = not parsed.database or parsed.database == ":memory:"
    # A file keeps up to SQLITE_POOL connections open: request threads (up to 40) and socket catch-ups
    # each hold one at a time; with QueuePool's default of 5 (+10 overflow) connections under load were
    # opened and closed again all the time, each opening running the pragmas below.
    pool: dict[str, Any] = {"poolclass": StaticPool} if memory else {"pool_size": SQLITE_POOL, "max_overflow": 20}
    engine = create_engine(url, connect_args={"check_same_thread": False}, **pool)

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


def advisory_key(call_id: str) -> int:
    """A signed 64-bit key for PostgreSQL's advisory locks."""
    return int.from_bytes(hashlib.sha256(call_id.encode()).digest()[:8], "big", signed=True)


class CallLocks:
    """Serializes the utterances of one call: in this process always, across processes on PostgreSQL
    (a session advisory lock per call, released by the server when a replica dies)."""

    def __init__(self, engine: Engine, max_local: int = 10_000) -> None:
        self.engine = engine
        self.shared = engine.dialect.name == "postgresql"
        self._local: OrderedDict[str, threading.Lock] = OrderedDict()
        self._guard = threading.Lock()
        self._max_local = max_local

    def _lock(self, call_id: str) -> threading.Lock:
        with self._guard:
            lock = self._local.get(call_id)
            if lock is None:
                lock = self._local[call_id] = threading.Lock()
                while len(self._local) > self._max_local:
                    self._local.popitem(last=False)
            else:
                self._local.move_to_end(call_id)
            return lock

    def forget(self, call_id: str) -> None:
        with self._guard:
            self._local.pop(call_id, None)

    @contextmanager
    def hold(self, call_id: str) -> Iterator[None]:
        with self._lock(call_id):
            if not self.shared:
                yield
                return
            key = advisory_key(call_id)
            with self.engine.connect() as connection:
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
                connection.commit()
                try:
                    yield
                finally:
                    connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()


class CallStore:
    """Calls, utterances, pushed suggestions, feedback, manual searches and sidebar events."""

    def __init__(self, url: str, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        if migrate:
            upgrade(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer per file: writers of this process queue here instead of on busy_timeout.
        self._write_lock: threading.Lock | None = threading.Lock() if self.engine.dialect.name == "sqlite" else None
        self.locks = CallLocks(self.engine)
        self.gap_queries = GapQueries(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    def ping(self) -> None:
        """Raises when the database cannot be reached."""
        with self.engine.connect() as connection:
            connection.execute(select(1))

    @contextmanager
    def _write_connection(self) -> Iterator[Connection]:
        """A transaction on a connection (Core statements), queued like ``_write``."""
        if self._write_lock is None:
            with self.engine.begin() as connection:
                yield connection
            return
        with self._write_lock, self.engine.begin() as connection:
            yield connection

    @contextmanager
    def _write(self) -> Iterator[Session]:
        if self._write_lock is None:
            with self._sessions.begin() as session:
                yield session
            return
        with self._write_lock, self._sessions.begin() as session:
            yield session

    @staticmethod
    def _take_numbers(session: Session, call_id: str, column: str, count: int) -> int:
        """Reserve ``count`` consecutive numbers of a per-call counter; returns the first. The row
        update locks the call row until commit, so concurrent writers get distinct numbers."""
        counter = getattr(CallRecord, column)
        last = session.execute(
            update(CallRecord)
            .where(CallRecord.id == call_id)
            .values({column: counter + count})
            .returning(counter)
            .execution_options(synchronize_session=False)
        ).scalar_one()
        return int(last) - count + 1

    def _add_events(
        self, session: Session, call_id: str, events: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[StoredEvent]:
        if not events:
            return []
        first = self._take_numbers(session, call_id, "event_seq", len(events))
        stored = [StoredEvent(seq=first + i, type=t, payload=p) for i, (t, p) in enumerate(events)]
        self._insert_events(session, call_id, stored, utcnow())
        return stored

    @staticmethod
    def _insert_events(
        session: Session | Connection, call_id: str, stored: Sequence[StoredEvent], now: datetime
    ) -> None:
        """The numbered events, in one statement."""
        if stored:
            session.execute(
                _INSERT_EVENTS,
                [{"call_id": call_id, "seq": e.seq, "type": e.type, "payload": e.payload, "at": now} for e in stored],
            )

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
        with self.engine.connect() as connection:
            row = connection.execute(_CALL_INFO, {"call_id": call_id}).first()
        return _call_info(row) if row is not None else None

    def end_call(self, call_id: str, events: Sequence[tuple[str, dict[str, Any]]] = ()) -> list[StoredEvent]:
        """Mark the call ended and store its closing events in the same transaction."""
        with self._write() as session:
            record = session.get(CallRecord, call_id)
            if record is None:
                return []
            record.status = "ended"
            record.ended_at = utcnow()
            record.engine_state = None
            return self._add_events(session, call_id, events)

    # ---- what happens in a call ---------------------------------------------------------------
    def record_utterance(
        self,
        call_id: str,
        utterance: UtteranceWrite,
        events: Sequence[tuple[str, dict[str, Any]]] = (),
        engine_state: dict[str, Any] | None = None,
    ) -> list[StoredEvent]:
        """One unit of work: the utterance, its suggestions, its events, the call's topic and the engine's
        memory after it, in one transaction. Returns the stored events (publish them after this returns)."""
        return self._record_utterance(call_id, utterance, events, engine_state)[1]

    def _record_utterance(
        self,
        call_id: str,
        utterance: UtteranceWrite,
        events: Sequence[tuple[str, dict[str, Any]]],
        engine_state: dict[str, Any] | None,
    ) -> tuple[int, list[StoredEvent]]:
        count = len(events)
        update_call = _UTTERANCE_UPDATES[(utterance.topic_changed, engine_state is not None, count > 0)]
        params: dict[str, Any] = {"call_id": call_id, "n_events": count}
        if utterance.topic_changed:
            params["new_topic"] = utterance.topic
        if engine_state is not None:
            params["new_state"] = engine_state
        with self._write_connection() as connection:
            # One statement on the call row: both counters, the topic and the engine's memory. It locks
            # the row until commit, so concurrent writers get distinct numbers (as ``_take_numbers``).
            seq, last_event = connection.execute(update_call, params).one()
            now = utcnow()
            utterance_id = connection.execute(
                _INSERT_UTTERANCE,
                {
                    "call_id": call_id,
                    "seq": seq,
                    "speaker": utterance.speaker,
                    "text": utterance.text,
                    "topic": utterance.topic,
                    "outcome": utterance.outcome,
                    "top_score": utterance.top_score,
                    "top_article_id": utterance.top_article_id,
                    "at": now,
                },
            ).scalar_one()
            if utterance.suggestions:
                connection.execute(
                    _INSERT_SUGGESTIONS,
                    [
                        {
                            "call_id": call_id,
                            "utterance_id": utterance_id,
                            "article_id": article_id,
                            "rank": rank,
                            "score": score,
                            "topic": utterance.topic,
                            "at": now,
                        }
                        for article_id, rank, score in utterance.suggestions
                    ],
                )
            first = int(last_event) - count + 1
            stored = [StoredEvent(seq=first + i, type=t, payload=p) for i, (t, p) in enumerate(events)]
            self._insert_events(connection, call_id, stored, now)
            return int(utterance_id), stored

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
        """Store a (redacted) utterance and the suggestions it pushed, without events (tests, imports);
        returns its id."""
        write = UtteranceWrite(speaker, text, topic, outcome, top_score, top_article_id, suggestions)
        return self._record_utterance(call_id, write, (), None)[0]

    def engine_state(self, call_id: str) -> EngineState | None:
        """The engine's stored memory of the call, if any."""
        with self.engine.connect() as connection:
            row = connection.execute(_ENGINE_STATE, {"call_id": call_id}).first()
        if row is None or row[0] is None or row[1] is None:
            return None
        return EngineState(state=dict(row[0]), event_seq=int(row[1]))

    def add_feedback(
        self,
        call_id: str,
        article_id: str,
        event_name: str,
        reason: str | None,
        sentence: str | None = None,
        question: str | None = None,
    ) -> None:
        record = FeedbackRecord(
            call_id=call_id,
            article_id=article_id,
            event=event_name,
            reason=reason,
            sentence=sentence,
            question=question,
        )
        with self._write() as session:
            session.add(record)

    def last_caller_text(self, call_id: str) -> str | None:
        """The call's last caller utterance as stored (redacted), ``None`` before the caller spoke."""
        with self._read() as session:
            return session.scalar(
                select(UtteranceRecord.text)
                .where(UtteranceRecord.call_id == call_id, UtteranceRecord.speaker == "caller")
                .order_by(UtteranceRecord.seq.desc())
                .limit(1)
            )

    def answer_marks(self, event_name: str, after: int = 0) -> list[tuple[int, str, str, str]]:
        """(feedback id, article id, question, sentence) of every answer mark (feedback ``event_name`` with
        both) stored after feedback id ``after``, oldest first."""
        with self._read() as session:
            rows = session.execute(
                select(FeedbackRecord.id, FeedbackRecord.article_id, FeedbackRecord.question, FeedbackRecord.sentence)
                .where(
                    FeedbackRecord.id > after,
                    FeedbackRecord.event == event_name,
                    FeedbackRecord.question.is_not(None),
                    FeedbackRecord.sentence.is_not(None),
                )
                .order_by(FeedbackRecord.id)
            ).all()
        return [(number, article, str(question), str(sentence)) for number, article, question, sentence in rows]

    # ---- known gaps marked on the gaps page --------------------------------------------------------
    def add_known_gap(self, city: str, label: str, question: str) -> StoredKnownGap:
        """Store a known gap (``label`` and ``question`` already redacted)."""
        record = KnownGapRecord(city=city, label=label, question=question, created_at=utcnow())
        with self._write() as session:
            session.add(record)
            session.flush()
            return _known_gap(record)

    def known_gaps(self, city: str | None = None) -> list[StoredKnownGap]:
        """The known gaps not removed (of ``city``, or of every city), oldest first."""
        query = select(KnownGapRecord).where(KnownGapRecord.removed_at.is_(None))
        if city is not None:
            query = query.where(KnownGapRecord.city == city)
        with self._read() as session:
            return [_known_gap(record) for record in session.scalars(query.order_by(KnownGapRecord.id))]

    def known_gap_ids(self) -> frozenset[int]:
        """The ids of the known gaps not removed: one small read, to see whether they changed."""
        with self.engine.connect() as connection:
            rows = connection.execute(select(KnownGapRecord.id).where(KnownGapRecord.removed_at.is_(None)))
            return frozenset(int(number) for (number,) in rows)

    def remove_known_gap(self, gap_id: int) -> bool:
        """Mark a known gap removed; False when there is none with this id or it was removed before."""
        with self._write() as session:
            removed = session.execute(
                update(KnownGapRecord)
                .where(KnownGapRecord.id == gap_id, KnownGapRecord.removed_at.is_(None))
                .values(removed_at=utcnow())
                .returning(KnownGapRecord.id)
                .execution_options(synchronize_session=False)
            ).first()
            return removed is not None

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
            return self._add_events(session, call_id, [(type_, payload)])[0].seq

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
