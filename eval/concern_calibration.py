"""Fits the cards' confidence (``assistant.live.concern_confidence``) on turn-level labels."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from assistant.live.concern_confidence import LogisticModel


def fit_logistic_model(
    rows: Sequence[tuple[dict[str, float], int]], features: Sequence[str], regularization: float = 1.0
) -> LogisticModel:
    """Logistic regression over the named features (L2, ``C=regularization``), fitted on standardized
    features so that the penalty treats them alike (a cosine moves within a few hundredths, a rank
    share between 0 and 1), then folded back into weights on the raw features."""
    x = np.array([[r.get(f, 0.0) for f in features] for r, _ in rows], dtype=np.float64)
    y = np.array([label for _, label in rows], dtype=np.int64)
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=regularization, max_iter=1000)
    model.fit((x - scaler.mean_) / scale, y)
    raw = model.coef_[0] / scale
    bias = float(model.intercept_[0]) - float(np.sum(model.coef_[0] * scaler.mean_ / scale))
    weights = {f: round(float(w), 4) for f, w in zip(features, raw, strict=True)}
    return LogisticModel(bias=round(bias, 4), weights=weights)
