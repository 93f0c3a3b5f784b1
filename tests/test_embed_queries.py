"""A caller turn searches its window and its gist: the retriever embeds both in one encoder call and
answers both searches from its cache."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest

from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.encoder import QueryQueue, Vectors
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.index_store import query_vector_store
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.index.text_analysis import written_german
from embeddings.retrieval.retriever import QUERY_CHUNK, HybridRetriever, dense_text

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
    expected = {q: HashingFakeEncoder(dimension=64).encode_queries([dense_text(q)])[0] for q in (window, gist)}
    encoder.seen_batches.clear()

    retriever.embed_queries([window, gist, window])
    written = "ja also äh die alte couch muss weg wie geht das"
    assert encoder.seen_batches == [[written, gist]], "one call, each text once, normalized"
    city = knowledge_base.cities.keys[0]
    for query in (window, gist):
        assert retriever.search(query, city, k=3, mode="dense")
        assert np.allclose(retriever.embed_query(query), expected[query])
    assert len(encoder.seen_batches) == 1, "both searches answered from the cache"

    retriever.embed_queries([gist])
    assert len(encoder.seen_batches) == 1, "nothing left to embed"


def test_the_encoder_sees_spoken_ruhr_forms_as_written_german() -> None:
    spoken = "wat kost dat getz inne stadt? is dat teuer"
    assert written_german(spoken) == "was kost das jetzt in die stadt? ist das teuer"
    assert written_german("Dat Datum, nichts, gibt's, 2 n") == "das Datum, nichts, gibt's, 2 ein", "whole words only"
    assert dense_text("  wie   krich ich son ausweis ") == "wie kriege ich so ein ausweis"
    english = "where is the office and how much is it"
    assert dense_text(english) == english, "'is' is English in an English question"


def test_a_spoken_and_a_written_question_share_one_vector(knowledge_base: KnowledgeBase) -> None:
    encoder = CountingEncoder()
    index, _ = IndexBuilder(encoder, IndexSettings(passage_max_tokens=128)).refresh(knowledge_base)
    retriever = HybridRetriever(index, encoder, knowledge_base.cities)
    encoder.seen_batches.clear()
    spoken = retriever.embed_query("wat kost dat getz")
    assert encoder.seen_batches == [["was kost das jetzt"]]
    assert np.array_equal(retriever.embed_query("was kost das jetzt"), spoken)
    assert len(encoder.seen_batches) == 1, "the written form is the cache key"
    city = knowledge_base.cities.keys[0]
    spoken_hits = retriever.search("wat kost dat getz", city, k=3, mode="dense")
    written_hits = retriever.search("was kost das jetzt", city, k=3, mode="dense")
    assert [h.article_id for h in spoken_hits] == [h.article_id for h in written_hits]


class _LazyFuture(Future[Vectors]):
    """Computes its vectors when first asked for them (or when ``finish`` is called): stands for a forward
    pass still running when the search needs it, without threads or clocks."""

    def __init__(self, compute: Callable[[], Vectors]) -> None:
        super().__init__()
        self._compute = compute

    def finish(self) -> None:
        if not self.done():
            try:
                self.set_result(self._compute())
            except Exception as exc:
                self.set_exception(exc)

    def result(self, timeout: float | None = None) -> Vectors:
        self.finish()
        return super().result(timeout)


class QueueingEncoder(CountingEncoder):
    """A ``QueryQueue``: ``submit`` returns at once; the vectors come when the future is finished."""

    def __init__(self, fail: bool = False) -> None:
        super().__init__()
        self.submitted: list[_LazyFuture] = []
        self.fail = fail

    def submit(self, texts: Sequence[str]) -> Future[Vectors]:
        def compute() -> Vectors:
            if self.fail:
                raise RuntimeError("the pass failed")
            return self.encode_queries(texts)

        future = _LazyFuture(compute)
        self.submitted.append(future)
        return future

    def idle(self) -> bool:
        return all(f.done() for f in self.submitted)


def _retriever(knowledge_base: KnowledgeBase, encoder: CountingEncoder) -> HybridRetriever:
    index, _ = IndexBuilder(encoder, IndexSettings(passage_max_tokens=128)).refresh(knowledge_base)
    encoder.seen_batches.clear()
    return HybridRetriever(index, encoder, knowledge_base.cities)


def test_queued_queries_are_searched_lexically_before_their_vectors_exist_and_densely_after(
    knowledge_base: KnowledgeBase,
) -> None:
    encoder = QueueingEncoder()
    assert isinstance(encoder, QueryQueue)
    retriever = _retriever(knowledge_base, encoder)
    window, gist = "ja also äh die alte couch muss weg  wie geht dat", "alte couch"
    city = knowledge_base.cities.keys[0]
    expected = retriever.search(window, city, k=3, mode="dense")  # the way before: embedded on the spot
    retriever.clear_query_cache()
    encoder.seen_batches.clear()

    retriever.embed_queries([window, gist], wait=False)
    assert len(encoder.submitted) == 1 and not encoder.submitted[0].done(), "queued, not waited for"
    retriever.embed_queries([gist, window], wait=False)
    assert len(encoder.submitted) == 1, "texts in flight are not queued twice"
    assert retriever.search(window, city, k=3, mode="lexical")
    assert encoder.seen_batches == [], "a lexical search does not wait for the vectors"

    got = retriever.search(window, city, k=3, mode="dense")  # waits for the request in flight
    assert [(h.article_id, h.dense_score) for h in got] == [(h.article_id, h.dense_score) for h in expected]
    assert encoder.seen_batches == [[dense_text(window), gist]], "one pass for both texts"
    assert retriever.search(gist, city, k=3, mode="dense")
    retriever.embed_queries([window, gist], wait=False)
    assert len(encoder.seen_batches) == 1 and len(encoder.submitted) == 1, "both now from the cache"
    assert retriever._pending == {}


def test_a_failed_queued_request_is_embedded_again_by_the_search_that_needs_it(knowledge_base: KnowledgeBase) -> None:
    encoder = QueueingEncoder(fail=True)
    retriever = _retriever(knowledge_base, encoder)
    city = knowledge_base.cities.keys[0]
    retriever.embed_queries(["alte couch"], wait=False)
    encoder.submitted[0].finish()
    assert encoder.submitted[0].exception() is not None
    assert retriever._pending == {}, "a failed request leaves nothing behind"
    assert retriever.search("alte couch", city, k=3, mode="dense"), "embedded again, on the spot"
    assert encoder.seen_batches == [["alte couch"]]


def test_prefetch_embeds_ahead_only_while_the_encoder_is_idle_and_the_search_then_uses_it(
    knowledge_base: KnowledgeBase,
) -> None:
    encoder = QueueingEncoder()
    retriever = _retriever(knowledge_base, encoder)
    city = knowledge_base.cities.keys[0]
    asked: list[str] = []

    def texts(*found: str) -> Callable[[], list[str]]:
        def work_out() -> list[str]:
            asked.extend(found)
            return list(found)

        return work_out

    assert retriever.prefetch(texts("die alte couch muss weg", "alte couch"))
    assert len(encoder.submitted) == 1 and not encoder.idle(), "queued without waiting"
    assert not retriever.prefetch(texts("der perso is abgelaufen")), "busy: nothing speculative queues"
    assert asked == ["die alte couch muss weg", "alte couch"], "not even worked out while busy"
    assert retriever.search("die alte couch muss weg", city, k=3, mode="dense"), "waits for the pass in flight"
    assert encoder.seen_batches == [["die alte couch muss weg", "alte couch"]] and encoder.idle()
    assert retriever.search("alte couch", city, k=3, mode="dense")
    assert len(encoder.seen_batches) == 1, "both searched from what was embedded ahead"
    assert not retriever.prefetch(texts()), "nothing to embed: nothing started"
    plain = _retriever(knowledge_base, CountingEncoder())
    assert not plain.prefetch(texts("alte couch")), "an encoder that only embeds on the spot does not guess"


def test_without_a_queue_wait_false_embeds_at_once(knowledge_base: KnowledgeBase) -> None:
    encoder = CountingEncoder()
    assert not isinstance(encoder, QueryQueue)
    retriever = _retriever(knowledge_base, encoder)
    retriever.embed_queries(["alte couch"], wait=False)
    assert encoder.seen_batches == [["alte couch"]]


def test_a_search_waiting_on_a_request_that_fails_embeds_again(knowledge_base: KnowledgeBase) -> None:
    encoder = QueueingEncoder(fail=True)
    retriever = _retriever(knowledge_base, encoder)
    city = knowledge_base.cities.keys[0]
    retriever.embed_queries(["alte couch"], wait=False)
    assert not encoder.submitted[0].done()
    assert retriever.search("alte couch", city, k=3, mode="dense"), "the failure is not this search's end"
    assert encoder.seen_batches == [["alte couch"]] and retriever._pending == {}


def test_many_texts_past_the_cache_come_in_chunks_and_are_kept_across_starts(
    knowledge_base: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """``query_vectors(..., cached=False)``: the answer examples' questions, embedded once per model."""
    encoder = CountingEncoder()
    index, _ = IndexBuilder(encoder, IndexSettings(passage_max_tokens=128)).refresh(knowledge_base)
    texts = [f"frage nummer {n} wat kost dat" for n in range(QUERY_CHUNK + 5)]
    expected = HashingFakeEncoder(dimension=64).encode_queries([dense_text(t) for t in texts])

    def start() -> HybridRetriever:
        store = query_vector_store(tmp_path / "index", encoder)
        return HybridRetriever(index, encoder, knowledge_base.cities, query_store=store)

    encoder.seen_batches.clear()
    first = start().query_vectors([*texts, texts[0]], cached=False)
    assert [len(batch) for batch in encoder.seen_batches] == [QUERY_CHUNK, 5], "each text once, in chunks"
    assert np.allclose(np.stack(first), np.vstack([expected, expected[:1]]))
    encoder.seen_batches.clear()
    again = start()
    assert np.allclose(np.stack(again.query_vectors(texts, cached=False)), expected)
    assert encoder.seen_batches == [], "the next start reads them"
    assert len(again.query_vectors(["nur eine neue frage"], cached=False)) == 1
    assert encoder.seen_batches == [["nur eine neue frage"]]
    assert "nur eine neue frage" not in again._query_cache  # the calls' query cache is left alone

    # A folder that cannot be written: the vectors still come, with a warning, and are embedded again next time.
    (tmp_path / "ro").write_text("a file where the folder should be")
    blocked = HybridRetriever(
        index, encoder, knowledge_base.cities, query_store=query_vector_store(tmp_path / "ro", encoder)
    )
    with caplog.at_level(logging.WARNING, logger="souffleur.index"):
        assert len(blocked.query_vectors(texts[:2], cached=False)) == 2
    assert "could not keep the query vectors" in caplog.text
