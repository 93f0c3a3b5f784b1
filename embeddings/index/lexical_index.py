"""BM25 over passages (bm25s), with scores restricted to a set of rows and normalized per query."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import bm25s
import numpy as np
import numpy.typing as npt

from embeddings.index.text_analysis import TextAnalyzer

_META = "souffleur-bm25.json"
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


class Bm25LexicalIndex:
    """A BM25 index over passage texts.

    ``scores`` returns the raw BM25 score of every passage, zero outside ``allowed``; ``upper_bound``
    is the largest score the query could reach (every term saturated), so ``score / upper_bound`` is
    a lexical match strength in [0, 1] that means the same across queries.
    """

    def __init__(self, analyzer: TextAnalyzer, k1: float = 1.2, b: float = 0.75) -> None:
        self.analyzer = analyzer
        self.k1 = k1
        self.b = b
        self._bm25: bm25s.BM25 | None = None
        self._df: dict[str, int] = {}
        self._size = 0
        self._idfs: dict[str, float] = {}  # ``_idf`` of the indexed tokens queries used, worked out once

    def build(self, texts: Sequence[str]) -> None:
        corpus = [self.analyzer.tokens(t) or ["_empty_"] for t in texts]
        self._size = len(corpus)
        self._idfs = {}
        df: dict[str, int] = {}
        for tokens in corpus:
            for token in set(tokens):
                df[token] = df.get(token, 0) + 1
        self._df = df
        bm25 = bm25s.BM25(k1=self.k1, b=self.b, method="lucene")
        if corpus:
            bm25.index(corpus, show_progress=False)
        self._bm25 = bm25

    def __len__(self) -> int:
        return self._size

    def save(self, folder: Path) -> None:
        """Write the index (bm25s's arrays and vocabulary, the document frequencies) into ``folder``."""
        folder.mkdir(parents=True, exist_ok=True)
        if self._bm25 is not None and self._size:
            self._bm25.save(str(folder))
        meta = {"analyzer": self.analyzer.name, "k1": self.k1, "b": self.b, "size": self._size, "df": self._df}
        (folder / _META).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, analyzer: TextAnalyzer, k1: float = 1.2, b: float = 0.75) -> Bm25LexicalIndex | None:
        """The index saved in ``folder``, or ``None`` when there is none for this analyzer and these
        parameters (the caller builds it from the passages instead)."""
        path = folder / _META
        if not path.is_file():
            return None
        meta = json.loads(path.read_text(encoding="utf-8"))
        if (meta.get("analyzer"), meta.get("k1"), meta.get("b")) != (analyzer.name, k1, b):
            return None
        index = cls(analyzer, k1, b)
        index._size = int(meta["size"])
        index._df = {str(t): int(n) for t, n in meta["df"].items()}
        index._bm25 = bm25s.BM25.load(str(folder)) if index._size else bm25s.BM25(k1=k1, b=b, method="lucene")
        return index

    def _idf(self, token: str) -> float:
        idf = self._idfs.get(token)
        if idf is None:
            df = self._df.get(token, 0)
            idf = math.log(1 + (self._size - df + 0.5) / (df + 0.5))
            if df:  # bounded by the vocabulary
                self._idfs[token] = idf
        return idf

    def upper_bound(self, query_tokens: Sequence[str]) -> float:
        return sum(self._idf(t) * (self.k1 + 1) for t in query_tokens)

    def scores(self, query_tokens: Sequence[str], allowed: BoolArray | None = None) -> FloatArray:
        if self._bm25 is None or self._size == 0:
            return np.zeros(0, dtype=np.float32)
        known = [t for t in query_tokens if t in self._df]
        if not known:
            return np.zeros(self._size, dtype=np.float32)
        scores = np.asarray(self._bm25.get_scores(known), dtype=np.float32)
        if allowed is not None:
            scores = np.where(allowed, scores, np.float32(0.0))
        return scores
