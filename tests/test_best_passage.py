"""The best passage of a hit (the section shown on its card) is computed in arrays; it must be the one the
reciprocal rank fusion of its sections' cosine and BM25 rankings picks, as written out with dicts here."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest

from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.encoder import Vectors
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.retrieval.fusion import reciprocal_rank_fusion
from embeddings.retrieval.retriever import HybridRetriever

pytestmark = pytest.mark.unit


def _reference(
    retriever: HybridRetriever, article_id: str, qvec: Vectors | None, lex: npt.NDArray[np.float32] | None
) -> int:
    index = retriever.index
    rows = [r for r in index.rows_by_article[article_id] if index.passages[r].kind == "section"]
    if not rows:
        return index.rows_by_article[article_id][0]
    rankings: dict[str, list[str]] = {}
    if qvec is not None:
        cos = index.vectors[rows] @ qvec
        rankings["dense"] = [str(rows[i]) for i in np.argsort(-cos)]
    if lex is not None:
        scores = lex[rows]
        if float(scores.max()) > 0:
            rankings["lexical"] = [str(rows[i]) for i in np.argsort(-scores)]
    if not rankings:
        return rows[0]
    fused = reciprocal_rank_fusion(rankings, {"dense": 1.0, "lexical": 1.0}, retriever.config.rrf_k)
    return int(max(fused, key=lambda r: (fused[r], -int(r))))


def test_the_best_passage_is_the_fused_ranking_winner(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    index, _ = IndexBuilder(fake_encoder, IndexSettings(lexical_analyzer="char4")).refresh(knowledge_base)
    retriever = HybridRetriever(index, fake_encoder, knowledge_base.cities)
    queries = ["sperrmüll sofa abholen", "was kostet der perso", "hund anmelden steuer", "öffnungszeiten", "xyz"]
    checked = 0
    for query in queries:
        qvec = retriever.embed_query(query)
        lex = index.lexical_scores(index.lexical.analyzer.tokens(query), list(knowledge_base.cities.keys))
        for article_id in index.rows_by_article:
            for dense, lexical in ((qvec, lex), (qvec, None), (None, lex), (None, None)):
                want = index.passages[_reference(retriever, article_id, dense, lexical)]
                assert retriever._best_passage(article_id, dense, lexical) == want
                checked += 1
    # Ties: equal cosines and no lexical score keep the earlier section, as the dict version does.
    article_id = next(a for a, rows in index.rows_by_article.items() if len(retriever.sections(a)) > 1)
    flat = np.zeros(index.vectors.shape[1], dtype=np.float32)
    assert retriever._best_passage(article_id, flat, None) == retriever.sections(article_id)[0]
    assert checked > 4 * len(queries)
    assert [p.kind for p in retriever.sections(article_id)] == ["section"] * len(retriever.sections(article_id))
    assert retriever.sections("no/such-article") == []


def test_a_search_without_best_passages_ranks_the_same_and_shows_each_articles_first_section(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    """The suggestion engine only ranks articles with its searches and reads each card's whole article
    for the answer, so it asks for no best passage (cheaper); the ranking and the scores stay the same."""
    index, _ = IndexBuilder(fake_encoder, IndexSettings(lexical_analyzer="char4")).refresh(knowledge_base)
    retriever = HybridRetriever(index, fake_encoder, knowledge_base.cities)
    elsewhere = 0  # full searches whose best passage is not the article's first section
    for query in ("sperrmüll sofa abholen", "was kostet der perso", "hund anmelden steuer", "bio tonne deckel"):
        for mode in ("dense", "lexical", "hybrid"):
            full = retriever.search(query, "bottrop", k=8, mode=mode)
            light = retriever.search(query, "bottrop", k=8, mode=mode, best_passage=False)
            assert [(h.article_id, h.score, h.dense_score, h.lexical_score) for h in full] == [
                (h.article_id, h.score, h.dense_score, h.lexical_score) for h in light
            ]
            assert all(h.passage == retriever.sections(h.article_id)[0] for h in light)
            elsewhere += sum(h.passage != retriever.sections(h.article_id)[0] for h in full)
    assert elsewhere > 0, "the test needs a query whose best passage is a later section"
