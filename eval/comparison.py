"""Run several retrieval configurations on the same labeled queries and test their differences.

Each configuration is scored with :func:`eval.retrieval_evaluation.evaluate_retriever`, on the clean
queries and, when given, on their noisy (ASR-like) twins. Every run is tested per query against the
baseline (the first configuration) on the same queries, and each noisy run against its own clean run.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from corpus.cities import CityDirectory
from embeddings.retrieval.retriever import Retriever
from eval.configurations import RetrievalSpec
from eval.metrics import RANKING_METRICS
from eval.queries import LabeledQuery
from eval.retrieval_evaluation import EvaluationReport, evaluate_retriever
from eval.significance import PairedTest, paired_p_values

Variant = Literal["clean", "noisy"]
ComparisonProgress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class NoiseSetting:
    level: float
    seed: int


@dataclass
class ComparisonRow:
    spec: RetrievalSpec
    variant: Variant
    report: EvaluationReport
    baseline: ComparisonRow | None = field(default=None, repr=False)
    p_values: dict[str, float] = field(default_factory=dict)
    clean: ComparisonRow | None = field(default=None, repr=False)
    clean_p_values: dict[str, float] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return self.spec.name if self.variant == "clean" else f"{self.spec.name} (noisy)"


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


@dataclass
class ComparisonResult:
    rows: list[ComparisonRow]
    test: PairedTest
    n_queries: int
    n_answerable: int
    noise: NoiseSetting | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "test": {"name": self.test.stat_test, "alpha": self.test.alpha, "description": self.test.describe()},
            "n_queries": self.n_queries,
            "n_answerable": self.n_answerable,
            "noise": None if self.noise is None else {"level": self.noise.level, "seed": self.noise.seed},
            "rows": [
                {
                    "name": row.label,
                    "config": row.spec.name,
                    "variant": row.variant,
                    "spec": row.spec.describe(),
                    "baseline": None if row.baseline is None else row.baseline.label,
                    "overall": {k: _rounded(v) for k, v in row.report.overall.items()},
                    "p_values": {k: _rounded(v) for k, v in row.p_values.items()},
                    "p_values_vs_clean": {k: _rounded(v) for k, v in row.clean_p_values.items()},
                    "per_city": {
                        city: {k: _rounded(v) for k, v in metrics.items()}
                        for city, metrics in row.report.per_city.items()
                    },
                }
                for row in self.rows
            ],
        }


def compare_configurations(
    specs: Sequence[RetrievalSpec],
    retriever_for: Callable[[RetrievalSpec], Retriever],
    queries: Sequence[LabeledQuery],
    cities: CityDirectory,
    threshold: float,
    test: PairedTest,
    noisy_queries: Sequence[LabeledQuery] | None = None,
    noise: NoiseSetting | None = None,
    progress: ComparisonProgress | None = None,
) -> ComparisonResult:
    """Score every configuration (clean, then noisy) and test it against the first one."""
    if not specs:
        raise ValueError("nothing to compare: no configurations")
    if noisy_queries is not None and [q.id for q in noisy_queries] != [q.id for q in queries]:
        raise ValueError("the noisy queries must have the same ids, in the same order, as the clean ones")
    variants: list[tuple[Variant, Sequence[LabeledQuery]]] = [("clean", queries)]
    if noisy_queries is not None:
        variants.append(("noisy", noisy_queries))
    rows: list[ComparisonRow] = []
    for spec in specs:
        retriever = retriever_for(spec)
        for variant, variant_queries in variants:
            retriever.clear_query_cache()
            row_label = spec.name if variant == "clean" else f"{spec.name} (noisy)"

            def tick(done: int, total: int, label: str = row_label) -> None:
                if progress is not None:
                    progress(label, done, total)

            report = evaluate_retriever(retriever, variant_queries, cities, spec.mode, threshold, tick)
            rows.append(ComparisonRow(spec=spec, variant=variant, report=report))
    _test_rows(rows, test)
    return ComparisonResult(
        rows=rows,
        test=test,
        n_queries=len(queries),
        n_answerable=sum(q.answerable for q in queries),
        noise=noise if noisy_queries is not None else None,
    )


def _test_rows(rows: list[ComparisonRow], test: PairedTest) -> None:
    baselines = {row.variant: row for row in rows if row.spec.name == rows[0].spec.name}
    clean_rows = {row.spec.name: row for row in rows if row.variant == "clean"}
    for row in rows:
        qrels = row.report.qrels()
        baseline = baselines[row.variant]
        if row is not baseline:
            row.baseline = baseline
            row.p_values = paired_p_values(qrels, row.report.ranked(), baseline.report.ranked(), test)
        if row.variant == "noisy":
            clean = row.clean = clean_rows[row.spec.name]
            row.clean_p_values = paired_p_values(qrels, row.report.ranked(), clean.report.ranked(), test)


def significance_marker(row: ComparisonRow, metric: str, test: PairedTest) -> str:
    """``▲`` or ``▼`` when the row is significantly better or worse than its baseline on ``metric``."""
    p = row.p_values.get(metric, float("nan"))
    if row.baseline is None or metric not in RANKING_METRICS or not test.significant(p):
        return ""
    return "▲" if row.report.overall[metric] > row.baseline.report.overall[metric] else "▼"


TABLE_COLUMNS = (
    ("ndcg@10", "nDCG@10"),
    ("recall@1", "R@1"),
    ("recall@3", "R@3"),
    ("recall@5", "R@5"),
    ("mrr@10", "MRR@10"),
    ("leak_rate", "leak rate"),
    ("noanswer_auroc", "no-answer AUROC"),
    ("latency_p50_ms", "p50 ms"),
)


def format_metric(row: ComparisonRow, metric: str, test: PairedTest) -> str:
    """The row's overall value of ``metric`` as shown in tables, with its significance marker."""
    value = row.report.overall[metric]
    if math.isnan(value):
        return "–"
    if metric.startswith("latency"):
        return f"{value:.1f}"
    return f"{value:.3f}{significance_marker(row, metric, test)}"


def format_p(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    return "<0.001" if value < 0.001 else f"{value:.3f}"
