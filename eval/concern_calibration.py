"""Fits the cards' confidence (``assistant.live.concern_confidence``) on turn-level labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.live.concern_confidence import ConcernConfidence


def fit_concern_confidence(
    rows: Sequence[tuple[dict[str, float], int]], features: Sequence[str], regularization: float = 1.0
) -> ConcernConfidence:
    """Logistic regression over the named features (L2, ``C=regularization``)."""
    x = np.array([[r.get(f, 0.0) for f in features] for r, _ in rows], dtype=np.float64)
    y = np.array([label for _, label in rows], dtype=np.int64)
    model = LogisticRegression(C=regularization, max_iter=1000)
    model.fit(x, y)
    weights = {f: round(float(w), 4) for f, w in zip(features, model.coef_[0], strict=True)}
    return ConcernConfidence(bias=round(float(model.intercept_[0]), 4), weights=weights)
