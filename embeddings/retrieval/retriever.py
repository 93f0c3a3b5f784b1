"""City-scoped retrieval: dense, lexical or hybrid (reciprocal rank fusion), aggregated to articles.

``Retriever`` is the one protocol the rest of the project depends on (the live engine, call service,
gaps report and evaluation); ``HybridRetriever`` is its implementation over a ``PassageIndex``.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np
import numpy.typing as npt
from cachetools import LRUCache

from corpus.cities import CityDirectory
from corpus.models import Passage
from corpus.passages import keyword_phrases
from embeddings.encoders.encoder import Encoder, QueryQueue, Vectors
from embeddings.index.passage_index import PassageIndex
from embeddings.index.text_analysis import fold, written_german
from embeddings.index.vector_cache import PassageVectorCache
from embeddings.retrieval.confidence import ConfidenceModel, default_confidence_models
from embeddings.retrieval.foreign_terms import ForeignTermGlossary, default_glossary
from embeddings.retrieval.fusion import reciprocal_rank_fusion
from embeddings.retrieval.language import Language, detect_language
from embeddings.retrieval.split_words import SplitWordJoiner

SearchMode = Literal["hybrid", "dense", "lexical"]
SEARCH_MODES: tuple[SearchMode, ...] = ("hybrid", "dense", "lexical")


class EmptyQueryError(ValueError):
    """The query has no words to search for."""


@dataclass(frozen=True)
class ArticleHit:
    """One ranked article: its confidence, the passage that matched best and the raw signals."""

    article_id: str
    title: str
    city: str
    service: str
    score: float
    passage: Passage
    rank: int
    dense_score: float | None = None
    lexical_score: float | None = None


@dataclass(frozen=True)
class RetrievalConfig:
    mode: SearchMode = "hybrid"
    lexical_weight: float = 1.0
    dense_weight: float = 0.5
    rrf_k: int = 20
    # A query that is not German is searched lexically by the German words of the glossary terms it
    # contains (`foreign_terms.py`), with this weight relative to the dense one; without a glossary
    # term it is searched dense only.
    foreign_lexical_weight: float = 2.0
    # An article whose title or one of its synonyms the query contains word for word ("perso
    # abgelaufen") gets a third ranking in hybrid search with this weight (0: off).
    synonym_weight: float = 1.0
    candidates: int = 50
    confidence: dict[str, ConfidenceModel] = field(default_factory=default_confidence_models)
    query_cache_size: int = 2048
    # Words that speech recognition split are joined again before a query is searched, when the
    # joined word is one of the articles' ("grund steuer" -> "grundsteuer"; `split_words.py`).
    join_split_words: bool = True


@dataclass
class _QuerySignals:
    """What one query produced: its vector, its lexical tokens and the BM25 scores of every passage."""

    qvec: Vectors | None
    tokens: list[str]
    lex_scores: npt.NDArray[np.float32] | None = None
    lex_upper: float = 0.0


class Retriever(Protocol):
    """Finds the articles that answer a query, only among the city's articles and the common ones."""

    def search(
        self, query: str, city: str, k: int = 5, mode: SearchMode | None = None, best_passage: bool = True
    ) -> list[ArticleHit]:
        """The ``k`` best articles for ``query``. With ``best_passage=False`` each hit's ``passage`` is
        the article's first section instead of the one that matches best (cheaper: for callers that
        only rank articles, or that read the whole article anyway)."""
        ...

    def sections(self, article_id: str) -> list[Passage]:
        """The article's section passages in reading order (empty for an unknown article)."""
        ...

    def named_articles(self, query: str, city: str) -> list[str]:
        """The city's (and the common) articles whose title or a synonym ``query`` contains word for
        word, the longest phrase first (``synonym_ranking``; no forward pass)."""
        ...

    def article_vectors(self) -> dict[str, Vectors]:
        """Each article's vector: the normalized mean of its passage vectors."""
        ...

    def clear_query_cache(self) -> None:
        """Forget cached query vectors, so that a measurement pays for its own embeddings."""
        ...

    def embed_queries(self, queries: Sequence[str], wait: bool = True) -> None:
        """Embed several queries in one encoder call and keep their vectors for ``search`` (a caller
        turn searches its window and its gist: one request to the inference worker, not two). With
        ``wait=False`` it returns once the request is queued (where the encoder takes requests
        without waiting: the inference worker), so the caller can search lexically while the forward
        passes run; a ``search`` that needs one of these vectors waits for it."""
        ...

    def query_vectors(self, queries: Sequence[str], cached: bool = True) -> list[Vectors]:
        """Each query's vector (of its ``dense_text``; the same as ``search`` embeds), in one encoder call
        for those not cached. With ``cached=False`` (many texts embedded once, such as the answer examples'
        questions, which would push the calls' queries out of the query cache) they come from the stored
        query vectors where the retriever keeps them across starts, and the rest is embedded
        ``QUERY_CHUNK`` texts a request, so a call's query waits for one chunk at most."""
        ...

    def passage_vectors(self, texts: Sequence[str]) -> list[Vectors]:
        """Each text's vector embedded as a passage (an article's sentence, not a question), from the
        vectors the retriever keeps across starts where it keeps them; the rest embedded
        ``SENTENCE_CHUNK`` texts a request."""
        ...

    def prefetch(self, queries: Callable[[], Sequence[str]]) -> bool:
        """Start embedding queries that will probably be searched soon (a partial transcript's window),
        only where the encoder takes requests without waiting and has nothing else to do, so speculative
        work never queues before a real query: ``queries`` is called (the texts worked out) only then;
        True when it started. The vectors land in the query cache, and a ``search`` that needs one still
        in flight waits for it instead of embedding again."""
        ...


