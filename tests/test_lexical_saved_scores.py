"""A saved BM25 index is scored from bm25s's arrays without bm25s (faster cold start): the same numbers
as bm25s itself gives, before and after a save of the loaded index."""

from __future__ import annotations

import json
from pathlib import Path

import bm25s
import numpy as np
import pytest

from corpus.knowledge_base import KnowledgeBase
from embeddings.index.lexical_index import Bm25LexicalIndex, SavedBm25Scores
from embeddings.index.text_analysis import make_analyzer

pytestmark = pytest.mark.unit

QUERIES = [
    "Sperrmüll anmelden alte Möbel",
    "Hundesteuer Hund anmelden",
    "perso",
    "Personalausweis beantragen Termin Bürgerbüro Personalausweis",  # a repeated word counts twice
    "zzzz qqqq",  # nothing known
]


def _texts(knowledge_base: KnowledgeBase) -> list[str]:
    return [f"{a.title} {section.text}" for a in knowledge_base.published for section in a.sections]


@pytest.mark.parametrize("analyzer", ["char4", "word"])
def test_saved_scores_are_bm25s_scores(knowledge_base: KnowledgeBase, tmp_path: Path, analyzer: str) -> None:
    built = Bm25LexicalIndex(make_analyzer(analyzer))
    built.build(_texts(knowledge_base))
    built.save(tmp_path / "lexical")
    loaded = Bm25LexicalIndex.load(tmp_path / "lexical", make_analyzer(analyzer))
    assert loaded is not None and isinstance(loaded._bm25, SavedBm25Scores)
    reference = bm25s.BM25.load(str(tmp_path / "lexical"))
    allowed = np.arange(len(built)) % 2 == 0
    for query in QUERIES:
        tokens = make_analyzer(analyzer).tokens(query)
        known = [t for t in tokens if t in built._df]
        expected = reference.get_scores(known) if known else np.zeros(len(built), dtype=np.float32)
        assert np.array_equal(loaded.scores(tokens), expected), query
        assert np.array_equal(loaded.scores(tokens), built.scores(tokens)), query
        assert np.array_equal(loaded.scores(tokens, allowed), built.scores(tokens, allowed)), query
    loaded.save(tmp_path / "again")  # a loaded index saves what it loaded
    again = Bm25LexicalIndex.load(tmp_path / "again", make_analyzer(analyzer))
    assert again is not None
    for query in QUERIES:
        tokens = make_analyzer(analyzer).tokens(query)
        assert np.array_equal(again.scores(tokens), built.scores(tokens)), query


def test_methods_with_a_non_occurrence_term_are_left_to_bm25s(tmp_path: Path) -> None:
    built = Bm25LexicalIndex(make_analyzer("word"))
    built.build(["Hund anmelden Steuer", "Sperrmüll abholen", "Hund Katze Maus"])
    built.save(tmp_path)
    assert SavedBm25Scores.load(tmp_path) is not None
    params = json.loads((tmp_path / "params.index.json").read_text())
    (tmp_path / "params.index.json").write_text(json.dumps({**params, "method": "bm25l"}))
    assert SavedBm25Scores.load(tmp_path) is None
    assert SavedBm25Scores.load(tmp_path / "missing") is None
