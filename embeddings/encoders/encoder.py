"""The seam between retrieval and whatever turns text into vectors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
ProgressCallback = Callable[[int], None]
EncoderBackend = Literal["onnx", "onnx-int8", "torch"]
Runtime = Literal["onnxruntime", "openvino-bf16"]  # what runs the forward passes of the ONNX backends
PassageRuntime = Runtime  # ... for passages (index builds: the index has its own fingerprint per runtime)
QueryRuntime = Runtime  # ... for queries (live utterances, searches: the index stays the same)
# The runtime a setting may ask for: "auto" is OpenVINO bf16 where the CPU has bf16 units, else ONNX Runtime.
RuntimeChoice = Literal["auto", "onnxruntime", "openvino-bf16"]
QueryRuntimeChoice = RuntimeChoice
PassageRuntimeChoice = RuntimeChoice
ENCODER_BACKENDS: tuple[EncoderBackend, ...] = ("onnx", "onnx-int8", "torch")


@runtime_checkable
class Encoder(Protocol):
    """Turns queries and passages into L2-normalized float32 vectors of a fixed dimension."""

    @property
    def model_id(self) -> str:
        """A human-readable name of the model (id or path)."""
        ...

    @property
    def fingerprint(self) -> str:
        """Changes whenever the vectors would change (other weights, tokenizer or prompts)."""
        ...

    @property
    def dimension(self) -> int: ...

    @property
    def max_tokens(self) -> int:
        """The longest input the model reads, in its own tokens."""
        ...

    def count_tokens(self, text: str) -> int: ...

    def encode_queries(self, texts: Sequence[str]) -> Vectors: ...

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors: ...


@runtime_checkable
class QueryQueue(Protocol):
    """An encoder that also takes query texts without waiting for their vectors (the inference worker):
    the caller does other work while the forward passes run."""

    def submit(self, texts: Sequence[str]) -> Future[Vectors]:
        """Queue ``texts``; the future holds one L2-normalized row per text."""
        ...

    def idle(self) -> bool:
        """True when work submitted now starts at once and is unlikely to delay anybody: no request
        queued or being embedded (the inference worker also asks for a low recent load). What
        speculative work, such as embedding a partial transcript, waits for."""
        ...


@dataclass(frozen=True)
class EncoderIdentity:
    """What tells one encoder's vectors from another's: the identity half of the ``Encoder`` protocol."""

    model_id: str
    fingerprint: str
    dimension: int
    max_tokens: int

    @classmethod
    def of(cls, encoder: Encoder) -> EncoderIdentity:
        return cls(encoder.model_id, encoder.fingerprint, encoder.dimension, encoder.max_tokens)


class IdentifiedEncoder:
    """Answers the ``Encoder`` protocol's identity properties from ``self.identity``, which a subclass
    sets in its ``__init__``; the subclass implements ``count_tokens`` and the two ``encode_*``."""

    identity: EncoderIdentity

    @property
    def model_id(self) -> str:
        return self.identity.model_id

    @property
    def fingerprint(self) -> str:
        return self.identity.fingerprint

    @property
    def dimension(self) -> int:
        return self.identity.dimension

    @property
    def max_tokens(self) -> int:
        return self.identity.max_tokens

    def no_vectors(self) -> Vectors:
        """The result of encoding no text: zero rows of this encoder's dimension."""
        return np.zeros((0, self.identity.dimension), dtype=np.float32)