MIN_PHRASE_CHARS = 4
QUERY_CHUNK = 32  # texts per encoder request in ``query_vectors(..., cached=False)`` (the worker's live batch)
# Texts per encoder request in ``passage_vectors``. A passage request holds the inference worker until it is
# done, and each one costs about a second before its first text (the passage session is made for it and let
# go: inference.md). The demo's sentences took 106 s in requests of 32 on 2 cores; 1,024 of them 20 / 12 /
# 8.5 / 5.2 s in requests of 64 / 128 / 256 / 1,024. Requests of 512: the first start embeds the demo's in
# six, and a live query waits about 3 s at most behind one (a reload that brings thousands of new sentences).
SENTENCE_CHUNK = 512
log = logging.getLogger("souffleur.index")
_NOT_WORD = re.compile(r"[\W_]+")


def normalize_phrase(text: str) -> str:
    """Lower case, umlauts folded, punctuation as spaces: "Perso abgelaufen!" -> "perso abgelaufen"."""
    return " ".join(_NOT_WORD.sub(" ", fold(text.lower())).split())


def dense_text(query: str) -> str:
    """What the encoder embeds for a query: whitespace normalized and, for German, spoken Ruhr forms
    in written German ("wat kost dat" -> "was kost das"; the model learned written German). A query
    in another language stays as it is ("is" is English there)."""
    text = " ".join(query.split())
    return written_german(text) if detect_language(text) == "de" else text


