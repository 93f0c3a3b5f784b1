"""Open the saved index for serving: never hand out vectors that do not match model and corpus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.encoder import Encoder
from embeddings.index.passage_index import (
    IndexBuilder,
    IndexSettings,
    MissingIndexError,
    PassageIndex,
    RefreshReport,
    StaleIndexError,
)
from embeddings.index.vector_cache import PassageVectorCache

StalePolicy = Literal["refresh", "fail"]
VECTOR_CACHE = "vector-cache"  # beside the snapshots: passage vectors by model and text (vector_cache.py)


def query_vector_store(folder: Path, encoder: Encoder) -> PassageVectorCache:
    """Query vectors kept across starts beside the passage vectors, by model
    (``<folder>/vector-cache/<fingerprint>.queries.npz``): texts embedded as queries that every start
    needs, such as the answer examples' questions (``HybridRetriever.query_vectors(..., cached=False)``)."""
    return PassageVectorCache(folder / VECTOR_CACHE, f"{encoder.fingerprint}.queries", encoder.dimension)


def sentence_vector_store(folder: Path, encoder: Encoder) -> PassageVectorCache:
    """Article sentences and list items embedded as passages, kept across starts beside the passage vectors,
    by model (``<folder>/vector-cache/<fingerprint>.sentences.npz``): what the answer sentence compares
    with the caller's question by meaning (``HybridRetriever.passage_vectors``)."""
    return PassageVectorCache(folder / VECTOR_CACHE, f"{encoder.fingerprint}.sentences", encoder.dimension)


def refresh_index(
    folder: Path,
    knowledge_base: KnowledgeBase,
    encoder: Encoder,
    settings: IndexSettings,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[PassageIndex, RefreshReport]:
    """Bring the index in ``folder`` up to date with the knowledge base and save it if anything changed."""
    try:
        previous: PassageIndex | None = PassageIndex.load(folder)
    except (MissingIndexError, StaleIndexError):
        previous = None
    cache = PassageVectorCache(folder / VECTOR_CACHE, encoder.fingerprint, encoder.dimension)
    index, report = IndexBuilder(encoder, settings, cache).refresh(knowledge_base, previous, progress)
    if report.changed or previous is None:
        index.save(folder)
    return index, report


def open_index(
    folder: Path,
    knowledge_base: KnowledgeBase,
    encoder: Encoder,
    settings: IndexSettings,
    on_stale: StalePolicy = "refresh",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[PassageIndex, RefreshReport | None]:
    """Load the index; when it is missing or stale, refresh it (``on_stale='refresh'``) or fail clearly."""
    try:
        index = PassageIndex.load(folder)
        problem = index.check(encoder, knowledge_base, settings)
    except MissingIndexError as exc:
        if on_stale == "fail":
            raise
        problem = str(exc)
    if problem is None:
        return index, None
    if on_stale == "fail":
        raise StaleIndexError(f"The index in {folder.resolve()} is out of date: {problem}. Run: souffleur index")
    return refresh_index(folder, knowledge_base, encoder, settings, progress)
