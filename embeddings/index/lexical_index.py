"""BM25 over passages (bm25s), with scores restricted to a set of rows and normalized per query.

bm25s builds and saves the index; a saved index is scored from its arrays here (``SavedBm25Scores``,
the same sums as bm25s's numpy backend), so a process that only searches does not import bm25s, which
imports scipy and numba (about a quarter of a second of `souffleur search`'s cold start)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

from embeddings.index.text_analysis import TextAnalyzer

if TYPE_CHECKING:
    import bm25s

_META = "souffleur-bm25.json"
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]
# bm25s's files of a saved index (``BM25.save``)
_ARRAYS = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")
_VOCAB, _PARAMS, _NONOCCURRENCE = "vocab.index.json", "params.index.json", "nonoccurrence_array.index.npy"


class Bm25Scorer(Protocol):
    def get_scores(self, query_tokens_single: list[str]) -> npt.NDArray[Any]: ...

    def save(self, save_dir: str) -> None: ...


class SavedBm25Scores:
    """A saved bm25s index scored from its arrays without bm25s: for each query token (in order), its
    column of the precomputed score matrix is added into the documents' scores with ``np.add.at``, as
    bm25s's numpy backend does, so the scores are the same numbers. Only for the methods without a
    non-occurrence term (``lucene``, ``robertson``, ``atire``); ``load`` returns ``None`` otherwise."""

    def __init__(self, folder: Path) -> None:
        self._params_text = (folder / _PARAMS).read_text(encoding="utf-8")
        self._vocab_text = (folder / _VOCAB).read_text(encoding="utf-8")
        params = json.loads(self._params_text)
        self._vocab: dict[str, int] = json.loads(self._vocab_text)
        self._data, self._indices, self._indptr = (np.load(folder / name) for name in _ARRAYS)
        self._num_docs = int(params["num_docs"])
        self._dtype = np.dtype(params.get("dtype", "float32"))
        self._int_dtype = np.dtype(params.get("int_dtype", "int32"))

    @classmethod
    def load(cls, folder: Path) -> SavedBm25Scores | None:
        try:
            params = json.loads((folder / _PARAMS).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if params.get("method") in ("bm25l", "bm25+") or (folder / _NONOCCURRENCE).exists():
            return None
        if not all((folder / name).is_file() for name in (*_ARRAYS, _VOCAB)):
            return None
        return cls(folder)

    def get_scores(self, query_tokens_single: list[str]) -> npt.NDArray[Any]:
        ids = np.asarray([self._vocab[t] for t in query_tokens_single if t in self._vocab], dtype=self._int_dtype)
        starts, ends = self._indptr[ids], self._indptr[ids + 1]
        scores = np.zeros(self._num_docs, dtype=self._dtype)
        for start, end in zip(starts, ends, strict=True):
            np.add.at(scores, self._indices[start:end], self._data[start:end])
        return scores

    def save(self, save_dir: str) -> None:
        folder = Path(save_dir)
        folder.mkdir(parents=True, exist_ok=True)
        for name, array in zip(_ARRAYS, (self._data, self._indices, self._indptr), strict=True):
            np.save(folder / name, array)
        (folder / _VOCAB).write_text(self._vocab_text, encoding="utf-8")
        (folder / _PARAMS).write_text(self._params_text, encoding="utf-8")


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
        self._bm25: Bm25Scorer | None = None
        self._df: dict[str, int] = {}
        self._size = 0
        self._idfs: dict[str, float] = {}  # ``_idf`` of the indexed tokens queries used, worked out once

    def build(self, texts: Sequence[str]) -> None:
        import bm25s

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
        index._bm25 = (SavedBm25Scores.load(folder) or cls._bm25s_load(folder)) if index._size else None
        return index

    @staticmethod
    def _bm25s_load(folder: Path) -> bm25s.BM25:
        import bm25s

        return bm25s.BM25.load(str(folder))

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
