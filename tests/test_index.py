"""The city-scoped index: search, city scoping, errors, confidence, snapshots on disk, incremental updates."""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from corpus.cities import CityDirectory
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from embeddings.encoders.encoder import ProgressCallback, Vectors
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.index_store import open_index, refresh_index
from embeddings.index.passage_index import (
    CURRENT_FILE,
    IndexBuilder,
    IndexSettings,
    MissingIndexError,
    PassageIndex,
    StaleIndexError,
)
from embeddings.retrieval.retriever import EmptyQueryError, HybridRetriever, RetrievalConfig
from tests.helpers import TOPICS, article_text

pytestmark = pytest.mark.unit
SETTINGS = IndexSettings(lexical_analyzer="char4", passage_max_tokens=128)


class SpyEncoder(HashingFakeEncoder):
    """Counts which passages it was asked to embed."""

    def __init__(self) -> None:
        super().__init__(dimension=64)
        self.embedded: list[str] = []

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        self.embedded.extend(texts)
        return super().encode_passages(texts, progress)


def build(kb: KnowledgeBase, encoder: HashingFakeEncoder, settings: IndexSettings = SETTINGS) -> HybridRetriever:
    index, _ = IndexBuilder(encoder, settings).refresh(kb)
    return HybridRetriever(index, encoder, kb.cities)


def test_search_finds_the_city_article(knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder) -> None:
    retriever = build(knowledge_base, fake_encoder)
    for mode in ("hybrid", "dense", "lexical"):
        hits = retriever.search("Sperrmüll alte Möbel abholen", "bottrop", k=3, mode=mode)  # type: ignore[arg-type]
        assert hits[0].article_id == "bottrop/sperrmuell", mode
        assert hits[0].city == "bottrop" and hits[0].service == "sperrmuell"
        assert 0.0 <= hits[0].score <= 1.0
        assert hits[0].passage.kind == "section"
    common = retriever.search("GEZ Rundfunkbeitrag Beitragsservice", "dinslaken", k=1)
    assert common[0].article_id == "common/rundfunkbeitrag"


def test_city_scoping_holds_for_many_queries(knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder) -> None:
    retriever = build(knowledge_base, fake_encoder)
    words = sorted({w for title, syn, body in TOPICS.values() for w in f"{title} {' '.join(syn)} {body}".split()})
    words += ["Duisburg", "Bottrop", "Dinslaken", "Rundfunkbeitrag"]
    rng = random.Random(7)
    queries = [" ".join(rng.sample(words, rng.randint(1, 6))) for _ in range(150)]
    checked = 0
    for query, city, mode in itertools.product(queries, ("duisburg", "bottrop", "dinslaken"), ("hybrid", "dense")):
        for hit in retriever.search(query, city, k=20, mode=mode):  # type: ignore[arg-type]
            assert hit.city in (city, "common"), (query, city, hit.article_id)
            checked += 1
    assert checked > 1000


