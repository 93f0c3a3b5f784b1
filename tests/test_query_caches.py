"""The query-vector caches are shared by request threads: hammer them from many threads at once.

Integration tier: a stress test whose run time follows the machine's load (1 s on a quiet machine,
5 s on a busy one), as it forces a thread switch every microsecond."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

import numpy as np
import pytest

from assistant.gaps.embedding_cache import CachedQueryEmbedder
from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.retrieval.retriever import HybridRetriever, RetrievalConfig

pytestmark = pytest.mark.integration

THREADS = 16
ROUNDS = 300


def hammer(work: Callable[[int, int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, so that races show

    def run(worker: int) -> None:
        start.wait()
        try:
            for i in range(ROUNDS):
                work(worker, i)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    sys.setswitchinterval(interval)
    return errors


def test_retriever_query_cache_survives_many_threads(knowledge_base: KnowledgeBase) -> None:
    encoder = HashingFakeEncoder(dimension=64)
    index, _ = IndexBuilder(encoder, IndexSettings(passage_max_tokens=128)).refresh(knowledge_base)
    # A tiny cache, so that almost every lookup also evicts: the race of the hand-written LRU.
    retriever = HybridRetriever(index, encoder, knowledge_base.cities, RetrievalConfig(query_cache_size=2))
    queries = [f"sperrmüll anmelden {n}" for n in range(3)]
    expected = {q: encoder.encode_queries([q])[0] for q in queries}

    def work(worker: int, i: int) -> None:
        query = queries[(worker + i) % len(queries)]
        assert np.allclose(retriever.embed_query(query), expected[query])
        if i % 97 == 0:
            retriever.clear_query_cache()

    assert hammer(work) == []


def test_gaps_embedding_cache_survives_many_threads() -> None:
    encoder = HashingFakeEncoder(dimension=32)
    cache = CachedQueryEmbedder(encoder, max_entries=3, batch_size=2)
    texts = [f"anliegen {n}" for n in range(10)]

    def work(worker: int, i: int) -> None:
        batch = [texts[(worker + i + j) % len(texts)] for j in range(3)]
        assert np.allclose(cache.embed(batch), encoder.encode_queries(batch))

    assert hammer(work) == []
