"""Fits the weights of the answer sentence's score (``TYPE_WEIGHT`` and ``POSITION_WEIGHT`` in
``assistant/live/answer_extraction.py``) on labeled (question, article, answering sentences) triples,
and reports how often the highlight is right with the fitted and with the shipped weights.

    python -m eval.highlight_fit [--labels demo/calls/answer-labels.jsonl ...] [--split tune]

Each unit (sentence or list item) of the labeled article is scored by the extractor's three parts:
word overlap with the question, whether it gives the kind of answer asked for, and its place in the
article. A pairwise logistic regression (a right unit against every wrong unit of the same triple, no
intercept) gives the weights relative to the overlap's; a five-fold check by call says how well
weights fitted on the other calls pick the right unit. The triples are asked offline: the labeled
question against the labeled article, without the call around it (the replay, ``souffleur eval
calls --answers``, measures the highlight as the agent sees it).
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.live.answer_extraction import ScoredUnit, answer_score
from eval.call_replay import answer_matches, read_answer_labels

FOLDS = 5
SEED = 20261127
# The tune halves' labels (the test halves are never fitted on).
DEFAULT_LABELS = tuple(
    Path("demo/calls") / name for name in ("answer-labels.jsonl", "answer-labels2.jsonl", "answer-labels3.jsonl")
)


@dataclass(frozen=True)
class LabeledUnits:
    """One triple: its call, and each unit of the article with whether it answers the question."""

    call_id: str
    units: list[ScoredUnit]
    right: list[bool]


@dataclass(frozen=True)
class HighlightWeights:
    type_weight: float
    position_weight: float


def features(unit: ScoredUnit) -> list[float]:
    return [unit.overlap, unit.answers_kind, -unit.position]


def fit_weights(triples: Sequence[LabeledUnits]) -> HighlightWeights:
    """Pairwise logistic regression on right-minus-wrong feature differences, scaled to overlap 1."""
    differences: list[list[float]] = []
    for triple in triples:
        right = [features(u) for u, ok in zip(triple.units, triple.right, strict=True) if ok]
        wrong = [features(u) for u, ok in zip(triple.units, triple.right, strict=True) if not ok]
        differences.extend([a - b for a, b in zip(r, w, strict=True)] for r in right for w in wrong)
    if not differences:
        raise ValueError("no triple has both a right and a wrong unit: nothing to fit")
    x = np.asarray(differences)
    model = LogisticRegression(max_iter=3000, fit_intercept=False).fit(
        np.vstack([x, -x]), np.concatenate([np.ones(len(x)), np.zeros(len(x))])
    )
    overlap, kind, position = (float(c) for c in model.coef_[0])
    if overlap <= 0:
        raise ValueError(f"the fit gives the word overlap a weight of {overlap:.3f}: the labels do not support it")
    return HighlightWeights(type_weight=kind / overlap, position_weight=position / overlap)


def accuracy(triples: Sequence[LabeledUnits], weights: HighlightWeights) -> float:
    """The share of triples whose best-scored unit is a right one."""
    right = 0
    for triple in triples:
        scores = [answer_score(u, weights.type_weight, weights.position_weight) for u in triple.units]
        right += triple.right[int(np.argmax(scores))] if scores else 0
    return right / len(triples) if triples else 0.0


def cross_validated_accuracy(triples: Sequence[LabeledUnits], folds: int = FOLDS, seed: int = SEED) -> float:
    """Weights fitted on the triples of the other calls, accuracy on each fold's calls, pooled."""
    calls = sorted({t.call_id for t in triples})
    random.Random(seed).shuffle(calls)
    right = 0.0
    for fold in range(folds):
        held = set(calls[fold::folds])
        train = [t for t in triples if t.call_id not in held]
        test = [t for t in triples if t.call_id in held]
        if test and train:
            right += accuracy(test, fit_weights(train)) * len(test)
    return right / len(triples) if triples else 0.0


@dataclass(frozen=True)
class LabeledQuestion:
    """One line of an answer-labels file: the caller's question, its article, the answering sentences."""

    call_id: str
    question: str
    article_id: str
    sentences: list[str]


def read_labels(labels_path: Path, split: str) -> list[LabeledQuestion]:
    """The answerable labels of ``split``; a malformed line is a ``ValueError`` naming file and line."""

    def of_split(raw: dict[str, Any]) -> LabeledQuestion | None:
        if raw.get("split") != split:
            return None
        call, article = str(raw["call_id"]), str(raw["article_id"])
        return LabeledQuestion(call, str(raw["question"]), article, list(raw["sentences"]))

    return read_answer_labels(labels_path, of_split, "a JSON object with call_id, question, article_id and sentences")


def labeled_units(labels_paths: Sequence[Path], split: str) -> list[LabeledUnits]:
    """The triples of ``split`` in the labels files, with the units of their article, scored by the
    configured index's extractor (the demo knowledge base by default)."""
    from assistant.live.suggestion_engine import SuggestionEngine
    from assistant.settings import Settings
    from assistant.wiring import open_retriever

    labels = [label for path in labels_paths for label in read_labels(path, split)]
    retriever, _ = open_retriever(Settings())
    extractor = SuggestionEngine.for_index(retriever, retriever.index).extractor
    triples = []
    for label in labels:
        units = extractor.units(label.question, retriever.sections(label.article_id))
        if units:
            triples.append(LabeledUnits(label.call_id, units, [answer_matches(u.text, label.sentences) for u in units]))
    return triples


def main() -> None:
    from assistant.live import answer_extraction

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--labels",
        type=Path,
        action="append",
        help="an answer-labels file (repeatable; default: the tune halves' three files in demo/calls)",
    )
    parser.add_argument("--split", default="tune", help="the labels' split to fit on (default: tune)")
    args = parser.parse_args()
    try:
        triples = labeled_units(args.labels or DEFAULT_LABELS, args.split)
        fitted = fit_weights(triples)
    except (OSError, ValueError) as exc:
        parser.exit(2, f"error: {exc}\n")
    shipped = HighlightWeights(answer_extraction.TYPE_WEIGHT, answer_extraction.POSITION_WEIGHT)
    print(f"{len(triples)} triples of split {args.split!r}")
    print(f"fitted:  TYPE_WEIGHT {fitted.type_weight:.2f}, POSITION_WEIGHT {fitted.position_weight:.2f}")
    print(f"highlight right, fitted weights (in sample): {accuracy(triples, fitted):.3f}")
    print(
        f"highlight right, shipped weights ({shipped.type_weight}, {shipped.position_weight}): "
        f"{accuracy(triples, shipped):.3f}"
    )
    print(f"highlight right, {FOLDS}-fold by call: {cross_validated_accuracy(triples):.3f}")
    no_kind_or_place = HighlightWeights(0.0, 0.0)
    print(f"highlight right, word overlap alone: {accuracy(triples, no_kind_or_place):.3f}")


if __name__ == "__main__":
    main()
