"""The inference worker: concurrent submits share forward passes, each caller gets its own rows or error."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from embeddings.encoders.encoder import ProgressCallback, Vectors
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.encoders.inference_worker import LOAD_SECONDS, SPARE_BELOW, InferenceWorker, WorkerStoppedError

pytestmark = pytest.mark.unit


class GatedEncoder(HashingFakeEncoder):
    """The fake encoder, but each forward pass waits for ``gate`` and records its batch; texts
    containing ``poison`` fail."""

    def __init__(self) -> None:
        super().__init__(dimension=32)
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.batches: list[list[str]] = []
        self.threads: set[str] = set()

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        self.entered.set()
        self.gate.wait(timeout=10)
        self.batches.append(list(texts))
        self.threads.add(threading.current_thread().name)
        if any("poison" in t for t in texts):
            raise ValueError("cannot embed poison")
        return super().encode_queries(texts)

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        self.threads.add(threading.current_thread().name)
        return super().encode_passages(texts, progress)


def test_concurrent_submits_are_batched_and_map_back_to_their_caller() -> None:
    encoder = GatedEncoder()
    reference = HashingFakeEncoder(dimension=32)
    with InferenceWorker(encoder, max_batch=64, max_wait_ms=0) as worker:
        first = worker.submit(["erster text"])
        assert encoder.entered.wait(timeout=10)  # the first pass is running and blocked
        texts = [[f"frage {i}", f"noch eine frage {i}"] for i in range(10)]
        futures = [worker.submit(t) for t in texts]  # all queue up behind the running pass
        encoder.gate.set()
        assert np.allclose(first.result(timeout=10), reference.encode_queries(["erster text"]))
        for t, future in zip(texts, futures, strict=True):
            assert np.allclose(future.result(timeout=10), reference.encode_queries(t))
    assert len(encoder.batches) == 2  # 11 requests, 21 texts, 2 forward passes
    assert worker.stats.requests == 11
    assert encoder.threads == {"souffleur-inference"}


def test_a_failing_text_fails_only_its_own_caller() -> None:
    encoder = GatedEncoder()
    with InferenceWorker(encoder, max_batch=64, max_wait_ms=0) as worker:
        blocker = worker.submit(["warten"])
        assert encoder.entered.wait(timeout=10)
        good = worker.submit(["sperrmüll anmelden"])
        bad = worker.submit(["poison pill"])
        other = worker.submit(["hund anmelden"])
        encoder.gate.set()
        blocker.result(timeout=10)
        with pytest.raises(ValueError, match="poison"):
            bad.result(timeout=10)
        assert good.result(timeout=10).shape == (1, 32)
        assert other.result(timeout=10).shape == (1, 32)


def test_batches_never_exceed_max_batch() -> None:
    encoder = GatedEncoder()
    with InferenceWorker(encoder, max_batch=4, max_wait_ms=0) as worker:
        blocker = worker.submit(["warten"])
        assert encoder.entered.wait(timeout=10)
        futures = [worker.submit([f"text {i}"]) for i in range(12)]
        encoder.gate.set()
        blocker.result(timeout=10)
        assert all(f.result(timeout=10).shape == (1, 32) for f in futures)
    assert max(len(b) for b in encoder.batches) <= 4


def test_passages_run_on_the_worker_thread_and_report_progress() -> None:
    encoder = GatedEncoder()
    encoder.gate.set()
    seen: list[int] = []
    with InferenceWorker(encoder) as worker:
        vectors = worker.encode_passages(["a b", "c d", "e f"], progress=seen.append)
        assert worker.encode_queries([]).shape == (0, 32)
    assert vectors.shape == (3, 32)
    assert sum(seen) == 3
    assert encoder.threads == {"souffleur-inference"}


def test_the_worker_is_an_encoder_and_refuses_work_when_stopped() -> None:
    encoder = HashingFakeEncoder(dimension=16)
    worker = InferenceWorker(encoder)
    with pytest.raises(WorkerStoppedError):
        worker.submit(["zu früh"])
    worker.start()
    assert worker.running
    assert worker.dimension == 16
    assert worker.fingerprint == encoder.fingerprint
    assert worker.count_tokens("zwei wörter") == encoder.count_tokens("zwei wörter")
    assert np.allclose(worker.encode_queries(["hallo"]), encoder.encode_queries(["hallo"]))
    worker.stop()
    worker.stop()  # idempotent
    assert not worker.running
    with pytest.raises(WorkerStoppedError):
        worker.encode_queries(["zu spät"])


def test_requests_submitted_before_stop_are_answered() -> None:
    encoder = GatedEncoder()
    worker = InferenceWorker(encoder, max_wait_ms=0).start()
    blocker = worker.submit(["warten"])
    assert encoder.entered.wait(timeout=10)
    pending = [worker.submit([f"text {i}"]) for i in range(3)]
    stopper = threading.Thread(target=worker.stop)
    stopper.start()
    encoder.gate.set()
    stopper.join(timeout=10)
    assert blocker.result(timeout=10).shape == (1, 32)
    assert all(f.result(timeout=10).shape == (1, 32) for f in pending)


def test_an_idle_worker_does_not_wait_and_a_busy_one_does() -> None:
    encoder = GatedEncoder()
    encoder.gate.set()
    with InferenceWorker(encoder, max_batch=64, max_wait_ms=50) as worker:
        for i in range(3):  # one caller at a time: every pass starts at once
            worker.submit([f"frage {i}"]).result(timeout=10)
        assert worker.stats.waits == 0
        encoder.gate.clear()
        encoder.entered.clear()
        first = worker.submit(["erster text"])
        assert encoder.entered.wait(timeout=10)
        queued = [worker.submit([f"frage {i}"]) for i in range(4)]  # queue up behind the running pass
        encoder.gate.set()
        first.result(timeout=10)
        for future in queued:
            future.result(timeout=10)
        # the four queued requests shared one pass, so the worker counts as busy and the next pass waits
        assert [len(b) for b in encoder.batches[-2:]] == [1, 4]
        worker.submit(["danach"]).result(timeout=10)
    assert worker.stats.waits == 1


def test_the_worker_is_idle_only_with_nothing_queued_or_running() -> None:
    """What speculative work (a partial transcript embedded ahead) waits for."""
    encoder = GatedEncoder()
    with InferenceWorker(encoder, max_wait_ms=0) as worker:
        assert worker.idle()
        first = worker.submit(["erster text"])
        assert encoder.entered.wait(timeout=10)
        assert not worker.idle(), "a pass is running"
        second = worker.submit(["zweiter text"])
        assert not worker.idle()
        encoder.gate.set()
        first.result(timeout=10)
        second.result(timeout=10)
        deadline = threading.Event()
        for _ in range(1000):  # the flag drops right after the futures are set, on the worker's thread
            if worker.idle():
                break
            deadline.wait(0.001)
        assert worker.idle()


def test_a_worker_busy_for_a_good_share_of_the_last_second_has_no_room_for_speculative_work() -> None:
    encoder = GatedEncoder()
    with InferenceWorker(encoder, max_wait_ms=0) as worker:
        future = worker.submit(["ein langer text"])
        assert encoder.entered.wait(timeout=10)
        threading.Event().wait(0.4)  # the pass takes 0.4 s
        encoder.gate.set()
        future.result(timeout=10)
        for _ in range(1000):
            if not worker._working:
                break
            threading.Event().wait(0.001)
        assert worker.load() > SPARE_BELOW and not worker.idle(), "busy most of the last second"
        worker._load_at -= 5 * LOAD_SECONDS  # five time constants later
        assert worker.load() < 0.01 and worker.idle()
