"""Fits the cards' confidence (``assistant.live.concern_confidence``) on turn-level labels."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from assistant.live.concern_confidence import BoostedTrees, DecisionTree, LogisticModel

# The shipped trees (round 10): chosen by leaving one tune half out of the fit in turn and scoring it
# (twelve tune halves): depth 2 and 200 trees gave more `answer` cards at the same share of uncovered
# calls with one than the logistic model, and depth 3 or 4 no more (docs/suggestions.md, round 10).
TREE_DEPTH = 2
TREE_COUNT = 200
TREE_LEARNING_RATE = 0.05


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


def fit_boosted_trees(
    rows: Sequence[tuple[dict[str, float], int]],
    features: Sequence[str],
    depth: int = TREE_DEPTH,
    trees: int = TREE_COUNT,
    learning_rate: float = TREE_LEARNING_RATE,
) -> BoostedTrees:
    """Gradient-boosted trees over the named features (scikit-learn's histogram gradient boosting, no
    early stopping, so the fit is the same each time), exported into ``BoostedTrees``; the export
    must give the fitted model's probabilities on the rows (else a ``RuntimeError``)."""
    x = np.array([[r.get(f, 0.0) for f in features] for r, _ in rows], dtype=np.float64)
    y = np.array([label for _, label in rows], dtype=np.int64)
    with _openmp_threads_named():
        model = HistGradientBoostingClassifier(
            max_depth=depth, max_iter=trees, learning_rate=learning_rate, early_stopping=False, random_state=0
        ).fit(x, y)
        expected = model.predict_proba(x)[:, 1]
    exported = BoostedTrees(
        baseline=float(np.ravel(model._baseline_prediction)[0]),
        features=tuple(features),
        trees=tuple(_tree(predictor.nodes) for (predictor,) in model._predictors),
    )
    got = np.array([exported(dict(zip(features, row, strict=True))) for row in x])
    if len(got) and float(np.max(np.abs(got - expected))) > 1e-6:
        raise RuntimeError("the exported trees do not reproduce the fitted model")
    return exported


@contextmanager
def _openmp_threads_named() -> Iterator[None]:
    """Without ``OMP_NUM_THREADS`` scikit-learn counts the physical cores by running ``lscpu`` in a
    subprocess; naming the thread count (the machine's, unless set) skips that. Restored afterwards."""
    if os.environ.get("OMP_NUM_THREADS"):
        yield
        return
    os.environ["OMP_NUM_THREADS"] = str(os.cpu_count() or 1)
    try:
        yield
    finally:
        os.environ.pop("OMP_NUM_THREADS", None)


def _tree(nodes: np.ndarray) -> DecisionTree:
    """A fitted predictor's node records as a ``DecisionTree`` (leaves get feature -1)."""
    leaf = nodes["is_leaf"].astype(bool)
    return DecisionTree(
        feature=tuple(-1 if is_leaf else int(f) for f, is_leaf in zip(nodes["feature_idx"], leaf, strict=True)),
        threshold=tuple(float(t) for t in nodes["num_threshold"]),
        left=tuple(int(v) for v in nodes["left"]),
        right=tuple(int(v) for v in nodes["right"]),
        value=tuple(float(v) for v in nodes["value"]),
    )
