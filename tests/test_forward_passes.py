"""How the ONNX encoder splits texts into forward passes (no model: a fake session stands in for the runtime)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from embeddings.encoders.encoder import EncoderIdentity
from embeddings.encoders.onnx_encoder import (
    SMALL_PASS_TOKENS,
    OnnxEncoder,
    forward_passes,
    padded_width,
    power_of_two_above,
    power_of_two_parts,
)

pytestmark = pytest.mark.unit


def test_power_of_two_above() -> None:
    assert [power_of_two_above(n) for n in (1, 2, 3, 4, 5, 7, 8, 9, 31)] == [1, 2, 4, 4, 8, 8, 8, 16, 32]


def test_padded_width_steps_and_limit() -> None:
    assert padded_width(9, 8, 512) == 16
    assert padded_width(16, 8, 512) == 16
    assert padded_width(9, 1, 512) == 9
    assert padded_width(509, 8, 512) == 512  # never beyond the model's limit


def test_onnx_runtime_runs_a_length_group_as_one_pass() -> None:
    assert forward_passes([0, 1, 2], [40, 41, 42], step=1, max_tokens=512) == [[0, 1, 2]]


def test_a_lone_text_runs_alone() -> None:
    assert forward_passes([5], [12], step=8, max_tokens=512) == [[5]]


@pytest.mark.parametrize("count", [3, 5, 6, 7])
def test_short_texts_share_one_pass(count: int) -> None:
    # Three to seven gists of at most 16 tokens: one pass of 4 or 8 rows (<= SMALL_PASS_TOKENS), not 2 or 3 parts.
    batch = list(range(count))
    assert power_of_two_above(count) * 16 <= SMALL_PASS_TOKENS
    assert forward_passes(batch, [10] * count, step=8, max_tokens=512) == [batch]


def test_long_texts_keep_their_power_of_two_parts() -> None:
    # Three windows of 56 tokens: a pass of four would compute a fourth window's worth for nothing.
    batch = [0, 1, 2]
    assert forward_passes(batch, [50, 52, 56], step=8, max_tokens=512) == power_of_two_parts(batch) == [[0, 1], [2]]


class _Tokens:
    """One token per word: word ``w`` has id ``len(w) + 10``."""

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [[0, *(len(w) + 10 for w in t.split()), 2] for t in texts]


class _RowwiseSession:
    """Stands in for OpenVINO (``length_step`` 8): each row's hidden states depend on its own ids and
    the padded width only, as measured for the real model; records the shape of every pass."""

    length_step = 8
    parallel = 1

    def __init__(self, parallel: int = 1) -> None:
        self.parallel = parallel
        self.shapes: list[tuple[int, ...]] = []

    def run(self, _outputs: object, feeds: dict[str, Any]) -> list[Any]:
        ids = feeds["input_ids"]
        self.shapes.append(ids.shape)
        width = ids.shape[1]
        hidden = np.stack([ids, np.full_like(ids, width), np.arange(width)[None, :].repeat(len(ids), 0)], axis=-1)
        return [hidden.astype(np.float32)]


def _encoder() -> OnnxEncoder:
    encoder = OnnxEncoder.__new__(OnnxEncoder)  # no model folder: only what ``_encode`` reads
    encoder._tokenizer = _Tokens()
    encoder._pad_id = 1
    encoder._pooling = "mean"
    encoder._batch_size = 16
    encoder._pools = {}
    encoder._session_lock = threading.Lock()
    encoder.identity = EncoderIdentity("fake", "fake", 3, 512)
    return encoder


def test_three_short_texts_cost_one_filled_pass_with_the_same_vectors() -> None:
    encoder, session = _encoder(), _RowwiseSession()
    texts = ["sperrmüll anmelden", "reisepass weg", "hundesteuer abmelden bitte"]
    together = encoder._encode(texts, "", session)
    assert session.shapes == [(4, 8)]  # one pass, filled up to four rows (before: a pass of two and one)
    alone = [encoder._encode([t], "", _RowwiseSession()) for t in texts]
    assert np.array_equal(together, np.concatenate(alone))  # each text's vector as when it is embedded alone


def test_long_texts_still_run_in_parts() -> None:
    encoder, session = _encoder(), _RowwiseSession()
    texts = [" ".join(["wort"] * 50)] * 3
    encoder._encode(texts, "", session)
    assert sorted(session.shapes) == [(1, 56), (2, 56)]


def test_passes_side_by_side_reuse_one_pool_and_give_the_same_vectors() -> None:
    # A window and a gist: two passes of different widths, side by side on two threads.
    encoder = _encoder()
    texts = ["reisepass weg", " ".join(["wort"] * 30)]
    one_at_a_time = encoder._encode(texts, "", _RowwiseSession())
    first = encoder._encode(texts, "", _RowwiseSession(parallel=2))
    pool = encoder._pools[2]
    again = encoder._encode(texts, "", _RowwiseSession(parallel=2))
    assert encoder._pools == {2: pool}  # kept, not made per call
    assert np.array_equal(first, one_at_a_time) and np.array_equal(again, one_at_a_time)
