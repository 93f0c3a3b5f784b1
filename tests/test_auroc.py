"""The no-answer AUROC is scikit-learn's ``roc_auc_score``, equal to the pairwise definition it replaced."""

from __future__ import annotations

import math
import random

import pytest

from eval.metrics import auroc

pytestmark = pytest.mark.unit


def pairwise_auroc(positive: list[float], negative: list[float]) -> float:
    """The definition: the share of (positive, negative) pairs ordered right, ties counting half."""
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positive for n in negative)
    return wins / (len(positive) * len(negative))


def test_auroc_matches_the_pairwise_definition_with_ties() -> None:
    rng = random.Random(14)
    for _ in range(40):
        positive = [round(rng.random(), 1) for _ in range(rng.randint(1, 12))]  # one decimal: many ties
        negative = [round(rng.random() * 0.8, 1) for _ in range(rng.randint(1, 12))]
        assert auroc(positive, negative) == pytest.approx(pairwise_auroc(positive, negative), abs=1e-12)


def test_auroc_known_values_and_empty_sides() -> None:
    assert auroc([0.9, 0.8, 0.4], [0.5, 0.1]) == pytest.approx(5 / 6)
    assert auroc([0.5], [0.5]) == pytest.approx(0.5)
    assert auroc([0.9, 0.8], [0.1, 0.2]) == 1.0 and auroc([0.1], [0.9]) == 0.0
    assert math.isnan(auroc([], [0.1])) and math.isnan(auroc([0.1], []))
