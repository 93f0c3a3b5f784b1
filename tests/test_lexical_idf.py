"""BM25's upper bound (the lexical strength's scale) uses each indexed token's idf, worked out once; a
rebuilt index must not keep the old corpus's values."""

from __future__ import annotations

import math

import pytest

from embeddings.index.lexical_index import Bm25LexicalIndex
from embeddings.index.text_analysis import make_analyzer

pytestmark = pytest.mark.unit


def _idf(size: int, df: int) -> float:
    return math.log(1 + (size - df + 0.5) / (df + 0.5))


def test_the_upper_bound_is_the_same_each_time_and_follows_a_rebuild() -> None:
    index = Bm25LexicalIndex(make_analyzer("word"))
    index.build(["Hund anmelden Steuer", "Sperrmüll abholen", "Hund Katze Maus"])
    tokens = make_analyzer("word").tokens("Hund anmelden unbekannt")
    expected = (_idf(3, 2) + _idf(3, 1) + _idf(3, 0)) * (index.k1 + 1)
    assert index.upper_bound(tokens) == pytest.approx(expected)
    assert index.upper_bound(tokens) == index.upper_bound(tokens)
    index.build(["Hund", "Hund", "Hund", "Katze"])
    rebuilt = (_idf(4, 3) + _idf(4, 0) + _idf(4, 0)) * (index.k1 + 1)
    assert index.upper_bound(tokens) == pytest.approx(rebuilt)
