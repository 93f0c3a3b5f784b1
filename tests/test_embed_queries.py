"""A caller turn searches its window and its gist: the retriever embeds both in one encoder call and
answers both searches from its cache."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.encoder import Vectors
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.retrieval.retriever import HybridRetriever

pytestmark = pytest.mark.unit


class CountingEncoder(HashingFakeEncoder):
    def __init__(self) -> None:
        super().__init__(dimension=64)
        self.seen_batches: list[list[str]] = []

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        self.seen_batches.append(list(texts))
        return super().encode_queries(texts)


def test_several_queries_are_embedded_in_one_call_and_then_searched_from_the_cache(
    knowledge_base: KnowledgeBase,
) -> None:
    encoder = CountingEncoder()
    index, _ = IndexBuilder(encoder, IndexSettings(passage_max_tokens=128)).refresh(knowledge_base)
    retriever = HybridRetriever(index, encoder, knowledge_base.cities)
    window, gist = "ja also äh die alte couch muss weg  wie geht dat", "alte couch"
    expected = {q: HashingFakeEncoder(dimension=64).encode_queries([q])[0] for q in (window, gist)}
    encoder.seen_batches.clear()

    retriever.embed_queries([window, gist, window])
    assert encoder.seen_batches == [[" ".join(window.split()), gist]], "one call, each text once, normalized"
    city = knowledge_base.cities.keys[0]
    for query in (window, gist):
        assert retriever.search(query, city, k=3, mode="dense")
        assert np.allclose(retriever.embed_query(query), expected[query])
    assert len(encoder.seen_batches) == 1, "both searches answered from the cache"

    retriever.embed_queries([gist])
    assert len(encoder.seen_batches) == 1, "nothing left to embed"
