"""Replays call scripts through the live suggestion path (``CallService``) and scores what the
agent would have seen: was the expected article pushed, after how many caller turns, and how many
wrong articles were pushed before it."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from assistant.live.call_service import CallService
from assistant.replay.call_scripts import CallScript
from eval.metrics import percentile_ms


@dataclass
class CallReplayOutcome:
    script: CallScript
    pushed: list[tuple[int, str]] = field(default_factory=list)  # (caller turn number, article id)
    caller_turns: int = 0
    seconds: list[float] = field(default_factory=list)

    @property
    def expected(self) -> set[str]:
        return set(self.script.expected)

    @property
    def found(self) -> set[str]:
        return {a for _, a in self.pushed} & self.expected

    @property
    def first_correct_turn(self) -> int | None:
        return next((turn for turn, a in self.pushed if a in self.expected), None)

    @property
    def wrong_before_first(self) -> int:
        first = self.first_correct_turn
        return sum(1 for turn, a in self.pushed if a not in self.expected and (first is None or turn <= first))

    @property
    def wrong(self) -> int:
        return sum(1 for _, a in self.pushed if a not in self.expected)


@dataclass
class CallReplayReport:
    outcomes: list[CallReplayOutcome]
    overall: dict[str, float]
    per_city: dict[str, dict[str, float]]

    def as_json(self) -> dict[str, Any]:
        def clean(m: dict[str, float]) -> dict[str, float | None]:
            return {k: (None if math.isnan(v) else round(v, 4)) for k, v in m.items()}

        return {
            "overall": clean(self.overall),
            "per_city": {c: clean(m) for c, m in self.per_city.items()},
            "n_calls": len(self.outcomes),
            "calls": [
                {
                    "id": o.script.id,
                    "expected": sorted(o.expected),
                    "pushed": [{"turn": t, "article_id": a} for t, a in o.pushed],
                    "first_correct_turn": o.first_correct_turn,
                }
                for o in self.outcomes
            ],
        }


def replay_call(service: CallService, script: CallScript) -> CallReplayOutcome:
    outcome = CallReplayOutcome(script)
    call = service.open_call(city=script.city).call
    for speaker, text in script.turns:
        started = time.perf_counter()
        result = service.utterance(call.id, speaker, text)
        if speaker != "caller":
            continue
        outcome.seconds.append(time.perf_counter() - started)
        outcome.caller_turns += 1
        if result is not None:
            outcome.pushed.extend((outcome.caller_turns, s.article_id) for s in result.pushed)
    service.end_call(call.id)
    return outcome


def summarize(outcomes: Sequence[CallReplayOutcome]) -> dict[str, float]:
    answerable = [o for o in outcomes if o.expected]
    unanswerable = [o for o in outcomes if not o.expected]
    firsts = [o.first_correct_turn for o in answerable if o.first_correct_turn is not None]
    expected_total = sum(len(o.expected) for o in answerable)
    pushes = sum(len(o.pushed) for o in answerable)
    seconds = [s for o in outcomes for s in o.seconds]
    nan = float("nan")
    return {
        "calls": float(len(outcomes)),
        "call_success": sum(1 for o in answerable if o.found == o.expected) / len(answerable) if answerable else nan,
        "any_expected_suggested": sum(1 for o in answerable if o.found) / len(answerable) if answerable else nan,
        "expected_article_recall": sum(len(o.found) for o in answerable) / expected_total if expected_total else nan,
        "turns_to_first_correct": sum(firsts) / len(firsts) if firsts else nan,
        "wrong_before_first_correct": (
            sum(o.wrong_before_first for o in answerable) / len(answerable) if answerable else nan
        ),
        "push_precision": sum(len(o.found) for o in answerable) / pushes if pushes else nan,
        "pushes_per_call": pushes / len(answerable) if answerable else nan,
        "uncovered_calls_with_push": (
            sum(1 for o in unanswerable if o.pushed) / len(unanswerable) if unanswerable else nan
        ),
        "latency_p50_ms": percentile_ms(seconds, 50) if seconds else nan,
        "latency_p95_ms": percentile_ms(seconds, 95) if seconds else nan,
    }


def replay_calls(service: CallService, scripts: Sequence[CallScript]) -> CallReplayReport:
    outcomes = [replay_call(service, s) for s in scripts]
    cities = sorted({o.script.city for o in outcomes})
    return CallReplayReport(
        outcomes=outcomes,
        overall=summarize(outcomes),
        per_city={c: summarize([o for o in outcomes if o.script.city == c]) for c in cities},
    )
