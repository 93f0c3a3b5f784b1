"""Fit the confidence model on labeled queries, so one threshold means the same for every query."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from embeddings.retrieval.confidence import ConfidenceModel
from embeddings.retrieval.retriever import Retriever, SearchMode
from eval.queries import LabeledQuery

CALIBRATION_DEPTH = 1


def collect_samples(
    retriever: Retriever, queries: Sequence[LabeledQuery], mode: SearchMode
) -> tuple[np.ndarray, np.ndarray]:
    """Features (cosine, lexical strength) and labels (relevant or not) of each query's top hit.

    Fitting on the top hit makes the confidence the probability that the first suggestion answers the
    query, which is what the "nothing good enough" threshold decides; unanswerable queries are the
    negatives that matter most."""
    features, labels = [], []
    for query in queries:
        for hit in retriever.search(query.text, query.city, k=CALIBRATION_DEPTH, mode=mode):
            features.append([hit.dense_score or 0.0, hit.lexical_score or 0.0])
            labels.append(1 if query.relevant.get(hit.article_id, 0) > 0 else 0)
    return np.asarray(features, dtype=float), np.asarray(labels, dtype=int)


def fit_confidence(features: np.ndarray, labels: np.ndarray, mode: SearchMode) -> ConfidenceModel:
    """Logistic regression of relevance on the signals the mode has."""
    from sklearn.linear_model import LogisticRegression

    if len(set(labels.tolist())) < 2:
        raise ValueError("calibration needs both relevant and irrelevant hits")
    columns = {"hybrid": [0, 1], "dense": [0], "lexical": [1]}[mode]
    model = LogisticRegression(C=10.0, max_iter=1000).fit(features[:, columns], labels)
    weights = dict(zip(columns, model.coef_[0].tolist(), strict=True))
    return ConfidenceModel(
        bias=float(model.intercept_[0]),
        dense_weight=float(weights.get(0, 0.0)),
        lexical_weight=float(weights.get(1, 0.0)),
    )
