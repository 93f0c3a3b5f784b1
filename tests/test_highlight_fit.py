"""The fit of the answer sentence's weights (eval/highlight_fit.py), on synthetic triples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.live.answer_extraction import ScoredUnit
from eval.highlight_fit import (
    HighlightWeights,
    LabeledQuestion,
    LabeledUnits,
    accuracy,
    cross_validated_accuracy,
    fit_weights,
    read_labels,
)


def unit(overlap: float, kind: float, position: float) -> ScoredUnit:
    return ScoredUnit(text="x", passage=0, index=0, overlap=overlap, answers_kind=kind, position=position)


def triples(count: int) -> list[LabeledUnits]:
    """Half the questions ask for a kind of answer: the right unit gives it but shares fewer words
    than a wrong unit late in the article. In the other half the right unit shares the most words."""
    asks_kind = [unit(0.0, 0.0, 0.0), unit(0.4, 1.0, 0.3), unit(1.0, 0.0, 0.9)]
    asks_words = [unit(0.3, 0.0, 0.0), unit(1.0, 0.0, 0.5), unit(0.2, 0.0, 0.9)]
    return [
        LabeledUnits(f"call-{i % 7}", asks_kind if i % 2 else asks_words, [False, True, False]) for i in range(count)
    ]


@pytest.mark.unit
def test_the_fit_learns_to_prefer_the_kind_of_answer_over_more_shared_words() -> None:
    data = triples(30)
    assert accuracy(data, HighlightWeights(0.0, 0.0)) == 0.5, "word overlap alone picks the late wrong unit"
    fitted = fit_weights(data)
    assert fitted.type_weight > 0 and fitted.position_weight > 0
    assert accuracy(data, fitted) == 1.0
    assert cross_validated_accuracy(data) == 1.0


@pytest.mark.unit
def test_the_fit_refuses_triples_without_a_right_unit() -> None:
    with pytest.raises(ValueError, match="nothing to fit"):
        fit_weights([LabeledUnits("c", [unit(1.0, 0.0, 0.0)], [False])])
    assert accuracy([], HighlightWeights(1.0, 1.0)) == 0.0


@pytest.mark.unit
def test_labels_are_read_per_split_and_a_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    good = {"split": "tune", "call_id": "c1", "turn": 3, "article_id": "bottrop/x", "question": "q", "sentences": ["s"]}
    rows = [good, {**good, "split": "test"}, {**good, "answerable": False, "sentences": []}]
    path = tmp_path / "labels.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    assert read_labels(path, "tune") == [LabeledQuestion("c1", "q", "bottrop/x", ["s"])]
    for bad in ("{not json", json.dumps({**good, "question": None} | {"call_id": None}) + "x", json.dumps([1, 2])):
        path.write_text(json.dumps(good) + "\n" + bad + "\n", encoding="utf-8")
        with pytest.raises(ValueError, match=r"labels\.jsonl:2: needs a JSON object"):
            read_labels(path, "tune")
    path.write_text(json.dumps({k: v for k, v in good.items() if k != "sentences"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":1: needs"):
        read_labels(path, "tune")
