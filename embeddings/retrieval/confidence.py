"""Map retrieval signals to a confidence in [0, 1] that means the same for every query.

Both inputs are absolute, not relative to the other results of the query: the cosine between query
and passage vectors, and the BM25 score divided by the best score the query could reach. A logistic
model over them estimates the probability that the article answers the query; its weights are fitted
on labeled queries (``souffleur eval calibrate``) and kept in settings, so one threshold can decide
"nothing good enough".
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class ConfidenceModel:
    """``sigmoid(bias + dense_weight * cosine + lexical_weight * lexical_strength)``."""

    bias: float
    dense_weight: float
    lexical_weight: float

    def __call__(self, dense: float | None, lexical: float | None) -> float:
        z = self.bias
        if dense is not None:
            z += self.dense_weight * dense
        if lexical is not None:
            z += self.lexical_weight * lexical
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)


def default_confidence_models() -> dict[str, ConfidenceModel]:
    """Per search mode, fitted for the default model on the demo dev queries
    (``souffleur eval calibrate --queries demo/queries/dev.jsonl``, top hit of every query)."""
    return {
        "hybrid": ConfidenceModel(bias=-5.69, dense_weight=6.55, lexical_weight=10.85),
        "dense": ConfidenceModel(bias=-8.62, dense_weight=10.53, lexical_weight=0.0),
        "lexical": ConfidenceModel(bias=-0.34, dense_weight=0.0, lexical_weight=12.04),
    }


def load_confidence_models(path: Path | None) -> dict[str, ConfidenceModel]:
    """The defaults, overridden per mode by a calibration file when one is given."""
    models = default_confidence_models()
    if path is None:
        return models
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        for mode, params in raw.get("modes", {}).items():
            models[mode] = ConfidenceModel(**params)
    except (OSError, ValueError, TypeError) as exc:
        raise ValueError(f"calibration file {path} is unreadable: {exc}") from exc
    return models


def save_confidence_models(path: Path, models: dict[str, ConfidenceModel], note: str) -> None:
    payload = {"note": note, "modes": {mode: asdict(model) for mode, model in models.items()}}
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
