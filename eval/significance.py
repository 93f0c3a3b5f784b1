"""Paired significance tests between two runs on the same queries (ranx.compare).

Both runs are scored on exactly the queries of the relevance judgments (``eval.metrics.run_scores``),
so ranx lines up their per-query metric vectors by query id and the test compares each query with
itself: the paired t-test on per-query differences, or Fisher's randomization test that swaps the two
systems' scores query by query.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from eval.metrics import RANKING_METRICS, run_scores

STAT_TESTS = {
    "student": "two-sided paired Student's t-test over per-query scores",
    "fisher": "Fisher's randomization test (paired: permutes the two systems' scores within each query)",
}


@dataclass(frozen=True)
class PairedTest:
    """Which test, at which level. ``seed`` goes to ranx's randomization test; ranx draws the permutations
    in numba worker threads that the seed does not reach, so its p-values vary slightly between runs."""

    stat_test: str = "student"
    alpha: float = 0.05
    n_permutations: int = 10_000
    seed: int = 42

    def __post_init__(self) -> None:
        if self.stat_test not in STAT_TESTS:
            raise ValueError(f"unknown test '{self.stat_test}' (one of: {', '.join(STAT_TESTS)})")
        if not 0 < self.alpha < 1:
            raise ValueError(f"alpha must be between 0 and 1, not {self.alpha}")

    def describe(self) -> str:
        text = STAT_TESTS[self.stat_test]
        if self.stat_test == "fisher":
            text += f", {self.n_permutations} permutations, seed {self.seed}"
        return f"{text}; significant when p < {self.alpha:g}"

    def significant(self, p_value: float) -> bool:
        return not math.isnan(p_value) and p_value < self.alpha


def paired_p_values(
    qrels: Mapping[str, Mapping[str, int]],
    treatment: Mapping[str, Sequence[str]],
    control: Mapping[str, Sequence[str]],
    test: PairedTest,
    metrics: Sequence[str] = RANKING_METRICS,
) -> dict[str, float]:
    """``metric -> p-value`` of the difference between two rankings of the same queries.

    NaN when the two runs score every query alike (there is no difference to test)."""
    if not qrels:
        return dict.fromkeys(metrics, float("nan"))
    from ranx import Qrels, Run, compare

    runs = [Run(run_scores(qrels, control), name="control"), Run(run_scores(qrels, treatment), name="treatment")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = compare(
            Qrels({q: dict(r) for q, r in qrels.items()}),
            runs,
            list(metrics),
            stat_test=test.stat_test,
            n_permutations=test.n_permutations,
            max_p=test.alpha,
            random_seed=test.seed,
            make_comparable=True,
        )
    result = report.comparisons["control", "treatment"]
    return {m: float(result[m]["p_value"]) for m in metrics}
