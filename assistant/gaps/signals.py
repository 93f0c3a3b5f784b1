"""Reads the evidence of knowledge gaps from the call store.

A *signal* is one piece of text (what a caller said, or what an agent searched for) that the knowledge
base did not answer well. Signals come from four places, strongest first:

- ``unanswered``: the caller utterances of a concern (the call's topic) that ended without an
  ``answer`` card: no utterance of the concern had the outcome ``suggested`` or ``no_new``. A concern
  that became answerable two turns later is not a gap, and neither is a follow-up question on an
  answered concern ("kostet das was?"). Utterances with only ``maybe`` cards or none count.
- ``not_helpful``: the agent said a pushed or searched article did not help. The signal texts are the
  caller's utterances of the topic the article belonged to. Inside a topic in which another article
  was marked helpful or copied, it is a ranking problem, not a gap, and is left out here (it still
  counts in the article health report).
- ``dismissed``: the agent closed a suggestion. Agents dismiss what they do not need at the moment,
  also after they found the answer, and the engine often starts a new topic for a follow-up
  ("und was kostet das?"). A dismissal therefore counts only in calls in which nothing was marked
  helpful or copied.
- ``search_without_click``: a manual search in a call after which none of its result articles was
  opened, copied or marked helpful in that call.
- ``no_helpful_call``: an ended call in which nothing was marked helpful or copied (weak: agents do not
  always give feedback). Its texts are the call's caller utterances.

Signals keep the call and the call's topic number they came from; topics count distinct calls, so one
call counts once however many signals it produced.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import ColumnElement, Connection, and_, exists, select
from sqlalchemy.orm import aliased

from assistant.storage.call_store import CallStore
from assistant.storage.models import CallRecord, FeedbackRecord, SearchRecord, SuggestionRecord, UtteranceRecord

# Outcomes of a caller utterance (``SuggestionEngine``): with an ``answer`` card, or without one.
ANSWERED_OUTCOMES = ("suggested", "no_new")
UNANSWERED_OUTCOMES = ("unanswered", "maybe")

SignalKind = Literal["unanswered", "not_helpful", "dismissed", "search_without_click", "no_helpful_call"]
SIGNAL_KINDS: tuple[SignalKind, ...] = (
    "unanswered",
    "not_helpful",
    "dismissed",
    "search_without_click",
    "no_helpful_call",
)
NEGATIVE_EVENTS = ("not_helpful", "dismissed")
# Feedback that says an article answered the concern.
POSITIVE_EVENTS = ("helpful", "copied")
# Feedback that says an agent used a search result.
USED_EVENTS = ("opened", "copied", "helpful")


@dataclass(frozen=True)
class GapSignal:
    """One text the knowledge base did not answer well; ``topic`` is the call's topic number (none for a
    manual search)."""

    city: str
    kind: SignalKind
    text: str
    call_id: str | None
    time: datetime
    article_id: str | None = None
    topic: int | None = None


@dataclass(frozen=True)
class AnsweredUtterance:
    """A caller utterance of a topic in which an article was marked helpful or copied."""

    city: str
    text: str
    call_id: str
    topic: int
    article_id: str
    time: datetime


@dataclass(frozen=True)
class ArticleUsage:
    """How agents met one article: distinct calls in which it was pushed or shown as a search result,
    and distinct calls with each feedback event."""

    article_id: str
    suggested_calls: int = 0
    searched_calls: int = 0
    helpful_calls: int = 0
    copied_calls: int = 0
    opened_calls: int = 0
    not_helpful_calls: int = 0
    dismissed_calls: int = 0

    @property
    def exposed_calls(self) -> int:
        return self.suggested_calls + self.searched_calls


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class _Utterance:
    id: int
    call_id: str
    city: str
    topic: int
    text: str
    at: datetime


class StoredSignalReader:
    """Gap signals, answered concerns and article usage from a ``CallStore``, optionally for one city
    and for calls (and searches) started at or after ``since``."""

    CHUNK = 500

    def __init__(self, store: CallStore) -> None:
        self.store = store

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        with self.store.engine.connect() as connection:
            yield connection

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

    def _caller_utterances(self, call_ids: Iterable[str]) -> dict[tuple[str, int], list[_Utterance]]:
        """The meaningful caller utterances of the calls, per (call, topic), in order."""
        found: dict[tuple[str, int], list[_Utterance]] = defaultdict(list)
        with self._connect() as connection:
            for chunk in self._chunks(call_ids):
                rows = connection.execute(
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
                ).all()
                for utterance_id, call_id, city, topic, text, at in rows:
                    found[(call_id, topic)].append(_Utterance(utterance_id, call_id, city, topic, text, as_utc(at)))
        return found

    def cities_with_calls(self, city: str | None = None, since: datetime | None = None) -> set[str]:
        with self._connect() as connection:
            return set(
                connection.scalars(select(CallRecord.city).where(*self._call_filter(city, since)).distinct()).all()
            )

    # ---- gap signals ------------------------------------------------------------------------------
    def gap_signals(self, city: str | None = None, since: datetime | None = None) -> list[GapSignal]:
        signals = [
            *self.unanswered(city, since),
            *self.rejected(city, since),
            *self.searches_without_click(city, since),
            *self.calls_without_helpful(city, since),
        ]
        return sorted(signals, key=lambda s: (s.time, s.call_id or "", s.kind))

    def unanswered(self, city: str | None = None, since: datetime | None = None) -> list[GapSignal]:
        answered = aliased(UtteranceRecord)
        concern_answered = exists().where(
            answered.call_id == UtteranceRecord.call_id,
            answered.topic == UtteranceRecord.topic,
            answered.outcome.in_(ANSWERED_OUTCOMES),
        )
        with self._connect() as connection:
            rows = connection.execute(
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
                    UtteranceRecord.outcome.in_(UNANSWERED_OUTCOMES),
                    ~concern_answered,
                    *self._call_filter(city, since),
                )
                .order_by(UtteranceRecord.id)
            ).all()
        found_by_search = self._answered_by_search({row[2] for row in rows})
        return [
            GapSignal(city, "unanswered", text, call_id, as_utc(at), article, topic)
            for city, text, call_id, at, article, topic in rows
            if call_id not in found_by_search
        ]

    def _answered_by_search(self, call_ids: Iterable[str]) -> set[str]:
        """Calls in which the agent found the answer with a manual search: an article of the search's
        results was then opened, copied or marked helpful. The knowledge base had the answer there;
        the missed suggestion is a retrieval matter, not a missing article."""
        answered: set[str] = set()
        with self._connect() as connection:
            for chunk in self._chunks(call_ids):
                searches = connection.execute(
                    select(SearchRecord.call_id, SearchRecord.article_ids, SearchRecord.at).where(
                        SearchRecord.call_id.in_(chunk)
                    )
                ).all()
                used = connection.execute(
                    select(FeedbackRecord.call_id, FeedbackRecord.article_id, FeedbackRecord.at).where(
                        FeedbackRecord.call_id.in_(chunk),
                        FeedbackRecord.event.in_(("opened", "copied", "helpful")),
                    )
                ).all()
                for call_id, article_ids, searched_at in searches:
                    if call_id is None:
                        continue
                    if any(c == call_id and a in (article_ids or []) and at >= searched_at for c, a, at in used):
                        answered.add(call_id)
        return answered

    def _feedback_topics(self, feedback: list[tuple[int, str, str, datetime]]) -> dict[int, int]:
        """The topic of each (feedback id, call, article, time): the topic its article was pushed in,
        else the topic the call was in when the feedback came (an article found by manual search)."""
        pushed: dict[tuple[str, str], int] = {}
        timeline: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        with self._connect() as connection:
            for chunk in self._chunks(call_id for _, call_id, _, _ in feedback):
                for call_id, article_id, topic in connection.execute(
                    select(SuggestionRecord.call_id, SuggestionRecord.article_id, SuggestionRecord.topic)
                    .where(SuggestionRecord.call_id.in_(chunk))
                    .order_by(SuggestionRecord.id)
                ):
                    pushed.setdefault((call_id, article_id), topic)
                for call_id, at, topic in connection.execute(
                    select(UtteranceRecord.call_id, UtteranceRecord.at, UtteranceRecord.topic)
                    .where(UtteranceRecord.call_id.in_(chunk))
                    .order_by(UtteranceRecord.seq)
                ):
                    timeline[call_id].append((as_utc(at), topic))
        topics: dict[int, int] = {}
        for feedback_id, call_id, article_id, at in feedback:
            if (call_id, article_id) in pushed:
                topics[feedback_id] = pushed[(call_id, article_id)]
                continue
            before = [topic for when, topic in timeline.get(call_id, []) if when <= at]
            topics[feedback_id] = before[-1] if before else 0
        return topics

    def rejected(self, city: str | None = None, since: datetime | None = None) -> list[GapSignal]:
        """``not_helpful`` and ``dismissed`` feedback that points at a gap, one signal per caller utterance
        of the article's topic."""
        with self._connect() as connection:
            rows = connection.execute(
                select(
                    FeedbackRecord.id,
                    FeedbackRecord.call_id,
                    FeedbackRecord.article_id,
                    FeedbackRecord.event,
                    FeedbackRecord.at,
                )
                .join(CallRecord, CallRecord.id == FeedbackRecord.call_id)
                .where(FeedbackRecord.event.in_((*NEGATIVE_EVENTS, *POSITIVE_EVENTS)), *self._call_filter(city, since))
                .order_by(FeedbackRecord.id)
            ).all()
        topics = self._feedback_topics([(f, c, a, as_utc(at)) for f, c, a, _, at in rows])
        answered = {(call_id, topics[f]) for f, call_id, _, event, _ in rows if event in POSITIVE_EVENTS}
        helped = {call_id for call_id, _ in answered}
        negative = [
            (f, c, a, e)
            for f, c, a, e, _ in rows
            if (e == "not_helpful" and (c, topics[f]) not in answered) or (e == "dismissed" and c not in helped)
        ]
        texts = self._caller_utterances(c for _, c, _, _ in negative)
        signals: list[GapSignal] = []
        for feedback_id, call_id, article_id, event in negative:
            key = (call_id, topics[feedback_id])
            kind: SignalKind = "not_helpful" if event == "not_helpful" else "dismissed"
            signals.extend(
                GapSignal(u.city, kind, u.text, u.call_id, u.at, article_id, u.topic) for u in texts.get(key, [])
            )
        return signals

    def searches_without_click(self, city: str | None = None, since: datetime | None = None) -> list[GapSignal]:
        conditions: list[ColumnElement[bool]] = [SearchRecord.call_id.is_not(None)]
        if city:
            conditions.append(SearchRecord.city == city)
        if since:
            conditions.append(SearchRecord.at >= since.astimezone(UTC))
        used: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
        with self._connect() as connection:
            searches = connection.execute(
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
            ).all()
            for chunk in self._chunks(s.call_id for s in searches if s.call_id):
                for used_in, article_id, at in connection.execute(
                    select(FeedbackRecord.call_id, FeedbackRecord.article_id, FeedbackRecord.at).where(
                        FeedbackRecord.call_id.in_(chunk), FeedbackRecord.event.in_(USED_EVENTS)
                    )
                ):
                    used[used_in].append((article_id, as_utc(at)))
        signals = []
        for _, call_id, search_city, query, article_ids, at in searches:
            moment = as_utc(at)
            results = list(article_ids or [])
            if call_id is None or any(a in results and when >= moment for a, when in used.get(call_id, [])):
                continue
            signals.append(
                GapSignal(search_city, "search_without_click", query, call_id, moment, results[0] if results else None)
            )
        return signals

    def calls_without_helpful(self, city: str | None = None, since: datetime | None = None) -> list[GapSignal]:
        positive = exists().where(FeedbackRecord.call_id == CallRecord.id, FeedbackRecord.event.in_(POSITIVE_EVENTS))
        with self._connect() as connection:
            call_ids = connection.scalars(
                select(CallRecord.id).where(CallRecord.status == "ended", ~positive, *self._call_filter(city, since))
            ).all()
        utterances = self._caller_utterances(call_ids)
        return [
            GapSignal(u.city, "no_helpful_call", u.text, u.call_id, u.at, None, u.topic)
            for key in sorted(utterances)
            for u in utterances[key]
        ]

    # ---- what went well, and how articles fared -------------------------------------------------------
    def answered(self, city: str | None = None, since: datetime | None = None) -> list[AnsweredUtterance]:
        """Caller utterances of topics in which a pushed article was marked helpful or copied."""
        with self._connect() as connection:
            rows = connection.execute(
                select(FeedbackRecord.call_id, FeedbackRecord.article_id, SuggestionRecord.topic)
                .join(CallRecord, CallRecord.id == FeedbackRecord.call_id)
                .join(
                    SuggestionRecord,
                    and_(
                        SuggestionRecord.call_id == FeedbackRecord.call_id,
                        SuggestionRecord.article_id == FeedbackRecord.article_id,
                    ),
                )
                .where(FeedbackRecord.event.in_(POSITIVE_EVENTS), *self._call_filter(city, since))
                .order_by(FeedbackRecord.id)
            ).all()
        articles: dict[tuple[str, int], str] = {}
        for call_id, article_id, topic in rows:
            articles.setdefault((call_id, topic), article_id)
        texts = self._caller_utterances(c for c, _ in articles)
        return [
            AnsweredUtterance(u.city, u.text, u.call_id, u.topic, article_id, u.at)
            for key, article_id in articles.items()
            for u in texts.get(key, [])
        ]

    def article_usage(self, city: str | None = None, since: datetime | None = None) -> dict[str, ArticleUsage]:
        """Per article: distinct calls in which it was pushed, shown in a search, and given each feedback."""
        conditions = self._call_filter(city, since)
        suggested: dict[str, set[str]] = defaultdict(set)
        searched: dict[str, set[str]] = defaultdict(set)
        events: dict[tuple[str, str], set[str]] = defaultdict(set)
        with self._connect() as connection:
            for call_id, article_id in connection.execute(
                select(SuggestionRecord.call_id, SuggestionRecord.article_id)
                .join(CallRecord, CallRecord.id == SuggestionRecord.call_id)
                .where(*conditions)
            ):
                suggested[article_id].add(call_id)
            for search_call, article_ids in connection.execute(
                select(SearchRecord.call_id, SearchRecord.article_ids)
                .join(CallRecord, CallRecord.id == SearchRecord.call_id)
                .where(*conditions)
            ):
                for article_id in article_ids or []:
                    searched[article_id].add(str(search_call))
            for call_id, article_id, event in connection.execute(
                select(FeedbackRecord.call_id, FeedbackRecord.article_id, FeedbackRecord.event)
                .join(CallRecord, CallRecord.id == FeedbackRecord.call_id)
                .where(*conditions)
            ):
                events[(article_id, event)].add(call_id)
        ids = set(suggested) | set(searched) | {a for a, _ in events}
        return {
            a: ArticleUsage(
                article_id=a,
                suggested_calls=len(suggested.get(a, ())),
                searched_calls=len(searched.get(a, set()) - suggested.get(a, set())),
                helpful_calls=len(events.get((a, "helpful"), ())),
                copied_calls=len(events.get((a, "copied"), ())),
                opened_calls=len(events.get((a, "opened"), ())),
                not_helpful_calls=len(events.get((a, "not_helpful"), ())),
                dismissed_calls=len(events.get((a, "dismissed"), ())),
            )
            for a in sorted(ids)
        }
