"""``PassageVectorCache``: passage vectors kept across index builds, by model and passage text.

A vector depends only on the model (its fingerprint covers weights, prompts and variant) and on the
text that is embedded, so a build looks each passage up by ``sha256(embedding text)`` in the cache
file of the encoder's fingerprint and embeds only the passages it does not find. The first build of
a knowledge base embeds everything; a rebuild (a deleted index, a changed setting that re-splits some
articles, an edited article, switching models back and forth) embeds only passages whose text is new
to that model.

Files: ``<folder>/<fingerprint>.npz`` with ``keys`` (32-byte digests, one row of uint8 each) and
``vectors`` (float32), written atomically after each build. A file that cannot be read is ignored
(and replaced at the next save).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from embeddings.encoders.encoder import Vectors

log = logging.getLogger("souffleur.index")

MAX_ENTRIES = 200_000  # about 300 MB of 384-dimensional vectors; the oldest entries go first


KEY_BYTES = 32


def text_key(text: str) -> bytes:
    return hashlib.sha256(text.encode("utf-8")).digest()


class PassageVectorCache:
    """The cached passage vectors of one model, in ``folder``."""

    def __init__(self, folder: Path, fingerprint: str, dimension: int, max_entries: int = MAX_ENTRIES) -> None:
        self.path = folder / f"{re.sub(r'[^A-Za-z0-9_.-]', '_', fingerprint)}.npz"
        self.dimension = dimension
        self.max_entries = max_entries
        self._vectors: dict[bytes, Vectors] = {}
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        if not self.path.is_file():
            return
        try:
            with np.load(self.path) as data:
                keys, vectors = data["keys"], data["vectors"]
        except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
            log.warning("ignoring the unreadable vector cache %s: %s", self.path, exc)
            return
        if vectors.ndim != 2 or vectors.shape[1] != self.dimension or len(keys) != len(vectors):
            log.warning("ignoring the vector cache %s: it does not fit this model", self.path)
            return
        if keys.ndim != 2 or keys.shape[1] != KEY_BYTES:
            log.warning("ignoring the vector cache %s: unknown key format", self.path)
            return
        self._vectors = {k.tobytes(): v for k, v in zip(keys, vectors.astype(np.float32), strict=True)}

    def __len__(self) -> int:
        self._load()
        return len(self._vectors)

    def lookup(self, texts: Sequence[str]) -> tuple[dict[int, Vectors], list[int]]:
        """The cached vector of each text found (by position), and the positions of those missing."""
        self._load()
        found: dict[int, Vectors] = {}
        missing: list[int] = []
        for i, text in enumerate(texts):
            vector = self._vectors.get(text_key(text))
            if vector is None:
                missing.append(i)
            else:
                found[i] = vector
        return found, missing

    def store(self, texts: Sequence[str], vectors: Vectors) -> None:
        """Remember these vectors (most recent last, so they are kept longest)."""
        self._load()
        for text, vector in zip(texts, vectors, strict=True):
            key = text_key(text)
            self._vectors.pop(key, None)
            self._vectors[key] = np.asarray(vector, dtype=np.float32)
        excess = len(self._vectors) - self.max_entries
        for key in list(self._vectors)[: max(0, excess)]:
            del self._vectors[key]

    def save(self) -> None:
        self._load()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.stem}.{os.getpid()}.tmp.npz")
        # Digests as rows of bytes (numpy's fixed-size byte strings would drop a digest's trailing zeros).
        raw = b"".join(self._vectors)
        keys = np.frombuffer(raw, dtype=np.uint8).reshape(len(self._vectors), KEY_BYTES)
        vectors = np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, self.dimension), np.float32)
        np.savez(tmp, keys=keys, vectors=vectors.astype(np.float32))
        os.replace(tmp, self.path)
