"""The evidence of knowledge gaps: what a signal is, and how rows of the call store (its queries live in
``assistant.storage.gap_queries``) become signals.

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
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from assistant.live.feedback import NEGATIVE_EVENTS, POSITIVE_EVENTS, USED_EVENTS
from assistant.storage.call_store import CallStore
from assistant.storage.gap_queries import as_utc

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


@dataclass(frozen=True)
class _Utterance:
    id: int
    call_id: str
    city: str
    topic: int
    text: str
    at: datetime


class StoredSignalReader:
    """Gap signals, answered concerns and article usage from a ``CallStore`` (its ``gap_queries``),
    optionally for one city and for calls (and searches) started at or after ``since``."""

    def __init__(self, store: CallStore) -> None:
        self.store = store
        self.queries = store.gap_queries

    def _caller_utterances(self, call_ids: Iterable[str]) -> dict[tuple[str, int], list[_Utterance]]:
        """The meaningful caller utterances of the calls, per (call, topic), in order."""
        found: dict[tuple[str, int], list[_Utterance]] = defaultdict(list)
        for utterance_id, call_id, city, topic, text, at in self.queries.caller_utterances(call_ids):
            found[(call_id, topic)].append(_Utterance(utterance_id, call_id, city, topic, text, as_utc(at)))
        return found

    def cities_with_calls(self, city: str | None = None, since: datetime | None = None) -> set[str]:
        return self.queries.cities_with_calls(city, since)

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
        rows = self.queries.unanswered_utterances(city, since, ANSWERED_OUTCOMES, UNANSWERED_OUTCOMES)
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
        ids = set(call_ids)
        used: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
        for call_id, article_id, at in self.queries.call_feedback(ids, USED_EVENTS):
            used[call_id].append((article_id, at))
        answered: set[str] = set()
        for call_id, article_ids, searched_at in self.queries.call_searches(ids):
            if call_id is None:
                continue
            if any(a in (article_ids or []) and at >= searched_at for a, at in used.get(call_id, [])):
                answered.add(call_id)
        return answered

    def _feedback_topics(self, feedback: list[tuple[int, str, str, datetime]]) -> dict[int, int]:
        """The topic of each (feedback id, call, article, time): the topic its article was pushed in,
        else the topic the call was in when the feedback came (an article found by manual search)."""
        call_ids = {call_id for _, call_id, _, _ in feedback}
        pushed: dict[tuple[str, str], int] = {}
        for call_id, article_id, topic in self.queries.pushed_topics(call_ids):
            pushed.setdefault((call_id, article_id), topic)
        timeline: dict[str, list[tuple[datetime, int]]] = defaultdict(list)
        for call_id, at, topic in self.queries.utterance_topics(call_ids):
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
        rows = self.queries.feedback((*NEGATIVE_EVENTS, *POSITIVE_EVENTS), city, since)
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
        searches = self.queries.call_searches_since(city, since)
        used: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
        for used_in, article_id, at in self.queries.call_feedback((s[1] for s in searches if s[1]), USED_EVENTS):
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
        utterances = self._caller_utterances(self.queries.ended_calls_without(POSITIVE_EVENTS, city, since))
        return [
            GapSignal(u.city, "no_helpful_call", u.text, u.call_id, u.at, None, u.topic)
            for key in sorted(utterances)
            for u in utterances[key]
        ]

    # ---- what went well, and how articles fared -------------------------------------------------------
    def answered(self, city: str | None = None, since: datetime | None = None) -> list[AnsweredUtterance]:
        """Caller utterances of topics in which a pushed article was marked helpful or copied."""
        articles: dict[tuple[str, int], str] = {}
        for call_id, article_id, topic in self.queries.pushed_with_feedback(POSITIVE_EVENTS, city, since):
            articles.setdefault((call_id, topic), article_id)
        texts = self._caller_utterances(c for c, _ in articles)
        return [
            AnsweredUtterance(u.city, u.text, u.call_id, u.topic, article_id, u.at)
            for key, article_id in articles.items()
            for u in texts.get(key, [])
        ]

    def article_usage(self, city: str | None = None, since: datetime | None = None) -> dict[str, ArticleUsage]:
        """Per article: distinct calls in which it was pushed, shown in a search, and given each feedback."""
        pushes, searches, feedback = self.queries.article_exposure(city, since)
        suggested: dict[str, set[str]] = defaultdict(set)
        searched: dict[str, set[str]] = defaultdict(set)
        events: dict[tuple[str, str], set[str]] = defaultdict(set)
        for call_id, article_id in pushes:
            suggested[article_id].add(call_id)
        for search_call, article_ids in searches:
            for article_id in article_ids or []:
                searched[article_id].add(str(search_call))
        for call_id, article_id, event in feedback:
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
