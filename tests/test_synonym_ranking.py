"""An article whose title or synonym the query contains word for word gets its own ranking in hybrid
search ("perso abgelaufen" is a synonym of the ID card article; the dense model may not know slang)."""

from __future__ import annotations

import pytest

from corpus.knowledge_base import KnowledgeBase
from corpus.passages import PassageSplitter, keyword_phrases
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.retrieval.retriever import HybridRetriever, RetrievalConfig, normalize_phrase

pytestmark = pytest.mark.unit


def test_keyword_phrases_are_the_title_and_the_synonyms(knowledge_base: KnowledgeBase) -> None:
    article = knowledge_base.articles["bottrop/sperrmuell"]
    keywords = PassageSplitter().split(article)[0]
    assert keyword_phrases(keywords) == [article.title, *article.synonyms]
    assert keyword_phrases(PassageSplitter().split(article)[1]) == []


def test_normalize_phrase() -> None:
    assert normalize_phrase("Perso abgelaufen!") == "perso abgelaufen"
    assert normalize_phrase("  Sofa-Entsorgen, bitte ") == "sofa entsorgen bitte"
    assert normalize_phrase("Müll") == "muell"


def test_a_synonym_said_word_for_word_ranks_its_article(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    index, _ = IndexBuilder(fake_encoder, IndexSettings(lexical_analyzer="char4")).refresh(knowledge_base)
    retriever = HybridRetriever(index, fake_encoder, knowledge_base.cities)
    scope = knowledge_base.cities.scope("bottrop")
    # "Sofa entsorgen" is a synonym of every city's Sperrmüll article: only the city's own counts.
    assert retriever.synonym_ranking("äh ich will mein sofa entsorgen, geht das", scope) == ["bottrop/sperrmuell"]
    assert retriever.named_articles("ich will mein sofa entsorgen", "dinslaken") == ["dinslaken/sperrmuell"]
    assert retriever.synonym_ranking("sofaentsorgen", scope) == []  # whole words only
    assert retriever.synonym_ranking("", scope) == []
    # The longest phrase first: "Hund anmelden" beats "Perso" when both are said.
    both = retriever.synonym_ranking("perso und hund anmelden", scope)
    assert both == ["bottrop/hundesteuer", "bottrop/personalausweis"]
    # With the lexical half off, the fake encoder's dense ranking knows nothing; the synonym decides.
    query = "ich will mein sofa entsorgen"
    for other in ("duisburg", "bottrop", "dinslaken"):
        dense_and_synonym = HybridRetriever(
            index, fake_encoder, knowledge_base.cities, RetrievalConfig(lexical_weight=0)
        )
        assert dense_and_synonym.search(query, other, k=1)[0].article_id == f"{other}/sperrmuell"
    assert RetrievalConfig(synonym_weight=0.0) != RetrievalConfig()
    off = HybridRetriever(index, fake_encoder, knowledge_base.cities, RetrievalConfig(synonym_weight=0.0))
    assert off.fusion_weights(query)["synonym"] == 0.0
