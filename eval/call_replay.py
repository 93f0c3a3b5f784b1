"""Replays call scripts through the live suggestion path (``CallService``) and scores what the agent
would have seen, concern by concern: did a card of an expected article appear by the concern's last
caller turn, as ``answer`` or at all; how many caller turns after the concern's first one; did a
matter the knowledge base does not cover get an ``answer`` card; how many wrong ``answer`` cards;
does the highlighted sentence answer the question (with a file of labeled answers); and how well the
cards' confidence is calibrated (reliability bins)."""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar

from assistant.live.call_service import CallService
from assistant.replay.call_scripts import CallScript, Concern
from corpus.answer_examples import same_passage_text
from eval.metrics import percentile_ms

_Label = TypeVar("_Label")


@dataclass(frozen=True)
class ShownCard:
    article_id: str
    tier: str
    score: float
    answer: str


@dataclass(frozen=True)
class TurnRecord:
    """What the sidebar showed after one caller turn, and the engine's candidates with features."""

    index: int  # into the script's turns
    caller_turn: int  # 1-based number of the caller turn
    topic: int
    cards: tuple[ShownCard, ...]
    candidates: tuple[tuple[str, dict[str, float], float], ...] = ()
    topic_features: dict[str, float] | None = None  # what the topic-change model saw at this turn


@dataclass(frozen=True)
class AnswerLabel:
    """The sentences of an article that answer the caller's question at one turn, as one labeler saw
    them; ``labeler`` tells independent labelers of the same question apart (``first`` by default)."""

    call_id: str
    turn: int
    article_id: str
    sentences: tuple[str, ...]
    labeler: str = "first"
    split: str | None = None  # the call set's half (tune or test), where the file says
    question: str | None = None  # the caller's turn, where the file says

    @property
    def key(self) -> tuple[str, int, str]:
        return self.call_id, self.turn, self.article_id

    @classmethod
    def from_line(cls, raw: dict[str, Any]) -> AnswerLabel:
        """A line of an answer-labels file (``load_answer_labels``)."""
        split, question = raw.get("split"), raw.get("question")
        return cls(
            str(raw["call_id"]),
            int(raw["turn"]),
            str(raw["article_id"]),
            tuple(raw["sentences"]),
            str(raw.get("labeler", "first")),
            None if split is None else str(split),
            None if question is None else str(question),
        )


@dataclass
class CallReplayOutcome:
    script: CallScript
    turns: list[TurnRecord] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    @property
    def expected(self) -> set[str]:
        return set(self.script.expected)

    @property
    def pushed(self) -> list[tuple[int, str]]:
        """(caller turn number, article id) of every card, the first time it was shown."""
        seen: set[str] = set()
        found = []
        for record in self.turns:
            for card in record.cards:
                if card.article_id not in seen:
                    seen.add(card.article_id)
                    found.append((record.caller_turn, card.article_id))
        return found

    def answer_cards(self) -> set[str]:
        return {c.article_id for r in self.turns for c in r.cards if c.tier == "answer"}

    def concern_turns(self, concern: Concern) -> list[TurnRecord]:
        wanted = set(concern.caller_turns)
        return [r for r in self.turns if r.index in wanted]

    def concern_of(self, index: int) -> Concern | None:
        return next((c for c in self.script.concern_list() if index in c.caller_turns), None)

    def first_right(self, concern: Concern, tiers: tuple[str, ...] = ("answer", "maybe")) -> int | None:
        """Caller turns from the concern's first turn to the first card of an expected article (0: same turn)."""
        for position, record in enumerate(self.concern_turns(concern)):
            if any(c.article_id in concern.expected and c.tier in tiers for c in record.cards):
                return position
        return None

    def wrong_answers(self) -> int:
        """Distinct articles shown as ``answer`` during a covered concern's turns that it does not expect."""
        wrong: set[tuple[int, str]] = set()
        for n, concern in enumerate(self.script.concern_list()):
            if not concern.expected:
                continue
            for record in self.concern_turns(concern):
                wrong |= {
                    (n, c.article_id)
                    for c in record.cards
                    if c.tier == "answer" and c.article_id not in concern.expected
                }
        return len(wrong)


@dataclass
class CallReplayReport:
    outcomes: list[CallReplayOutcome]
    overall: dict[str, float]
    per_city: dict[str, dict[str, float]]

    def as_json(self) -> dict[str, Any]:
        return {
            "overall": clean(self.overall),
            "per_city": {c: clean(m) for c, m in self.per_city.items()},
            "n_calls": len(self.outcomes),
            "calls": [
                {
                    "id": o.script.id,
                    "expected": sorted(o.expected),
                    "pushed": [{"turn": t, "article_id": a} for t, a in o.pushed],
                    "answer_cards": sorted(o.answer_cards()),
                }
                for o in self.outcomes
            ],
        }


