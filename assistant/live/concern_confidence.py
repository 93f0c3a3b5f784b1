"""The calibrated confidence of a card: the probability that an article answers the caller's current
concern, from features that do not depend on how many words the caller said (ranks, margins,
agreement of the dense and lexical rankings, evidence accumulated over the concern's turns).

A logistic model; its weights live in ``concern_confidence.json`` next to this module and are refitted
on turn-level labels of labeled call scripts with ``souffleur eval calibrate-calls`` (the file records
the command and the sets it was fitted on). ``LogisticModel`` and ``load_logistic_model`` also serve
the engine's other fitted decision, whether a turn opens a new concern (``topic_change.py``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

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


@dataclass(frozen=True)
class LogisticModel:
    """``sigmoid(bias + sum(weight_f * feature_f))``; unknown features count as 0."""

    bias: float
    weights: dict[str, float]
    note: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def __call__(self, features: Mapping[str, float]) -> float:
        z = self.bias + sum(w * features.get(name, 0.0) for name, w in self.weights.items())
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def save(self, path: Path) -> None:
        payload = {"note": self.note, "bias": self.bias, "weights": self.weights, **self.extra}
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# Used only when the weights file is missing: a hand-set model (rank agreement and evidence margin).
FALLBACK = LogisticModel(
    bias=-4.0,
    weights={"dense_rank": 1.5, "lexical_rank": 1.0, "evidence_share": 2.0, "evidence_margin": 2.0, "presence": 1.0},
    note="hand-set fallback",
)


def load_concern_confidence(path: Path | None = None) -> LogisticModel:
    """The fitted model from ``path`` (default: the file next to this module)."""
    return load_logistic_model(path or DEFAULT_WEIGHTS_FILE, FEATURES, FALLBACK, "concern confidence")


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
