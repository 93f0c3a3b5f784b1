"""Reciprocal rank fusion of several rankings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

RRF_K = 60


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]], weights: Mapping[str, float], k: int = RRF_K
) -> dict[str, float]:
    """``sum_r weight_r / (k + rank_r(item))`` over the rankings an item appears in (ranks from 1)."""
    if k < 0:
        raise ValueError("k must not be negative")
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        if weight == 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    return fused
