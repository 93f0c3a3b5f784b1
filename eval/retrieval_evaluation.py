"""Score a retriever on labeled queries: overall and per city."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.cities import CityDirectory
from embeddings.retrieval.retriever import Retriever, SearchMode
from eval.metrics import (
    auroc,
    leak_rate,
    no_answer_precision_recall,
    per_query_metrics,
    percentile_ms,
    ranking_metrics,
)
from eval.queries import LabeledQuery

DEPTH = 10
Progress = Callable[[int, int], None]


@dataclass
class QueryOutcome:
    query: LabeledQuery
    ranked: list[str]
    cities: list[str]
    top_score: float
    seconds: float


@dataclass
class EvaluationReport:
    mode: str
    threshold: float
    overall: dict[str, float]
    per_city: dict[str, dict[str, float]]
    n_queries: int
    outcomes: list[QueryOutcome] = field(default_factory=list, repr=False)

    def as_json(self) -> dict[str, Any]:
        def clean(metrics: dict[str, float]) -> dict[str, float | None]:
            return {k: (None if math.isnan(v) else round(v, 4)) for k, v in metrics.items()}

        return {
            "mode": self.mode,
            "threshold": self.threshold,
            "overall": clean(self.overall),
            "per_city": {city: clean(m) for city, m in self.per_city.items()},
            "n_queries": self.n_queries,
        }

    def qrels(self) -> dict[str, dict[str, int]]:
        """Relevance judgments of the answerable queries, the ones ranking metrics are computed on."""
        return {o.query.id: dict(o.query.relevant) for o in self.outcomes if o.query.answerable}

    def ranked(self) -> dict[str, list[str]]:
        """Each answerable query's articles in ranked order."""
        return {o.query.id: list(o.ranked) for o in self.outcomes if o.query.answerable}

    def per_query(self) -> dict[str, dict[str, float]]:
        """``metric -> query id -> score`` for the answerable queries (ranx)."""
        return per_query_metrics(self.qrels(), self.ranked())


def run_queries(
    retriever: Retriever, queries: Sequence[LabeledQuery], mode: SearchMode, progress: Progress | None = None
) -> list[QueryOutcome]:
    """Search every query in its city, timing each search."""
    outcomes = []
    for done, query in enumerate(queries, start=1):
        started = time.perf_counter()
        hits = retriever.search(query.text, query.city, k=DEPTH, mode=mode)
        seconds = time.perf_counter() - started
        outcomes.append(
            QueryOutcome(
                query=query,
                ranked=[h.article_id for h in hits],
                cities=[h.city for h in hits],
                top_score=hits[0].score if hits else 0.0,
                seconds=seconds,
            )
        )
        if progress is not None:
            progress(done, len(queries))
    return outcomes


def summarize(outcomes: Sequence[QueryOutcome], cities: CityDirectory, threshold: float) -> dict[str, float]:
    answerable = [o for o in outcomes if o.query.answerable]
    metrics = ranking_metrics(
        {o.query.id: o.query.relevant for o in answerable}, {o.query.id: o.ranked for o in answerable}
    )
    metrics["leak_rate"] = leak_rate(
        {o.query.id: o.cities for o in outcomes}, {o.query.id: cities.scope(o.query.city) for o in outcomes}
    )
    unanswerable = [o for o in outcomes if not o.query.answerable]
    metrics["noanswer_auroc"] = auroc([o.top_score for o in answerable], [o.top_score for o in unanswerable])
    precision, recall = no_answer_precision_recall(
        [o.top_score for o in outcomes], [o.query.answerable for o in outcomes], threshold
    )
    metrics["noanswer_precision"] = precision
    metrics["noanswer_recall"] = recall
    seconds = [o.seconds for o in outcomes]
    metrics["latency_p50_ms"] = percentile_ms(seconds, 50)
    metrics["latency_p95_ms"] = percentile_ms(seconds, 95)
    metrics["n_answerable"] = float(len(answerable))
    metrics["n_unanswerable"] = float(len(unanswerable))
    return metrics


def evaluate_outcomes(
    outcomes: Sequence[QueryOutcome], cities: CityDirectory, mode: str, threshold: float
) -> EvaluationReport:
    """Overall and per-city metrics of searches already run."""
    per_city = {
        city: summarize([o for o in outcomes if o.query.city == city], cities, threshold)
        for city in sorted({o.query.city for o in outcomes})
    }
    return EvaluationReport(
        mode=mode,
        threshold=threshold,
        overall=summarize(outcomes, cities, threshold),
        per_city=per_city,
        n_queries=len(outcomes),
        outcomes=list(outcomes),
    )


def evaluate_retriever(
    retriever: Retriever,
    queries: Sequence[LabeledQuery],
    cities: CityDirectory,
    mode: SearchMode,
    threshold: float,
    progress: Progress | None = None,
) -> EvaluationReport:
    return evaluate_outcomes(run_queries(retriever, queries, mode, progress), cities, mode, threshold)