def clean(metrics: dict[str, float]) -> dict[str, float | None]:
    return {k: (None if math.isnan(v) else round(v, 4)) for k, v in metrics.items()}


def replay_call(service: CallService, script: CallScript) -> CallReplayOutcome:
    outcome = CallReplayOutcome(script)
    call = service.open_call(city=script.city).call
    caller_turns = 0
    for index, (speaker, text) in enumerate(script.turns):
        started = time.perf_counter()
        result = service.utterance(call.id, speaker, text)
        if speaker != "caller" or result is None:
            continue
        outcome.seconds.append(time.perf_counter() - started)
        caller_turns += 1
        cards = tuple(ShownCard(s.article_id, s.tier, s.score, s.answer) for s in result.suggestions)
        candidates = tuple((c.article_id, dict(c.features), c.score) for c in result.candidates)
        asked = dict(result.topic_features) if result.topic_features is not None else None
        outcome.turns.append(TurnRecord(index, caller_turns, result.topic, cards, candidates, asked))
    service.end_call(call.id)
    return outcome


def _share(hits: int, total: int) -> float:
    return hits / total if total else float("nan")


def summarize(outcomes: Sequence[CallReplayOutcome], labels: Sequence[AnswerLabel] = ()) -> dict[str, float]:
    covered = [(o, c) for o in outcomes for c in o.script.concern_list() if c.expected]
    uncovered_concerns = [(o, c) for o in outcomes for c in o.script.concern_list() if not c.expected]
    covered_calls = [o for o in outcomes if any(c.expected for c in o.script.concern_list())]
    uncovered_calls = [o for o in outcomes if not any(c.expected for c in o.script.concern_list())]
    firsts = [f for o, c in covered if (f := o.first_right(c)) is not None]
    seconds = [s for o in outcomes for s in o.seconds]
    nan = float("nan")
    metrics = {
        "calls": float(len(outcomes)),
        "covered_concerns": float(len(covered)),
        "concerns_with_expected_card": _share(sum(1 for o, c in covered if o.first_right(c) is not None), len(covered)),
        "concerns_with_expected_answer": _share(
            sum(1 for o, c in covered if o.first_right(c, ("answer",)) is not None), len(covered)
        ),
        "median_turns_to_right_card": float(statistics.median(firsts)) if firsts else nan,
        "uncovered_calls_with_answer": _share(
            sum(1 for o in uncovered_calls if o.answer_cards()), len(uncovered_calls)
        ),
        "uncovered_concerns_with_answer": _share(
            sum(
                1
                for o, c in uncovered_concerns
                if any(r.cards and r.cards[0].tier == "answer" for r in o.concern_turns(c))
            ),
            len(uncovered_concerns),
        ),
        "wrong_answers_per_covered_call": _share(sum(o.wrong_answers() for o in covered_calls), len(covered_calls)),
        "cards_per_turn": _share(
            sum(len(r.cards) for o in outcomes for r in o.turns), sum(len(o.turns) for o in outcomes)
        ),
        "latency_p50_ms": percentile_ms(seconds, 50) if seconds else nan,
        "latency_p95_ms": percentile_ms(seconds, 95) if seconds else nan,
    }
    if labels:
        by_call = {o.script.id: o for o in outcomes}
        mine = merged_labels([label for label in labels if label.call_id in by_call])
        right = shown = first_right = 0
        for label, first in mine:
            card = highlighted(by_call[label.call_id], label)
            if card is not None:
                shown += 1
                right += answer_matches(card.answer, label.sentences)
                first_right += answer_matches(card.answer, first.sentences)
        metrics["highlight_triples"] = float(len(mine))
        metrics["highlight_accuracy"] = _share(right, len(mine))
        metrics["highlight_accuracy_when_shown"] = _share(right, shown)
        metrics["highlight_accuracy_first_labeler"] = _share(first_right, len(mine))
    return metrics


def merged_labels(labels: Sequence[AnswerLabel]) -> list[tuple[AnswerLabel, AnswerLabel]]:
    """One label per question (call, turn, article), in first-seen order: the sentences any of its
    independent labelers accepted (a second labeler who never saw the first one's choice finds answers
    the first left out), with the question's first label beside it (the ``first`` labeler's, else the
    first one read)."""
    groups: dict[tuple[str, int, str], list[AnswerLabel]] = {}
    for label in labels:
        groups.setdefault(label.key, []).append(label)
    merged = []
    for group in groups.values():
        first = next((g for g in group if g.labeler == "first"), group[0])
        sentences = tuple(dict.fromkeys(s for g in (first, *group) for s in g.sentences))
        merged.append(
            (replace(first, sentences=sentences, labeler="+".join(sorted({g.labeler for g in group}))), first)
        )
    return merged


