"""FAISS inner-product search over L2-normalized vectors: exact when small, HNSW when large."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]


class FaissDenseIndex:
    """One FAISS index over a set of rows; ``rows`` maps FAISS positions back to passage rows."""

    def __init__(self, index: faiss.Index, rows: IntArray) -> None:
        self._index = index
        self.rows = rows

    @classmethod
    def build(
        cls, vectors: FloatArray, rows: IntArray, approximate_above: int = 50_000, hnsw_m: int = 32
    ) -> FaissDenseIndex:
        dim = vectors.shape[1]
        index: faiss.Index
        if len(rows) > approximate_above:
            index = faiss.IndexHNSWFlat(dim, hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 80
            index.hnsw.efSearch = 64
        else:
            index = faiss.IndexFlatIP(dim)
        if len(rows):
            index.add(np.ascontiguousarray(vectors[rows], dtype=np.float32))
        return cls(index, rows.astype(np.int64))

    @property
    def is_approximate(self) -> bool:
        return not isinstance(self._index, faiss.IndexFlat)

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def search(self, query: FloatArray, k: int) -> list[tuple[int, float]]:
        """The ``k`` nearest rows to one query vector, as (passage row, cosine)."""
        if len(self) == 0 or k <= 0:
            return []
        scores, positions = self._index.search(np.ascontiguousarray(query.reshape(1, -1)), min(k, len(self)))
        return [(int(self.rows[p]), float(s)) for p, s in zip(positions[0], scores[0], strict=True) if p >= 0]

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))
        np.save(path.with_suffix(".rows.npy"), self.rows)

    @classmethod
    def load(cls, path: Path) -> FaissDenseIndex:
        return cls(faiss.read_index(str(path)), np.load(path.with_suffix(".rows.npy")))