def test_city_scoping_holds_with_the_approximate_index(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    settings = IndexSettings(lexical_analyzer="char4", passage_max_tokens=128, approximate_above=2)
    retriever = build(knowledge_base, fake_encoder, settings)
    assert all(index.is_approximate for index in retriever.index.dense.values())
    for city in ("duisburg", "bottrop"):
        hits = retriever.search(f"Sperrmüll in {city}", city, k=10)
        assert hits and all(h.city in (city, "common") for h in hits)


def test_bad_queries_and_cities_get_clear_errors(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    retriever = build(knowledge_base, fake_encoder)
    with pytest.raises(EmptyQueryError):
        retriever.search("   ", "bottrop")
    with pytest.raises(Exception, match="Known cities: duisburg, bottrop, dinslaken"):
        retriever.search("Sperrmüll", "essen")
    with pytest.raises(ValueError, match="k must be at least 1"):
        retriever.search("Sperrmüll", "bottrop", k=0)
    assert retriever.search("äh also ja", "bottrop", mode="lexical") == []


def test_confidence_means_the_same_across_queries(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    retriever = build(knowledge_base, fake_encoder)
    good = retriever.search("Sperrmüll anmelden alte Möbel Sofa entsorgen", "bottrop", k=1)[0]
    bad = retriever.search("Handyvertrag kündigen Vodafone", "bottrop", k=1)[0]
    assert good.score > bad.score
    assert good.dense_score is not None and good.lexical_score is not None
    assert 0.0 <= good.lexical_score <= 1.0


def test_save_load_roundtrip_and_manifest(knowledge_base: KnowledgeBase, tmp_path: Path) -> None:
    encoder = HashingFakeEncoder(dimension=64)
    index, report = refresh_index(tmp_path / "idx", knowledge_base, encoder, SETTINGS)
    assert report.full_rebuild and len(report.added) == 13
    loaded = PassageIndex.load(tmp_path / "idx")
    manifest = loaded.manifest
    assert manifest.model_id == encoder.model_id and manifest.model_fingerprint == encoder.fingerprint
    assert manifest.dimension == 64 and manifest.passage_count == len(index.passages)
    assert manifest.corpus_fingerprint and manifest.built_at and "faiss-cpu" in manifest.versions
    assert np.allclose(loaded.vectors, index.vectors)
    assert loaded.check(encoder, knowledge_base, SETTINGS) is None
    snapshots = [p for p in (tmp_path / "idx").iterdir() if p.name.startswith("snap-")]
    assert len(snapshots) == 1 and (tmp_path / "idx" / CURRENT_FILE).read_text() == snapshots[0].name
    q = HybridRetriever(loaded, encoder, knowledge_base.cities).search("Hund anmelden Hundemarke", "duisburg", k=1)
    assert q[0].article_id == "duisburg/hundesteuer"


def test_index_of_another_model_is_refused_or_rebuilt(knowledge_base: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    refresh_index(folder, knowledge_base, HashingFakeEncoder(dimension=64), SETTINGS)
    other = HashingFakeEncoder(dimension=32)
    with pytest.raises(StaleIndexError, match=r"fake-hashing-64.*fake-hashing-32"):
        open_index(folder, knowledge_base, other, SETTINGS, on_stale="fail")
    index, report = open_index(folder, knowledge_base, other, SETTINGS, on_stale="refresh")
    assert report is not None and report.full_rebuild and "fake-hashing-64" in report.reason
    assert index.vectors.shape[1] == 32
    assert PassageIndex.read_manifest(folder).model_fingerprint == other.fingerprint


def test_changed_settings_make_the_index_stale(knowledge_base: KnowledgeBase, tmp_path: Path) -> None:
    encoder = HashingFakeEncoder(dimension=64)
    refresh_index(tmp_path / "idx", knowledge_base, encoder, SETTINGS)
    stem = IndexSettings(lexical_analyzer="stem", passage_max_tokens=128)
    with pytest.raises(StaleIndexError, match="settings"):
        open_index(tmp_path / "idx", knowledge_base, encoder, stem, on_stale="fail")


def test_outdated_corpus_is_detected_and_missing_index_is_clear(
    knowledge_dir: Path, knowledge_base: KnowledgeBase, tmp_path: Path
) -> None:
    encoder = HashingFakeEncoder(dimension=64)
    with pytest.raises(MissingIndexError, match="souffleur index"):
        open_index(tmp_path / "idx", knowledge_base, encoder, SETTINGS, on_stale="fail")
    refresh_index(tmp_path / "idx", knowledge_base, encoder, SETTINGS)
    (knowledge_dir / "bottrop" / "neu.md").write_text(article_text("Neu", "neu", "Ganz neuer Inhalt."))
    changed = load_knowledge_base(knowledge_dir)
    with pytest.raises(StaleIndexError, match="knowledge base changed"):
        open_index(tmp_path / "idx", changed, encoder, SETTINGS, on_stale="fail")


def test_updating_one_article_embeds_only_that_article(knowledge_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    refresh_index(folder, load_knowledge_base(knowledge_dir), SpyEncoder(), SETTINGS)
    path = knowledge_dir / "bottrop" / "hundesteuer.md"
    path.write_text(article_text("Hundesteuer in Bottrop", "hundesteuer", "Neue Regeln für Hundehalter ab 2027."))
    (knowledge_dir / "dinslaken" / "anmeldung.md").unlink()
    spy = SpyEncoder()
    index, report = refresh_index(folder, load_knowledge_base(knowledge_dir), spy, SETTINGS)
    assert report.updated == ["bottrop/hundesteuer"] and report.removed == ["dinslaken/anmeldung"]
    assert report.added == [] and report.unchanged == 11 and not report.full_rebuild
    assert spy.embedded and all("Hundesteuer in Bottrop" in text for text in spy.embedded)
    assert "dinslaken/anmeldung" not in index.articles
    hits = HybridRetriever(index, spy, index_cities(knowledge_dir)).search("Regeln für Hundehalter 2027", "bottrop")
    assert hits[0].article_id == "bottrop/hundesteuer" and "2027" in hits[0].passage.text
    unchanged_spy = SpyEncoder()
    _, again = refresh_index(folder, load_knowledge_base(knowledge_dir), unchanged_spy, SETTINGS)
    assert not again.changed and unchanged_spy.embedded == []


def index_cities(knowledge_dir: Path) -> CityDirectory:
    return load_knowledge_base(knowledge_dir).cities


def test_retrieval_config_weights_change_the_fusion(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    index, _ = IndexBuilder(fake_encoder, SETTINGS).refresh(knowledge_base)
    lexical_only = HybridRetriever(index, fake_encoder, knowledge_base.cities, RetrievalConfig(dense_weight=0.0))
    pure = lexical_only.search("Umzug neue Wohnung", "duisburg", k=4)
    reference = lexical_only.search("Umzug neue Wohnung", "duisburg", k=4, mode="lexical")
    assert [h.article_id for h in pure] == [h.article_id for h in reference]


def test_the_saved_bm25_index_scores_like_a_rebuilt_one(knowledge_base: KnowledgeBase, tmp_path: Path) -> None:
    import shutil

    index, _ = refresh_index(tmp_path / "idx", knowledge_base, HashingFakeEncoder(dimension=64), SETTINGS)
    snapshot = PassageIndex.snapshot(tmp_path / "idx")
    assert (snapshot / "lexical").is_dir()
    loaded = PassageIndex.load(tmp_path / "idx")
    queries = ["Hund anmelden Hundemarke", "sperrmüll abholung termin", "personalausweis verloren", "xyzzy"]
    for query in queries:
        tokens = loaded.lexical.analyzer.tokens(query)
        scope = ["duisburg", "bottrop"]
        assert np.array_equal(loaded.lexical_scores(tokens, scope), index.lexical_scores(tokens, scope))
        assert loaded.lexical.upper_bound(tokens) == index.lexical.upper_bound(tokens)
    shutil.rmtree(snapshot / "lexical")  # a snapshot written before the BM25 index was saved
    rebuilt = PassageIndex.load(tmp_path / "idx")
    tokens = rebuilt.lexical.analyzer.tokens(queries[0])
    assert np.array_equal(rebuilt.lexical_scores(tokens, ["duisburg"]), index.lexical_scores(tokens, ["duisburg"]))