def highlighted(outcome: CallReplayOutcome, label: AnswerLabel) -> ShownCard | None:
    """The card of the label's article shown after the labeled turn (or the last caller turn before it)."""
    records = [r for r in outcome.turns if r.index <= label.turn]
    if not records:
        return None
    return next((c for c in records[-1].cards if c.article_id == label.article_id), None)


def answer_matches(answer: str, sentences: Sequence[str]) -> bool:
    """The highlight is one of the acceptable sentences (one contains the other, ignoring case,
    punctuation and Markdown)."""
    return any(same_passage_text(answer, x) for x in sentences)


def load_answer_labels(path: Path) -> list[AnswerLabel]:
    """Lines ``{"call_id", "turn", "article_id", "sentences": [acceptable answering sentences]}``; lines
    with ``"answerable": false`` (the article does not answer the question) are left out."""
    return read_answer_labels(
        path, AnswerLabel.from_line, "call_id, turn, article_id and sentences (optional: labeler)"
    )


def read_answer_labels(path: Path, label: Callable[[dict[str, Any]], _Label | None], needs: str) -> list[_Label]:
    """Each answerable line of an answer-labels file (JSONL) as ``label`` makes it (``None``: left out);
    a line the article is silent on (``"answerable": false``) has nothing to highlight and is left out. A
    malformed line is a ``ValueError`` naming file, line and what it ``needs``."""
    labels = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            made = None if raw.get("answerable") is False else label(raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ValueError(f"{path}:{number}: needs {needs} ({exc})") from exc
        if made is not None:
            labels.append(made)
    return labels


def reliability(outcomes: Sequence[CallReplayOutcome], bins: int = 10) -> list[dict[str, float]]:
    """Shown cards binned by their confidence: count, mean confidence, share that were right (an
    expected article of the turn's labeled concern)."""
    pairs: list[tuple[float, bool]] = []
    for outcome in outcomes:
        for record in outcome.turns:
            concern = outcome.concern_of(record.index)
            if concern is None:
                continue
            pairs.extend((c.score, c.article_id in concern.expected) for c in record.cards)
    table = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(s, y) for s, y in pairs if low <= s < high or (b == bins - 1 and s == 1.0)]
        if inside:
            table.append(
                {
                    "low": low,
                    "high": high,
                    "n": float(len(inside)),
                    "confidence": sum(s for s, _ in inside) / len(inside),
                    "right": sum(1 for _, y in inside if y) / len(inside),
                }
            )
    return table


def training_rows(outcomes: Sequence[CallReplayOutcome]) -> list[tuple[dict[str, float], int]]:
    """Turn-level labels for the confidence: every candidate of every caller turn that belongs to a
    labeled concern, with 1 when the article answers that concern."""
    rows: list[tuple[dict[str, float], int]] = []
    for outcome in outcomes:
        for record in outcome.turns:
            concern = outcome.concern_of(record.index)
            if concern is None:
                continue
            rows.extend((features, int(a in concern.expected)) for a, features, _ in record.candidates)
    return rows


def topic_rows(outcomes: Sequence[CallReplayOutcome]) -> list[tuple[dict[str, float], int]]:
    """Turn-level labels for the topic-change model: every caller turn the model was asked about
    that belongs to a labeled concern, with 1 when it shares no concern with the caller's previous
    labeled turn (the caller moved on to another matter)."""
    rows: list[tuple[dict[str, float], int]] = []
    for outcome in outcomes:
        concerns = outcome.script.concern_list()
        previous: set[int] | None = None
        for record in outcome.turns:
            mine = {n for n, c in enumerate(concerns) if record.index in c.caller_turns}
            if not mine:
                continue
            if record.topic_features is not None and previous is not None:
                rows.append((record.topic_features, int(not mine & previous)))
            previous = mine
    return rows


def replay_calls(
    service: CallService, scripts: Sequence[CallScript], labels: Sequence[AnswerLabel] = ()
) -> CallReplayReport:
    outcomes = [replay_call(service, s) for s in scripts]
    return report(outcomes, labels)


def report(outcomes: list[CallReplayOutcome], labels: Sequence[AnswerLabel] = ()) -> CallReplayReport:
    cities = sorted({o.script.city for o in outcomes})
    return CallReplayReport(
        outcomes=outcomes,
        overall=summarize(outcomes, labels),
        per_city={c: summarize([o for o in outcomes if o.script.city == c], labels) for c in cities},
    )
