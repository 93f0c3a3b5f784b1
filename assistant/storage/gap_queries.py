"""The database queries behind the knowledge-gap signals (``assistant.gaps.signals`` defines what a
signal is and turns these rows into signals). Reached through ``CallStore.gap_queries``; rows come back
as plain tuples, times as UTC."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Engine, and_, exists, select
from sqlalchemy.orm import aliased

from assistant.storage.models import CallRecord, FeedbackRecord, SearchRecord, SuggestionRecord, UtteranceRecord

Row = tuple[Any, ...]


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class GapQueries:
    CHUNK = 500  # ids per IN (...) list

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @staticmethod
    def _call_filter(city: str | None, since: datetime | None) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if city:
            conditions.append(CallRecord.city == city)
        if since:
            conditions.append(CallRecord.started_at >= since.astimezone(UTC))
        return conditions

    def _chunks(self, ids: Iterable[str]) -> Iterator[list[str]]:
        ordered = sorted(set(ids))
        for start in range(0, len(ordered), self.CHUNK):
            yield ordered[start : start + self.CHUNK]

    def _per_chunk(self, ids: Iterable[str], query: Any) -> list[Row]:
        """``query(chunk)`` for each chunk of ids, rows concatenated."""
        rows: list[Row] = []
        with self.engine.connect() as connection:
            for chunk in self._chunks(ids):
                rows.extend(tuple(r) for r in connection.execute(query(chunk)))
        return rows

    def _all(self, statement: Any) -> list[Row]:
        with self.engine.connect() as connection:
            return [tuple(r) for r in connection.execute(statement)]

    def caller_utterances(self, call_ids: Iterable[str]) -> list[Row]:
        """(id, call id, city, topic, text, at) of the calls' meaningful caller utterances, in call order."""
        return self._per_chunk(
            call_ids,
            lambda chunk: (
                select(
                    UtteranceRecord.id,
                    UtteranceRecord.call_id,
                    CallRecord.city,
                    UtteranceRecord.topic,
                    UtteranceRecord.text,
                    UtteranceRecord.at,
                )
                .join(CallRecord, CallRecord.id == UtteranceRecord.call_id)
                .where(
                    UtteranceRecord.call_id.in_(chunk),
                    UtteranceRecord.speaker == "caller",
                    UtteranceRecord.outcome != "trivial",
                )
                .order_by(UtteranceRecord.call_id, UtteranceRecord.seq)
            ),
        )

    def cities_with_calls(self, city: str | None, since: datetime | None) -> set[str]:
        with self.engine.connect() as connection:
            return set(
                connection.scalars(select(CallRecord.city).where(*self._call_filter(city, since)).distinct()).all()
            )

    def unanswered_utterances(
        self,
        city: str | None,
        since: datetime | None,
        answered_outcomes: Sequence[str],
        unanswered_outcomes: Sequence[str],
    ) -> list[Row]:
        """(city, text, call id, at, top article, topic) of caller utterances with one of
        ``unanswered_outcomes`` whose concern (topic) has no utterance with one of ``answered_outcomes``."""
        answered = aliased(UtteranceRecord)
        concern_answered = exists().where(
            answered.call_id == UtteranceRecord.call_id,
            answered.topic == UtteranceRecord.topic,
            answered.outcome.in_(answered_outcomes),
        )
        return self._all(
            select(
                CallRecord.city,
                UtteranceRecord.text,
                UtteranceRecord.call_id,
                UtteranceRecord.at,
                UtteranceRecord.top_article_id,
                UtteranceRecord.topic,
            )
            .join(CallRecord, CallRecord.id == UtteranceRecord.call_id)
            .where(
                UtteranceRecord.speaker == "caller",
                UtteranceRecord.outcome.in_(unanswered_outcomes),
                ~concern_answered,
                *self._call_filter(city, since),
            )
            .order_by(UtteranceRecord.id)
        )

    def call_searches(self, call_ids: Iterable[str]) -> list[Row]:
        """(call id, result article ids, at) of the calls' manual searches."""
        return self._per_chunk(
            call_ids,
            lambda chunk: select(SearchRecord.call_id, SearchRecord.article_ids, SearchRecord.at).where(
                SearchRecord.call_id.in_(chunk)
            ),
        )

    def call_feedback(self, call_ids: Iterable[str], events: Sequence[str]) -> list[Row]:
        """(call id, article id, at) of the calls' feedback with one of ``events``."""
        return self._per_chunk(
            call_ids,
            lambda chunk: select(FeedbackRecord.call_id, FeedbackRecord.article_id, FeedbackRecord.at).where(
                FeedbackRecord.call_id.in_(chunk), FeedbackRecord.event.in_(events)
            ),
        )

    def pushed_topics(self, call_ids: Iterable[str]) -> list[Row]:
        """(call id, article id, topic) of the calls' pushed suggestions, in push order."""
        return self._per_chunk(
            call_ids,
            lambda chunk: (
                select(SuggestionRecord.call_id, SuggestionRecord.article_id, SuggestionRecord.topic)
                .where(SuggestionRecord.call_id.in_(chunk))
                .order_by(SuggestionRecord.id)
            ),
        )

    def utterance_topics(self, call_ids: Iterable[str]) -> list[Row]:
        """(call id, at, topic) of every utterance of the calls, in order."""
        return self._per_chunk(
            call_ids,
            lambda chunk: (
                select(UtteranceRecord.call_id, UtteranceRecord.at, UtteranceRecord.topic)
                .where(UtteranceRecord.call_id.in_(chunk))
                .order_by(UtteranceRecord.seq)
            ),
        )

    def feedback(self, events: Sequence[str], city: str | None, since: datetime | None) -> list[Row]:
        """(id, call id, article id, event, at) of feedback with one of ``events``."""
        return self._all(
            select(
                FeedbackRecord.id,
                FeedbackRecord.call_id,
                FeedbackRecord.article_id,
                FeedbackRecord.event,
                FeedbackRecord.at,
            )
            .join(CallRecord, CallRecord.id == FeedbackRecord.call_id)
            .where(FeedbackRecord.event.in_(events), *self._call_filter(city, since))
            .order_by(FeedbackRecord.id)
        )

    def call_searches_since(self, city: str | None, since: datetime | None) -> list[Row]:
        """(id, call id, city, query, result article ids, at) of manual searches made in a call."""
        conditions: list[ColumnElement[bool]] = [SearchRecord.call_id.is_not(None)]
        if city:
            conditions.append(SearchRecord.city == city)
        if since:
            conditions.append(SearchRecord.at >= since.astimezone(UTC))
        return self._all(
            select(
                SearchRecord.id,
                SearchRecord.call_id,
                SearchRecord.city,
                SearchRecord.query,
                SearchRecord.article_ids,
                SearchRecord.at,
            )
            .where(*conditions)
            .order_by(SearchRecord.id)
        )

    def ended_calls_without(self, events: Sequence[str], city: str | None, since: datetime | None) -> list[str]:
        """Ids of ended calls without any feedback of ``events``."""
        positive = exists().where(FeedbackRecord.call_id == CallRecord.id, FeedbackRecord.event.in_(events))
        with self.engine.connect() as connection:
            return list(
                connection.scalars(
                    select(CallRecord.id).where(
                        CallRecord.status == "ended", ~positive, *self._call_filter(city, since)
                    )
                ).all()
            )

    def pushed_with_feedback(self, events: Sequence[str], city: str | None, since: datetime | None) -> list[Row]:
        """(call id, article id, topic it was pushed in) for feedback with one of ``events`` on pushed
        articles, in feedback order."""
        return self._all(
            select(FeedbackRecord.call_id, FeedbackRecord.article_id, SuggestionRecord.topic)
            .join(CallRecord, CallRecord.id == FeedbackRecord.call_id)
            .join(
                SuggestionRecord,
                and_(
                    SuggestionRecord.call_id == FeedbackRecord.call_id,
                    SuggestionRecord.article_id == FeedbackRecord.article_id,
                ),
            )
            .where(FeedbackRecord.event.in_(events), *self._call_filter(city, since))
            .order_by(FeedbackRecord.id)
        )

    def article_exposure(self, city: str | None, since: datetime | None) -> tuple[list[Row], list[Row], list[Row]]:
        """For the calls: (call id, article id) of pushes, (call id, result article ids) of manual searches,
        (call id, article id, event) of feedback."""
        conditions = self._call_filter(city, since)
        with self.engine.connect() as connection:
            return (
                [tuple(r) for r in _joined(connection, SuggestionRecord, conditions, "article_id")],
                [tuple(r) for r in _joined(connection, SearchRecord, conditions, "article_ids")],
                [tuple(r) for r in _joined(connection, FeedbackRecord, conditions, "article_id", "event")],
            )


def _joined(connection: Connection, table: Any, conditions: list[ColumnElement[bool]], *columns: str) -> Any:
    return connection.execute(
        select(table.call_id, *(getattr(table, c) for c in columns))
        .join(CallRecord, CallRecord.id == table.call_id)
        .where(*conditions)
    )
