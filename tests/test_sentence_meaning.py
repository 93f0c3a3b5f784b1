"""The answer sentence counts what each sentence of the article means against what the caller's question
means (``SENTENCE_WEIGHT``): a question in words the article does not use still finds its sentence."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.utterance_analysis import content_words
from corpus.knowledge_base import KnowledgeBase
from corpus.models import Passage
from corpus.passages import PassageSplitter
from embeddings.encoders.encoder import Vectors
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.index_store import sentence_vector_store
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.index.text_analysis import make_analyzer
from embeddings.retrieval.retriever import SENTENCE_CHUNK, HybridRetriever, Retriever

pytestmark = pytest.mark.unit

ARTICLE = "duisburg/personalausweis"
# A unit of the test articles as embedded, with its section heading (the second of three).
MEANT = "Das Wichtigste: Gilt in Duisburg."
ANSWERED_BY = "Gilt in Duisburg."
# Shares no word with the article and asks for no kind of answer the extractor knows.
QUESTION = "und bei sowas hab ich echt null plan"
DIMENSION = 16


def _axis(n: int) -> list[float]:
    vector = [0.0] * DIMENSION
    vector[n] = 1.0
    return vector


class _Meanings:
    """A retriever's ``query_vectors`` and ``passage_vectors`` with chosen vectors: the question's content
    words mean what MEANT means; every other text gets a vector of its own (by hash), and
    every request is recorded."""

    def __init__(self) -> None:
        self.chosen = {" ".join(content_words(QUESTION)): _axis(0), MEANT: _axis(0)}
        self.passage_requests: list[list[str]] = []
        self.query_requests: list[list[str]] = []

    def _vector(self, text: str) -> Vectors:
        return np.asarray(self.chosen.get(text, _axis(1 + hash(text) % (DIMENSION - 1))), dtype=np.float32)

    def query_vectors(self, queries: Sequence[str], cached: bool = True) -> list[Vectors]:
        self.query_requests.append(list(queries))
        return [self._vector(q) for q in queries]

    def passage_vectors(self, texts: Sequence[str]) -> list[Vectors]:
        self.passage_requests.append(list(texts))
        return [self._vector(t) for t in texts]


def _extractor(kb: KnowledgeBase, sentence_meaning: bool) -> tuple[AnswerExtractor, _Meanings, list[Passage]]:
    passages = [p for a in kb.articles.values() for p in PassageSplitter().split(a)]
    meanings = _Meanings()
    extractor = AnswerExtractor(
        make_analyzer("char4"), passages, (), cast(Retriever, meanings), 0.0, sentence_meaning=sentence_meaning
    )
    return extractor, meanings, [p for p in passages if p.article_id == ARTICLE and p.kind == "section"]


def test_a_question_in_other_words_highlights_the_sentence_that_means_it(knowledge_base: KnowledgeBase) -> None:
    words_alone, unused, sections = _extractor(knowledge_base, sentence_meaning=False)
    assert words_alone.extract(QUESTION, sections[0], sections).answer != ANSWERED_BY  # the article's first sentence
    assert unused.passage_requests == [] and unused.query_requests == []  # nothing embedded

    extractor, meanings, _ = _extractor(knowledge_base, sentence_meaning=True)
    # Every unit of every passage embedded once, at construction, with its section heading.
    assert len(meanings.passage_requests) == 1 and MEANT in meanings.passage_requests[0]
    assert extractor.extract(QUESTION, sections[0], sections).answer == ANSWERED_BY
    assert meanings.query_requests == [[" ".join(content_words(QUESTION))]]  # the question's content words
    assert len(meanings.passage_requests) == 1, "the sentences are not embedded again"


def test_a_sentence_the_extractor_was_not_built_with_is_embedded_when_asked(knowledge_base: KnowledgeBase) -> None:
    extractor, meanings, sections = _extractor(knowledge_base, sentence_meaning=True)
    edited = [Passage(**{**vars(p), "text": f"{p.text} Neu."}) for p in sections]
    extractor.extract(QUESTION, edited[0], edited)
    assert len(meanings.passage_requests) == 2 and any("Neu." in t for t in meanings.passage_requests[1])
    extractor.extract(QUESTION, edited[0], edited)
    assert len(meanings.passage_requests) == 2, "kept: the next card of the edited passages embeds nothing"


class _PassageCounter(HashingFakeEncoder):
    def __init__(self) -> None:
        super().__init__(dimension=64)
        self.passage_batches: list[list[str]] = []

    def encode_passages(self, texts: Sequence[str], progress: object = None) -> Vectors:
        self.passage_batches.append(list(texts))
        return super().encode_passages(texts)


def test_sentence_vectors_are_embedded_as_passages_in_chunks_and_kept_across_starts(
    knowledge_base: KnowledgeBase, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    encoder = _PassageCounter()
    index, _ = IndexBuilder(encoder, IndexSettings(passage_max_tokens=128)).refresh(knowledge_base)
    texts = [f"Satz Nummer {n}: Die Gebühr beträgt {n} Euro." for n in range(SENTENCE_CHUNK + 3)]
    expected = HashingFakeEncoder(dimension=64).encode_passages(texts)

    def start(folder: Path) -> HybridRetriever:
        store = sentence_vector_store(folder, encoder)
        return HybridRetriever(index, encoder, knowledge_base.cities, sentence_store=store)

    encoder.passage_batches.clear()
    assert np.allclose(np.stack(start(tmp_path / "index").passage_vectors(texts)), expected)
    assert [len(batch) for batch in encoder.passage_batches] == [SENTENCE_CHUNK, 3], "as passages, in chunks"
    encoder.passage_batches.clear()
    assert np.allclose(np.stack(start(tmp_path / "index").passage_vectors(texts)), expected)
    assert encoder.passage_batches == [], "the next start reads them"

    (tmp_path / "ro").write_text("a file where the folder should be")
    with caplog.at_level(logging.WARNING, logger="souffleur.index"):
        assert len(start(tmp_path / "ro").passage_vectors(texts[:2])) == 2
    assert "could not keep the sentence vectors" in caplog.text
