"""The fit of the answer sentence's weights (eval/highlight_fit.py), on synthetic triples."""

from __future__ import annotations

import pytest

from assistant.live.answer_extraction import ScoredUnit
from eval.highlight_fit import HighlightWeights, LabeledUnits, accuracy, cross_validated_accuracy, fit_weights


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
