"""Score a benchmark corpus in several search modes."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from corpus.cities import CityDirectory
from embeddings.retrieval.retriever import Retriever, SearchMode
from eval.benchmarks.benchmark_corpus import BenchmarkCorpus
from eval.retrieval_evaluation import EvaluationReport, evaluate_retriever

BENCHMARK_COLUMNS = (
    ("recall@1", "R@1"),
    ("recall@3", "R@3"),
    ("recall@5", "R@5"),
    ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"),
    ("latency_p50_ms", "p50 ms"),
    ("latency_p95_ms", "p95 ms"),
)


@dataclass
class BenchmarkResult:
    corpus: BenchmarkCorpus
    passages: int
    index_seconds: float | None
    reports: dict[str, EvaluationReport] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        def clean(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 4)

        return {
            "benchmark": self.corpus.name,
            "articles": self.corpus.articles,
            "passages": self.passages,
            "queries": len(self.corpus.queries),
            "dropped_queries": self.corpus.dropped_queries,
            "index_seconds": self.index_seconds,
            "notes": self.corpus.notes,
            "modes": {
                mode: {key: clean(report.overall[key]) for key, _ in BENCHMARK_COLUMNS}
                for mode, report in self.reports.items()
            },
        }


def score_modes(
    retriever: Retriever,
    corpus: BenchmarkCorpus,
    cities: CityDirectory,
    modes: Sequence[SearchMode],
    threshold: float,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, EvaluationReport]:
    """One evaluation per mode; each pays for its own query embeddings."""
    reports: dict[str, EvaluationReport] = {}
    for mode in modes:
        retriever.clear_query_cache()

        def tick(done: int, total: int, mode: str = mode) -> None:
            if progress is not None:
                progress(mode, done, total)

        reports[mode] = evaluate_retriever(retriever, corpus.queries, cities, mode, threshold, tick)
    return reports
