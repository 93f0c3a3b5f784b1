"""The calibrated confidence of a card: the probability that an article answers the caller's current
concern, from features that do not depend on how many words the caller said (ranks, margins,
agreement of the dense and lexical rankings, evidence accumulated over the concern's turns).

Two kinds of fitted model share one seam (``CardConfidence``): gradient-boosted decision trees (the
default since round 10: they see combinations a weighted sum cannot, such as a right article that is
weak lexically but leads the dense ranking across turns) and a logistic model. The fitted model lives in
``concern_confidence.json`` next to this module and is refitted on turn-level labels of labeled call
scripts with ``souffleur eval calibrate-calls`` (the file records the command and the sets it was fitted
on). ``LogisticModel`` and ``load_logistic_model`` also serve the engine's other fitted decision, whether
a turn opens a new concern (``topic_change.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

DEFAULT_WEIGHTS_FILE = Path(__file__).with_name("concern_confidence.json")
FEATURES = (
    "dense_rank",
    "lexical_rank",
    "lexical_strength",
    "cosine",
    "cosine_margin",
    "evidence_share",
    "evidence_margin",
    "presence",
    "concern_turns",
    "coverage",
    "distinct_coverage",
)


class CardConfidence(Protocol):
    """The probability that a candidate article answers the concern, from its features."""

    @property
    def note(self) -> str: ...

    def __call__(self, features: Mapping[str, float]) -> float: ...


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


@dataclass(frozen=True)
class LogisticModel:
    """``sigmoid(bias + sum(weight_f * feature_f))``; unknown features count as 0."""

    bias: float
    weights: dict[str, float]
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def __call__(self, features: Mapping[str, float]) -> float:
        return _sigmoid(self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items()))

    def save(self, path: Path) -> None:
        payload = {"note": self.note, "bias": self.bias, "weights": self.weights, **self.extra}
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class DecisionTree:
    """One tree as parallel node arrays: an inner node sends ``x[feature] <= threshold`` to ``left``,
    otherwise to ``right``; a leaf (``feature`` -1) holds its ``value``. Node 0 is the root."""

    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def check(self, features: int) -> None:
        """A ``ValueError`` unless the arrays describe a tree over ``features`` features."""
        n = len(self.feature)
        if n == 0 or any(len(a) != n for a in (self.threshold, self.left, self.right, self.value)):
            raise ValueError("a tree's node arrays must be non-empty and of one length")
        for node, f in enumerate(self.feature):
            if f >= features or f < -1:
                raise ValueError(f"node {node} splits on feature {f}, of {features}")
            if f >= 0 and not (node < self.left[node] < n and node < self.right[node] < n):
                raise ValueError(f"node {node} points outside the tree")


@dataclass(frozen=True)
class BoostedTrees:
    """Gradient-boosted decision trees: ``sigmoid(baseline + the sum of each tree's leaf value)`` (the
    export of a fitted ``HistGradientBoostingClassifier``, see ``eval.concern_calibration``), evaluated
    here with numpy, all trees one level at a time."""

    baseline: float
    features: tuple[str, ...]
    trees: tuple[DecisionTree, ...]
    note: str = ""
    _arrays: dict[str, npt.NDArray[Any]] = field(init=False, repr=False, compare=False)
    _depth: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for tree in self.trees:
            tree.check(len(self.features))
        width = max((len(t.feature) for t in self.trees), default=1)

        def padded(name: str, fill: float, dtype: type) -> npt.NDArray[Any]:
            rows = [list(getattr(t, name)) + [fill] * (width - len(t.feature)) for t in self.trees]
            return np.asarray(rows, dtype=dtype).reshape(len(self.trees), width)

        arrays = {
            "feature": padded("feature", -1, np.int64),
            "threshold": padded("threshold", 0.0, np.float64),
            "left": padded("left", 0, np.int64),
            "right": padded("right", 0, np.int64),
            "value": padded("value", 0.0, np.float64),
        }
        object.__setattr__(self, "_arrays", arrays)
        object.__setattr__(self, "_depth", _depth(self.trees))

    def __call__(self, features: Mapping[str, float]) -> float:
        a = self._arrays
        x = np.asarray([features.get(name, 0.0) for name in self.features], dtype=np.float64)
        trees = np.arange(len(self.trees))
        node = np.zeros(len(self.trees), dtype=np.int64)
        for _ in range(self._depth):
            split = a["feature"][trees, node]
            inner = split >= 0
            go_left = x[np.maximum(split, 0)] <= a["threshold"][trees, node]
            node = np.where(inner, np.where(go_left, a["left"][trees, node], a["right"][trees, node]), node)
        return _sigmoid(self.baseline + float(a["value"][trees, node].sum()))

    def save(self, path: Path) -> None:
        payload = {
            "note": self.note,
            "kind": "boosted_trees",
            "baseline": self.baseline,
            "features": list(self.features),
            "trees": [
                {
                    "feature": list(t.feature),
                    "threshold": list(t.threshold),
                    "left": list(t.left),
                    "right": list(t.right),
                    "value": list(t.value),
                }
                for t in self.trees
            ],
        }
        path.write_text(json.dumps(payload, ensure_ascii=False) + "\n", encoding="utf-8")


def _depth(trees: Sequence[DecisionTree]) -> int:
    """The most splits from a root to a leaf in any tree."""
    deepest = 0
    for tree in trees:
        stack = [(0, 0)]
        while stack:
            node, depth = stack.pop()
            if tree.feature[node] < 0:
                deepest = max(deepest, depth)
            else:
                stack += [(tree.left[node], depth + 1), (tree.right[node], depth + 1)]
    return deepest


# Used only when the weights file is missing: a hand-set model (rank agreement and evidence margin).
FALLBACK = LogisticModel(
    bias=-4.0,
    weights={"dense_rank": 1.5, "lexical_rank": 1.0, "evidence_share": 2.0, "evidence_margin": 2.0, "presence": 1.0},
    note="hand-set fallback",
)


def load_concern_confidence(path: Path | None = None) -> CardConfidence:
    """The fitted model from ``path`` (default: the file next to this module): boosted trees when the
    file holds ``trees``, else a logistic model; a file that cannot be read is a ``ValueError`` naming it."""
    path = path or DEFAULT_WEIGHTS_FILE
    if path.is_file():
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(raw, dict) and "trees" in raw:
                return _boosted_trees(raw)
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise ValueError(f"concern confidence file {path} is unreadable: {exc}") from exc
    return load_logistic_model(path, FEATURES, FALLBACK, "concern confidence")


def _boosted_trees(raw: dict[str, Any]) -> BoostedTrees:
    features = tuple(str(f) for f in raw["features"])
    unknown = set(features) - set(FEATURES)
    if unknown:
        raise ValueError(f"unknown features {sorted(unknown)}")
    trees = tuple(
        DecisionTree(
            feature=tuple(int(v) for v in t["feature"]),
            threshold=tuple(float(v) for v in t["threshold"]),
            left=tuple(int(v) for v in t["left"]),
            right=tuple(int(v) for v in t["right"]),
            value=tuple(float(v) for v in t["value"]),
        )
        for t in raw["trees"]
    )
    return BoostedTrees(float(raw["baseline"]), features, trees, str(raw.get("note", "")))


def load_logistic_model(path: Path, features: Sequence[str], fallback: LogisticModel, what: str) -> LogisticModel:
    """A fitted model over ``features`` from ``path`` (``fallback`` when the file is missing); a file
    that cannot be read, or weights a feature the engine does not compute, is a ``ValueError``."""
    if not path.is_file():
        return fallback
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        weights = {str(k): float(v) for k, v in raw["weights"].items()}
        unknown = set(weights) - set(features)
        if unknown:
            raise ValueError(f"unknown features {sorted(unknown)}")
        return LogisticModel(bias=float(raw["bias"]), weights=weights, note=str(raw.get("note", "")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{what} file {path} is unreadable: {exc}") from exc
