"""The seam between retrieval and whatever turns text into vectors."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]
ProgressCallback = Callable[[int], None]
EncoderBackend = Literal["onnx", "onnx-int8", "torch"]
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