class HybridRetriever:
    """Dense (FAISS) and lexical (BM25) passage search, each aggregated to articles by their best
    passage, fused with weighted reciprocal rank fusion. City scoping happens inside the index: only
    the partitions of the city and of the common folder are searched."""

    def __init__(
        self,
        index: PassageIndex,
        encoder: Encoder,
        cities: CityDirectory,
        config: RetrievalConfig | None = None,
        glossary: ForeignTermGlossary | None = None,
        query_store: PassageVectorCache | None = None,
        sentence_store: PassageVectorCache | None = None,
    ) -> None:
        """``query_store``: query vectors kept across starts for ``query_vectors(..., cached=False)`` (the
        answer examples' questions: embedding them at every start cost 3 s and about 80 MB of the
        encoder's memory; ``stored_query_vectors``). ``sentence_store``: the same for
        ``passage_vectors`` (the articles' sentences)."""
        self.index = index
        self.glossary = glossary or default_glossary()
        self._phrases = [
            (f" {phrase} ", passage.article_id, passage.city)
            for passage in index.passages
            for phrase in {normalize_phrase(p) for p in keyword_phrases(passage)}
            if len(phrase) >= MIN_PHRASE_CHARS
        ]
        self.split_words = SplitWordJoiner.from_texts(
            text for passage in index.passages for text in (passage.title, passage.text)
        )
        self.encoder = encoder
        self.query_store = query_store
        self.sentence_store = sentence_store
        self._store_lock = threading.Lock()
        self.cities = cities
        self.config = config or RetrievalConfig()
        self._query_cache: LRUCache[str, Vectors] = LRUCache(maxsize=max(1, self.config.query_cache_size))
        self._cache_lock = threading.Lock()  # LRUCache is not thread-safe: even a hit reorders it
        # Queries being embedded (``embed_queries(..., wait=False)``): the request's future and the row.
        self._pending: dict[str, tuple[Future[Vectors], int]] = {}
        # Per article, once per index: its rows and its section rows (reading order), as index arrays.
        self._rows = {a: np.asarray(rows, dtype=np.int64) for a, rows in index.rows_by_article.items()}
        self._section_rows = {
            a: np.asarray([r for r in rows if index.passages[r].kind == "section"], dtype=np.int64)
            for a, rows in index.rows_by_article.items()
        }

    def sections(self, article_id: str) -> list[Passage]:
        """The article's section passages in reading order."""
        rows = self._section_rows.get(article_id)
        return [] if rows is None else [self.index.passages[r] for r in rows.tolist()]

    def article_vectors(self) -> dict[str, Vectors]:
        vectors: dict[str, Vectors] = {}
        for article_id, rows in self.index.rows_by_article.items():
            mean = self.index.vectors[rows].mean(axis=0)
            norm = float(np.linalg.norm(mean))
            vectors[article_id] = (mean / norm if norm else mean).astype(np.float32)
        return vectors

    def joined(self, query: str) -> str:
        """The query with the words speech recognition split joined again, where the setting says so."""
        return self.split_words.join(query) if self.config.join_split_words else query

    def _dense_key(self, query: str) -> str:
        return dense_text(self.joined(query))

    def clear_query_cache(self) -> None:
        with self._cache_lock:
            self._query_cache.clear()

    def embed_queries(self, queries: Sequence[str], wait: bool = True) -> None:
        texts = [q for q in queries if q.strip()]
        if wait or not isinstance(self.encoder, QueryQueue):
            self._vectors(texts)
            return
        with self._cache_lock:
            keys = dict.fromkeys(self._dense_key(q) for q in texts)
            missing = [key for key in keys if key not in self._query_cache and key not in self._pending]
        if not missing:
            return
        future = self.encoder.submit(missing)
        with self._cache_lock:
            for row, key in enumerate(missing):
                self._pending[key] = (future, row)
        # Runs on the worker's thread when the vectors are there (here, if they already are).
        future.add_done_callback(lambda done: self._settle(missing, done))

    def prefetch(self, queries: Callable[[], Sequence[str]]) -> bool:
        if not isinstance(self.encoder, QueryQueue) or not self.encoder.idle():
            return False
        texts = queries()
        if texts:
            self.embed_queries(texts, wait=False)
        return bool(texts)

    def _settle(self, keys: list[str], done: Future[Vectors]) -> None:
        """A request of ``embed_queries(..., wait=False)`` is done: its vectors go to the cache (a failed
        one is embedded again by the search that needs it, so the error reaches that caller)."""
        vectors = None if done.cancelled() or done.exception() is not None else done.result()
        with self._cache_lock:
            for row, key in enumerate(keys):
                if self._pending.get(key, (None, 0))[0] is done:
                    del self._pending[key]
                if vectors is not None:
                    self._query_cache[key] = np.asarray(vectors[row], dtype=np.float32)

    def embed_query(self, query: str) -> Vectors:
        """The query vector, from a thread-safe LRU cache (partial transcripts repeat)."""
        return self._vectors([query])[0]

    def query_vectors(self, queries: Sequence[str], cached: bool = True) -> list[Vectors]:
        if cached:
            return self._vectors(queries)
        keys = [self._dense_key(q) for q in queries]
        return self._stored(keys, self.query_store, self.encoder.encode_queries, "query vectors", QUERY_CHUNK)

    def passage_vectors(self, texts: Sequence[str]) -> list[Vectors]:
        store, encode = self.sentence_store, self.encoder.encode_passages
        return self._stored(list(texts), store, encode, "sentence vectors", SENTENCE_CHUNK)

    def _stored(
        self,
        keys: list[str],
        store: PassageVectorCache | None,
        encode: Callable[[Sequence[str]], Vectors],
        what: str,
        chunk: int,
    ) -> list[Vectors]:
        """Each text's vector from ``store``; the missing ones embedded by ``encode`` ``chunk`` texts a
        request (a call's query waits for one chunk at most) and kept in ``store``."""
        with self._store_lock:
            found, missing = store.lookup(keys) if store else ({}, list(range(len(keys))))
        new = list(dict.fromkeys(keys[i] for i in missing))
        if len(new) > chunk and store is not None:  # a first start: say why it takes a while
            log.info("embedding %d %s, kept in %s for later starts", len(new), what, store.path.parent)
        embedded: dict[str, Vectors] = {}
        for start in range(0, len(new), chunk):
            texts = new[start : start + chunk]
            embedded.update(zip(texts, np.asarray(encode(texts), dtype=np.float32), strict=True))
        if new and store is not None:
            with self._store_lock:
                store.store(new, np.stack([embedded[key] for key in new]))
                try:
                    store.save()
                except OSError as exc:  # a read-only data folder: embedded again at the next start
                    log.warning("could not keep the %s in %s: %s", what, store.path, exc)
        return [found[i] if i in found else embedded[keys[i]] for i in range(len(keys))]

    def _vectors(self, queries: Sequence[str]) -> list[Vectors]:
        """Each query's vector (of its ``dense_text``), from the cache; the missing ones embedded in one
        encoder call, outside the lock, and cached."""
        keys = [self._dense_key(q) for q in queries]
        found: dict[str, Vectors] = {}
        waiting: dict[str, tuple[Future[Vectors], int]] = {}
        with self._cache_lock:
            for key in keys:
                cached = self._query_cache.get(key)
                if cached is not None:
                    found[key] = cached
                elif key in self._pending:
                    waiting[key] = self._pending[key]
        for key, (future, row) in waiting.items():  # being embedded already: wait for it
            with contextlib.suppress(Exception):  # a failed request: embedded again below, for this caller
                found[key] = np.asarray(future.result()[row], dtype=np.float32)
        missing = [key for key in dict.fromkeys(keys) if key not in found]
        if missing:
            vectors = np.asarray(self.encoder.encode_queries(missing), dtype=np.float32)
            with self._cache_lock:
                for key, vector in zip(missing, vectors, strict=True):
                    self._query_cache[key] = found[key] = vector
        return [found[key] for key in keys]

    def search(
        self, query: str, city: str, k: int = 5, mode: SearchMode | None = None, best_passage: bool = True
    ) -> list[ArticleHit]:
        if k < 1:
            raise ValueError("k must be at least 1")
        if not query or not query.strip():
            raise EmptyQueryError("The query is empty. Say what the caller asked, for example: Sperrmüll anmelden")
        mode = mode or self.config.mode
        if mode not in SEARCH_MODES:
            raise ValueError(f"Unknown mode '{mode}' (one of: {', '.join(SEARCH_MODES)})")
        scope = self.cities.scope(city)
        lexical = mode in ("lexical", "hybrid")
        query = self.joined(query)
        language = detect_language(query)
        signals = _QuerySignals(
            qvec=self.embed_query(query) if mode in ("dense", "hybrid") else None,
            tokens=self.index.lexical.analyzer.tokens(self._lexical_text(query, language)) if lexical else [],
        )
        if lexical and signals.tokens:
            signals.lex_scores = self.index.lexical_scores(signals.tokens, scope)
            signals.lex_upper = self.index.lexical.upper_bound(signals.tokens)
        rankings: dict[str, list[str]] = {}
        if signals.qvec is not None:
            rankings["dense"] = self._dense_ranking(signals.qvec, scope)
        if signals.lex_scores is not None:
            rankings["lexical"] = self._lexical_ranking(signals.lex_scores)
        if mode == "hybrid" and self.config.synonym_weight > 0:
            rankings["synonym"] = self.synonym_ranking(query, scope)
        weights = self._fusion_weights(language)
        fused = reciprocal_rank_fusion({n: r for n, r in rankings.items() if r}, weights, self.config.rrf_k)
        order = sorted(fused, key=lambda a: (-fused[a], a))[:k]
        return [
            self._hit(article_id, rank, mode, signals, best_passage) for rank, article_id in enumerate(order, start=1)
        ]

    def lexical_text(self, query: str) -> str:
        """What the German lexical index is searched with: the query itself, or for a query in
        another language the German words of the glossary terms it contains (maybe none)."""
        return self._lexical_text(query, detect_language(query))

    def _lexical_text(self, query: str, language: Language) -> str:
        return query if language == "de" else self.glossary.german_words(query, language)

    def fusion_weights(self, query: str) -> dict[str, float]:
        """The weights of the dense, lexical and synonym rankings for this query: a query in another
        language than German keeps the dense weight; its lexical half (the glossary's German words)
        counts ``foreign_lexical_weight`` times the dense weight."""
        return self._fusion_weights(detect_language(query))

    def _fusion_weights(self, language: Language) -> dict[str, float]:
        lexical = self.config.lexical_weight
        if language != "de" and self.config.dense_weight > 0:
            lexical = self.config.foreign_lexical_weight * self.config.dense_weight
        return {"dense": self.config.dense_weight, "lexical": lexical, "synonym": self.config.synonym_weight}

    def named_articles(self, query: str, city: str) -> list[str]:
        return self.synonym_ranking(self.joined(query), self.cities.scope(city))

    def synonym_ranking(self, query: str, scope: Sequence[str]) -> list[str]:
        """Articles of the scope whose title or a synonym the query contains word for word, the
        longest phrase first: the editors' own words for a matter deserve more than their share of
        n-grams, and the dense model may not know slang like "perso"."""
        said = f" {normalize_phrase(query)} "
        longest: dict[str, int] = {}
        for phrase, article_id, city in self._phrases:
            if city in scope and phrase in said:
                longest[article_id] = max(longest.get(article_id, 0), len(phrase))
        return sorted(longest, key=lambda a: (-longest[a], a))

    def _dense_ranking(self, qvec: Vectors, scope: Sequence[str]) -> list[str]:
        best: dict[str, float] = {}
        for row, score in self.index.dense_search(qvec, scope, self.config.candidates):
            article_id = self.index.passages[row].article_id
            best[article_id] = max(score, best.get(article_id, -1.0))
        return sorted(best, key=lambda a: -best[a])

    def _lexical_ranking(self, lex_scores: npt.NDArray[np.float32]) -> list[str]:
        best: dict[str, float] = {}
        for row in np.argsort(-lex_scores)[: self.config.candidates]:
            score = float(lex_scores[row])
            if score <= 0:
                break
            article_id = self.index.passages[int(row)].article_id
            best[article_id] = max(score, best.get(article_id, 0.0))
        return sorted(best, key=lambda a: -best[a])

    def _hit(
        self, article_id: str, rank: int, mode: SearchMode, signals: _QuerySignals, best_passage: bool = True
    ) -> ArticleHit:
        rows = self._rows[article_id]
        dense = float(np.max(self.index.vectors[rows] @ signals.qvec)) if signals.qvec is not None else None
        lexical = None
        if mode != "dense":
            lexical = 0.0
            if signals.lex_scores is not None and signals.lex_upper > 0:
                lexical = float(signals.lex_scores[rows].max()) / signals.lex_upper
        record = self.index.articles[article_id]
        return ArticleHit(
            article_id=article_id,
            title=record.title,
            city=record.city,
            service=record.service,
            score=round(self.config.confidence[mode](dense, lexical), 4),
            passage=self._best_passage(article_id, signals.qvec, signals.lex_scores)
            if best_passage
            else self._first_section(article_id),
            rank=rank,
            dense_score=dense,
            lexical_score=lexical,
        )

    def _first_section(self, article_id: str) -> Passage:
        """The article's first section passage (its first passage of any kind if it has no sections)."""
        rows = self._section_rows[article_id]
        return self.index.passages[int(rows[0] if len(rows) else self._rows[article_id][0])]

    def _best_passage(
        self, article_id: str, qvec: Vectors | None, lex_scores: npt.NDArray[np.float32] | None
    ) -> Passage:
        """The section passage that matches best: fused rank of its cosine and its BM25 score (reciprocal rank
        fusion with equal weights, as ``reciprocal_rank_fusion``, in arrays; a tie goes to the earlier row)."""
        rows = self._section_rows[article_id]
        if not len(rows):
            return self._first_section(article_id)
        fused: npt.NDArray[np.float64] | None = None
        if qvec is not None:
            fused = self._rank_points(np.argsort(-(self.index.vectors[rows] @ qvec)))
        if lex_scores is not None:
            lex = lex_scores[rows]
            if float(lex.max()) > 0:
                points = self._rank_points(np.argsort(-lex))
                fused = points if fused is None else fused + points
        if fused is None:
            return self._first_section(article_id)
        return self.index.passages[int(rows[int(np.argmax(fused))])]

    def _rank_points(self, order: npt.NDArray[np.intp]) -> npt.NDArray[np.float64]:
        """Each position's reciprocal-rank points ``1 / (rrf_k + rank)`` given the positions best first."""
        points = np.empty(len(order), dtype=np.float64)
        points[order] = 1.0 / (self.config.rrf_k + np.arange(1, len(order) + 1))
        return points
