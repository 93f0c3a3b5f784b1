"""A deterministic encoder for unit tests: no model, no network, same vector for the same text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from embeddings.encoders.encoder import EncoderIdentity, IdentifiedEncoder, ProgressCallback, Vectors

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingFakeEncoder(IdentifiedEncoder):
    """Hashes character trigrams of each word into a fixed-size vector, then L2-normalizes it.

    Texts that share words get similar vectors, so retrieval logic can be tested meaningfully and
    reproducibly, without the cost of a real model.
    """

    def __init__(self, dimension: int = 64, max_tokens: int = 512, seed: str = "souffleur") -> None:
        model_id = f"fake-hashing-{dimension}"
        fingerprint = hashlib.sha256(f"{model_id}:{seed}".encode()).hexdigest()[:16]
        self.identity = EncoderIdentity(model_id, fingerprint, dimension, max_tokens)
        self._seed = seed

    def count_tokens(self, text: str) -> int:
        return len(_WORD.findall(text)) + 2

    def _vector(self, text: str) -> np.ndarray:
        dimension = self.dimension
        vec = np.zeros(dimension, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            padded = f"<{word}>"
            for i in range(max(1, len(padded) - 2)):
                gram = padded[i : i + 3]
                digest = hashlib.blake2b(f"{self._seed}|{gram}".encode(), digest_size=8).digest()
                slot = int.from_bytes(digest[:4], "little") % dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                vec[slot] += sign
        norm = float(np.linalg.norm(vec))
        if norm == 0.0:
            vec[0] = 1.0
            return vec
        return vec / norm

    def _encode(self, texts: Sequence[str]) -> Vectors:
        if not texts:
            return self.no_vectors()
        return np.stack([self._vector(t) for t in texts]).astype(np.float32)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        vectors = self._encode(texts)
        if progress is not None:
            progress(len(texts))
        return vectors
