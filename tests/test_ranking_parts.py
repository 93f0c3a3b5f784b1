"""Ranking parts: reciprocal rank fusion, lexical analyzers, BM25, confidence, the fake encoder."""

from __future__ import annotations

import math

import numpy as np
import pytest

from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.lexical_index import Bm25LexicalIndex
from embeddings.index.text_analysis import CharNgramAnalyzer, GermanStemAnalyzer, make_analyzer
from embeddings.retrieval.confidence import ConfidenceModel, load_confidence_models, save_confidence_models
from embeddings.retrieval.fusion import reciprocal_rank_fusion

pytestmark = pytest.mark.unit


def test_rrf_matches_hand_computed_values() -> None:
    fused = reciprocal_rank_fusion({"a": ["x", "y"], "b": ["y", "z"]}, {"a": 1.0, "b": 0.5}, k=60)
    assert fused["x"] == pytest.approx(1 / 61)
    assert fused["y"] == pytest.approx(1 / 62 + 0.5 / 61)
    assert fused["z"] == pytest.approx(0.5 / 62)
    assert reciprocal_rank_fusion({"a": ["x"]}, {"a": 0.0}) == {}
    with pytest.raises(ValueError):
        reciprocal_rank_fusion({"a": ["x"]}, {}, k=-1)


def test_char_ngrams_survive_split_compounds_and_fillers() -> None:
    analyzer = CharNgramAnalyzer(4)
    merged = set(analyzer.tokens("Personalausweis"))
    split = set(analyzer.tokens("äh also personal ausweis"))
    assert len(merged & split) / len(merged) > 0.7
    assert "_ae_" not in split  # fillers are dropped, umlauts folded
    assert analyzer.tokens("Müll") == ["_mue", "muel", "uell", "ell_"]
    assert analyzer.tokens("ja genau äh") == []


def test_stem_analyzer_and_factory() -> None:
    assert GermanStemAnalyzer().tokens("Hunde anmelden") == ["hund", "anmeld"]
    assert make_analyzer("char5").name == "char5"
    with pytest.raises(ValueError, match="Unknown lexical analyzer"):
        make_analyzer("soundex")


def test_bm25_scores_masking_and_upper_bound() -> None:
    index = Bm25LexicalIndex(make_analyzer("word"))
    index.build(["Hund anmelden Steuer", "Sperrmüll abholen", "Hund Katze Maus"])
    tokens = make_analyzer("word").tokens("Hund anmelden")
    scores = index.scores(tokens)
    assert scores[0] > scores[2] > 0 and scores[1] == 0
    masked = index.scores(tokens, np.array([False, True, True]))
    assert masked[0] == 0 and masked[2] == scores[2]
    upper = index.upper_bound(tokens)
    assert 0 < scores[0] / upper < 1
    assert index.scores(["unbekannt"]).sum() == 0


def test_confidence_is_a_probability_and_monotone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = ConfidenceModel(bias=-10, dense_weight=10, lexical_weight=5)
    assert model(1.0, None) == pytest.approx(0.5)
    assert model(0.9, 0.1) < model(0.95, 0.1) < model(0.95, 0.5)
    assert 0.0 <= model(-1.0, 0.0) <= model(10.0, 10.0) <= 1.0
    assert math.isclose(model(-1000, 0), 0.0, abs_tol=1e-12)
    path = tmp_path / "cal.json"
    save_confidence_models(path, {"hybrid": model}, note="test")
    assert load_confidence_models(path)["hybrid"] == model
    path.write_text("{not json")
    with pytest.raises(ValueError, match="unreadable"):
        load_confidence_models(path)


def test_fake_encoder_is_deterministic_and_normalized() -> None:
    a, b = HashingFakeEncoder(32), HashingFakeEncoder(32)
    va, vb = a.encode_queries(["Sperrmüll"]), b.encode_passages(["Sperrmüll"])
    assert np.array_equal(va, vb) and va.shape == (1, 32)
    assert np.isclose(np.linalg.norm(va), 1.0)
    near = float(a.encode_queries(["Sperrmüll anmelden"])[0] @ va[0])
    far = float(a.encode_queries(["Hundesteuer zahlen"])[0] @ va[0])
    assert near > far
    assert a.fingerprint != HashingFakeEncoder(32, seed="x").fingerprint
