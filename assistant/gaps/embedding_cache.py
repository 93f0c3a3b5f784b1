"""``CachedQueryEmbedder``: query vectors of texts, remembered across reports (texts repeat)."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
from cachetools import LRUCache

from embeddings.encoders.encoder import Encoder, Vectors


class CachedQueryEmbedder:
    """Embeds texts as queries with the project's encoder; each distinct text is encoded once while
    it stays among the ``max_entries`` most recently used."""

    def __init__(self, encoder: Encoder, max_entries: int = 20_000, batch_size: int = 64) -> None:
        self.encoder = encoder
        self.max_entries = max_entries
        self.batch_size = batch_size
        self._cache: LRUCache[str, Vectors] = LRUCache(maxsize=max(1, max_entries))
        self._lock = threading.Lock()

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    def embed(self, texts: Sequence[str]) -> Vectors:
        """One L2-normalized row per text."""
        if not texts:
            return np.zeros((0, self.encoder.dimension), dtype=np.float32)
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        fresh: dict[str, Vectors] = {}
        for start in range(0, len(missing), self.batch_size):
            batch = missing[start : start + self.batch_size]
            vectors = np.asarray(self.encoder.encode_queries(batch), dtype=np.float32)
            fresh.update(zip(batch, vectors, strict=True))
        with self._lock:
            for text, vector in fresh.items():
                self._cache[text] = vector
            rows = [fresh[t] if t in fresh else self._cache.get(t) for t in texts]
        # A text evicted by another thread between the two locked steps is embedded again.
        lost = [i for i, row in enumerate(rows) if row is None]
        if lost:
            again = np.asarray(self.encoder.encode_queries([texts[i] for i in lost]), dtype=np.float32)
            for i, vector in zip(lost, again, strict=True):
                rows[i] = vector
        return np.stack([r for r in rows if r is not None]).astype(np.float32)
