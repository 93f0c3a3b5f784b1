"""Metrics: ranking quality through ranx, plus leak rate, no-answer detection and latency."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence

import numpy as np

RANKING_METRICS = ("ndcg@10", "recall@1", "recall@3", "recall@5", "mrr@10")


NO_RESULT = "__none__"


def run_scores(qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Sequence[str]]) -> dict[str, dict[str, float]]:
    """ranx run scores for exactly the queries in ``qrels``: rank order becomes descending scores, and a
    query without results gets a placeholder that matches nothing. Every run built this way has the same
    query ids as the qrels, so per-query metric vectors of several runs line up for paired tests."""
    return {
        qid: {doc: float(len(docs) - i) for i, doc in enumerate(docs)} if (docs := run.get(qid)) else {NO_RESULT: 0.0}
        for qid in qrels
    }


def per_query_metrics(
    qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Sequence[str]], metrics: Sequence[str] = RANKING_METRICS
) -> dict[str, dict[str, float]]:
    """``metric -> query id -> score`` over the queries in ``qrels`` (ranx)."""
    if not qrels:
        return {m: {} for m in metrics}
    from ranx import Qrels, Run, evaluate

    ranx_run = Run(run_scores(qrels, run))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        evaluate(Qrels({q: dict(r) for q, r in qrels.items()}), ranx_run, list(metrics), make_comparable=True)
    return {m: {q: float(v) for q, v in ranx_run.scores[m].items()} for m in metrics}


def ranking_metrics(qrels: Mapping[str, Mapping[str, int]], run: Mapping[str, Sequence[str]]) -> dict[str, float]:
    """Mean ranking metrics over the queries in ``qrels`` (each must have a relevant article).

    ``run`` gives each query's articles in ranked order; a query missing from ``run`` scores zero.
    """
    if not qrels:
        return dict.fromkeys(RANKING_METRICS, float("nan"))
    scores = per_query_metrics(qrels, run)
    return {name: float(np.mean(list(scores[name].values()))) for name in RANKING_METRICS}


def leak_rate(results: Mapping[str, Sequence[str]], allowed: Mapping[str, Sequence[str]], k: int = 5) -> float:
    """Share of queries with an article of another city in their top ``k``."""
    if not results:
        return 0.0
    leaked = sum(1 for qid, cities in results.items() if any(c not in allowed[qid] for c in cities[:k]))
    return leaked / len(results)


def auroc(positive_scores: Sequence[float], negative_scores: Sequence[float]) -> float:
    """Probability that a random positive scores above a random negative (ties count half):
    scikit-learn's ``roc_auc_score``; NaN when either side is empty."""
    if not positive_scores or not negative_scores:
        return float("nan")
    from sklearn.metrics import roc_auc_score

    labels = [1] * len(positive_scores) + [0] * len(negative_scores)
    return float(roc_auc_score(labels, [*positive_scores, *negative_scores]))


def no_answer_precision_recall(
    top_scores: Sequence[float], answerable: Sequence[bool], threshold: float
) -> tuple[float, float]:
    """Precision and recall of "no suggestion" (top confidence below ``threshold``) for unanswerable queries."""
    predicted = [s < threshold for s in top_scores]
    actual = [not a for a in answerable]
    true_pos = sum(p and a for p, a in zip(predicted, actual, strict=True))
    precision = true_pos / sum(predicted) if any(predicted) else float("nan")
    recall = true_pos / sum(actual) if any(actual) else float("nan")
    return precision, recall


def percentile_ms(seconds: Sequence[float], q: float) -> float:
    if not seconds:
        return float("nan")
    return float(np.percentile(np.asarray(seconds) * 1000.0, q))
