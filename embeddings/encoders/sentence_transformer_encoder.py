"""The production encoder: any sentence-transformers model, by hub id or local folder."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from embeddings.encoders.encoder import EncoderIdentity, IdentifiedEncoder, ProgressCallback, Vectors

_HEAD_TAIL_BYTES = 1 << 20


def folder_fingerprint(folder: Path) -> str:
    """A content fingerprint of a model folder: every file's name, size, first and last MiB."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        size = path.stat().st_size
        digest.update(f"{path.relative_to(folder)}:{size}".encode())
        with path.open("rb") as handle:
            digest.update(handle.read(_HEAD_TAIL_BYTES))
            if size > 2 * _HEAD_TAIL_BYTES:
                handle.seek(size - _HEAD_TAIL_BYTES)
                digest.update(handle.read())
    return digest.hexdigest()[:16]


class SentenceTransformerEncoder(IdentifiedEncoder):
    """Wraps ``SentenceTransformer`` with the model's own ``query``/``passage`` prompts when it has them."""

    def __init__(
        self,
        model: str,
        batch_size: int = 16,
        device: str = "cpu",
        query_prompt: str | None = None,
        passage_prompt: str | None = None,
        threads: int | None = None,
        backend: Literal["torch", "onnx", "openvino"] = "torch",
    ) -> None:
        import torch
        import transformers
        from sentence_transformers import SentenceTransformer

        transformers.utils.logging.set_verbosity_error()  # type: ignore[no-untyped-call]
        transformers.utils.logging.disable_progress_bar()  # type: ignore[no-untyped-call]

        if threads:
            torch.set_num_threads(threads)
        self._model: Any = SentenceTransformer(model, device=device, backend=backend)
        self._batch_size = batch_size
        prompts: dict[str, str] = dict(getattr(self._model, "prompts", {}) or {})
        self._query_prompt = query_prompt if query_prompt is not None else prompts.get("query", "")
        self._passage_prompt = (
            passage_prompt if passage_prompt is not None else prompts.get("passage", prompts.get("document", ""))
        )
        local = Path(model)
        base = folder_fingerprint(local) if local.is_dir() else model
        fingerprint = hashlib.sha256(f"{base}|{self._query_prompt}|{self._passage_prompt}".encode()).hexdigest()[:16]
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ValueError(f"Model '{model}' does not report an embedding dimension")
        self.identity = EncoderIdentity(model, fingerprint, int(dimension), int(self._model.max_seq_length or 512))

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text, add_special_tokens=True)["input_ids"])

    def _encode(self, texts: Sequence[str], prompt: str) -> Vectors:
        if not texts:
            return self.no_vectors()
        vectors = self._model.encode(
            list(texts),
            prompt=prompt,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._query_prompt)

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        if progress is None:
            return self._encode(texts, self._passage_prompt)
        chunks = []
        step = self._batch_size * 4
        for start in range(0, len(texts), step):
            chunk = texts[start : start + step]
            chunks.append(self._encode(chunk, self._passage_prompt))
            progress(len(chunk))
        if not chunks:
            return self.no_vectors()
        return np.concatenate(chunks)
