"""``HybridTextSimilarity``: how alike two callers' concerns are, for clustering them into topics.

Transcripts are colloquial and long; in the vectors of a small embedding model the shared register of a
phone call ("ja hallo, ich hätt da mal ne frage ...") outweighs what the call is about. Two signals are
combined, as the retriever combines dense and lexical search:

- *dense*: the query vector of the text minus the mean vector of generic call phrases
  (``REGISTER_PHRASES``), re-normalized, so that what is left is mostly the matter;
- *lexical*: TF-IDF of character 4-grams of the text's ``terms`` (the gaps report gives the lemmas of
  the nouns that may name a matter, ``CTfIdfLabeler.matter_nouns``: no verbs, fillers, places or
  redaction placeholders), so that "Ratten" meets "Rattenbekämpfung" and rare words count more than
  common ones. Document frequencies come from a background of texts (``fit``).

The similarity is ``dense_weight * dense cosine + (1 - dense_weight) * lexical cosine``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt
from scipy import sparse

from embeddings.encoders.encoder import Vectors
from embeddings.index.text_analysis import CharNgramAnalyzer

# What every call sounds like, whatever it is about.
REGISTER_PHRASES = (
    "ja hallo guten tag, ich hab da mal ne frage",
    "ich wollte mal fragen, wie das geht",
    "und was kostet das",
    "und wie lange dauert das",
    "und was brauch ich da alles",
    "muss ich da persönlich vorbeikommen",
    "kann man das auch online machen",
    "wo muss ich da hin",
    "ja genau, das ist richtig",
    "ja okay, verstehe",
    "nee, das weiß ich nich",
    "einen moment bitte",
    "hallo, ich ruf an wegen meiner mutter",
    "ja super, vielen dank, tschüss",
)


class TextEmbedder(Protocol):
    """Texts to L2-normalized vectors (``CachedQueryEmbedder``)."""

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...


@dataclass(frozen=True)
class TextVectors:
    """Dense and lexical rows of some texts (both L2-normalized)."""

    dense: Vectors
    lexical: sparse.csr_matrix

    def __len__(self) -> int:
        return int(self.dense.shape[0])

    def rows(self, index: Sequence[int]) -> TextVectors:
        picked = list(index)
        return TextVectors(self.dense[picked], self.lexical[picked])

    def centroid(self) -> TextVectors:
        """The normalized mean of the rows, as a one-row ``TextVectors``."""
        dense = _normalize_rows(self.dense.mean(axis=0, keepdims=True))
        lexical = sparse.csr_matrix(_normalize_rows(np.asarray(self.lexical.mean(axis=0), dtype=np.float32)))
        return TextVectors(dense, lexical)

    @staticmethod
    def stack(parts: Sequence[TextVectors]) -> TextVectors:
        return TextVectors(
            np.vstack([p.dense for p in parts]).astype(np.float32),
            sparse.csr_matrix(sparse.vstack([p.lexical for p in parts])),
        )


def _normalize_rows(matrix: npt.NDArray[np.float32]) -> Vectors:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float32)


class HybridTextSimilarity:
    def __init__(
        self,
        embedder: TextEmbedder,
        terms: Callable[[str], list[str]],
        dense_weight: float = 0.3,
    ) -> None:
        if not 0.0 <= dense_weight <= 1.0:
            raise ValueError("dense_weight must be between 0 and 1")
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.embedder = embedder
        self.dense_weight = dense_weight
        self._terms = terms
        self._ngrams = CharNgramAnalyzer(4)
        self._tfidf = TfidfVectorizer(analyzer=self._analyze, sublinear_tf=True)
        self._register: Vectors | None = None
        self._fitted = False

    def _analyze(self, text: str) -> list[str]:
        return self._ngrams.tokens(" ".join(self._terms(text)))

    def fit(self, background: Sequence[str]) -> HybridTextSimilarity:
        """Learn which 4-grams are common from the background texts (and the register phrases)."""
        self._tfidf.fit([*background, *REGISTER_PHRASES])
        self._fitted = True
        return self

    def vectors(self, texts: Sequence[str]) -> TextVectors:
        if not self._fitted:
            self.fit(texts)
        if self._register is None:
            self._register = self.embedder.embed(list(REGISTER_PHRASES)).mean(axis=0)
        dense = self.embedder.embed(list(texts)) if texts else np.zeros((0, self.embedder.dimension), np.float32)
        lexical = sparse.csr_matrix(self._tfidf.transform(list(texts)), dtype=np.float32)
        return TextVectors(_normalize_rows(dense - self._register), lexical)

    def similarity(self, a: TextVectors, b: TextVectors) -> npt.NDArray[np.float64]:
        """Pairwise similarities, ``len(a)`` x ``len(b)``, in [-1, 1]."""
        dense = a.dense.astype(np.float64) @ b.dense.astype(np.float64).T
        lexical = (a.lexical @ b.lexical.T).toarray().astype(np.float64)
        result: npt.NDArray[np.float64] = self.dense_weight * dense + (1.0 - self.dense_weight) * lexical
        return result
