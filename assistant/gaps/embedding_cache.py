"""``CachedQueryEmbedder``: query vectors of texts, remembered across reports (texts repeat)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from embeddings.encoders.encoder import Encoder, Vectors


class CachedQueryEmbedder:
    """Embeds texts as queries with the project's encoder; each distinct text is encoded once while
    it stays among the ``max_entries`` most recently used."""

    def __init__(self, encoder: Encoder, max_entries: int = 20_000, batch_size: int = 64) -> None:
        self.encoder = encoder
        self.max_entries = max_entries
        self.batch_size = batch_size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
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
            rows = [fresh[t] if t in fresh else self._cache[t] for t in texts]
            for text, vector in fresh.items():
                self._cache[text] = vector
            for text in texts:
                if text in self._cache:
                    self._cache.move_to_end(text)
            while len(self._cache) > self.max_entries:
                self._cache.popitem(last=False)
        return np.stack(rows).astype(np.float32)
