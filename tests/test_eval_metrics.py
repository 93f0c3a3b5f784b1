"""Evaluation metrics (ranx): ranking metrics against hand-computed values, leak rate, query files."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from eval.metrics import auroc, leak_rate, no_answer_precision_recall, percentile_ms, ranking_metrics
from eval.queries import QueryFileError, load_queries

# Tests that compute ranx metrics are `integration`: ranx compiles numba kernels on first use (about 20 s
# a process even with the cache in .cache/numba). The rest are `unit`.


@pytest.mark.integration
def test_ranking_metrics_match_hand_computed_values() -> None:
    qrels = {"q1": {"a": 1}, "q2": {"b": 1, "c": 1}, "q3": {"d": 1}}
    run = {"q1": ["a", "x"], "q2": ["x", "c", "y", "b"], "q3": ["x", "y", "z"]}
    m = ranking_metrics(qrels, run)
    assert m["recall@1"] == pytest.approx((1 + 0 + 0) / 3)
    assert m["recall@3"] == pytest.approx((1 + 0.5 + 0) / 3)
    assert m["recall@5"] == pytest.approx((1 + 1 + 0) / 3)
    assert m["mrr@10"] == pytest.approx((1 + 1 / 2 + 0) / 3)
    # nDCG@10 of q2: DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3)
    ndcg_q2 = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert m["ndcg@10"] == pytest.approx((1 + ndcg_q2 + 0) / 3)


@pytest.mark.integration
def test_graded_relevance_and_missing_run() -> None:
    m = ranking_metrics({"q1": {"a": 2, "b": 1}, "q2": {"c": 1}}, {"q1": ["b", "a"]})
    # ranx's nDCG uses the grade itself as gain (Järvelin & Kekäläinen)
    dcg = 1 / math.log2(2) + 2 / math.log2(3)
    idcg = 2 / math.log2(2) + 1 / math.log2(3)
    assert m["ndcg@10"] == pytest.approx((dcg / idcg + 0) / 2)
    assert m["recall@1"] == pytest.approx(0.5 / 2)


@pytest.mark.unit
def test_leak_rate_auroc_noanswer_and_latency() -> None:
    results = {"q1": ["bottrop", "common"], "q2": ["bottrop", "duisburg"], "q3": ["a"] * 5 + ["duisburg"]}
    allowed = {"q1": ["bottrop", "common"], "q2": ["bottrop", "common"], "q3": ["a"]}
    assert leak_rate(results, allowed, k=5) == pytest.approx(1 / 3)
    assert auroc([0.9, 0.8, 0.4], [0.5, 0.1]) == pytest.approx(5 / 6)
    assert auroc([0.5], [0.5]) == pytest.approx(0.5)
    assert math.isnan(auroc([], [0.1]))
    precision, recall = no_answer_precision_recall([0.9, 0.2, 0.3, 0.1], [True, False, True, False], 0.5)
    assert precision == pytest.approx(2 / 3) and recall == pytest.approx(1.0)
    assert percentile_ms([0.001, 0.002, 0.003], 50) == pytest.approx(2.0)


def write(path: Path, rows: list[object]) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.unit
def test_query_file_reports_unknown_articles_and_bad_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.jsonl",
        [
            {"id": "1", "city": "bottrop", "text": "Sperrmüll", "relevant": ["bottrop/sperrmuell"]},
            {"id": "2", "city": "bottrop", "text": "Hund", "relevant": ["bottrop/hund"]},
            "{broken",
            {"id": "1", "city": "essen", "text": "x", "relevant": []},
            {"id": "5", "city": "bottrop", "text": "x"},
        ],
    )
    with pytest.raises(QueryFileError) as err:
        load_queries(path, {"bottrop/sperrmuell"}, {"bottrop"})
    message = str(err.value)
    assert "q.jsonl:2: unknown article id(s) bottrop/hund" in message
    assert "q.jsonl:3: invalid JSON" in message
    assert "q.jsonl:4: duplicate query id '1'" in message and "unknown city 'essen'" in message
    assert "q.jsonl:5: missing field(s) relevant" in message


@pytest.mark.unit
def test_query_file_graded_and_unanswerable(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.jsonl",
        [
            {"id": "1", "city": "b", "text": "t", "relevant": {"b/x": 2, "b/y": 1}},
            {"id": "2", "city": "b", "text": "t", "relevant": []},
        ],
    )
    queries = load_queries(path)
    assert queries[0].relevant == {"b/x": 2, "b/y": 1} and queries[0].answerable
    assert not queries[1].answerable
