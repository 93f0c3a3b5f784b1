"""``InferenceWorker``: one thread owns the encoder; query embeddings from every thread are micro-batched.

Callers anywhere (request threads of the live service, the command line) call ``submit(texts)`` and
get a ``Future`` of the vectors, or ``encode_queries(texts)`` and wait for them. The worker thread
takes the first waiting request and whatever else is already queued, and while it is busy (its last
pass served several requests) what arrives within ``max_wait_ms`` (up to ``max_batch`` texts), embeds
them all in one forward pass, then hands each caller its own rows. An idle worker does not wait, so
one call's query costs no batching delay.
So at most one forward pass runs at a time, with the thread count the encoder was built with,
however many calls are open; concurrent utterances share passes instead of fighting for cores.

Passage embedding (index builds) runs on the same thread as one job, so a build never competes with
live queries for the cores either. The worker is itself an ``Encoder``: wrap any encoder and hand the
worker to whatever expects one.

If a batched pass fails, each request of the batch is retried alone, so an error reaches only the
caller whose texts caused it.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field

import numpy as np

from embeddings.encoders.encoder import Encoder, EncoderIdentity, IdentifiedEncoder, ProgressCallback, Vectors

log = logging.getLogger("souffleur.inference")


class WorkerStoppedError(RuntimeError):
    """The inference worker is not running (never started, or stopped)."""


@dataclass
class _QueryJob:
    texts: list[str]
    future: Future[Vectors] = field(default_factory=Future)


@dataclass
class _PassageJob:
    texts: list[str]
    progress: ProgressCallback | None
    future: Future[Vectors] = field(default_factory=Future)


_Job = _QueryJob | _PassageJob
_STOP = object()


LOAD_SECONDS = 1.0  # the time constant of ``InferenceWorker.load``
SPARE_BELOW = 0.25  # ``idle`` (room for speculative work) only while the load is below this


@dataclass
class WorkerStats:
    """Counters for tests and benchmarks: how many forward passes served how many requests."""

    requests: int = 0
    passes: int = 0
    texts: int = 0
    largest_batch: int = 0
    waits: int = 0  # passes that waited up to ``max_wait_ms`` for more requests


class InferenceWorker(IdentifiedEncoder):
    """Owns ``encoder`` on one thread; ``submit`` from any thread. ``start``/``stop`` bound its life."""

    def __init__(self, encoder: Encoder, max_batch: int = 32, max_wait_ms: float = 2.0) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self.encoder = encoder
        self.identity = EncoderIdentity.of(encoder)
        self.max_batch = max_batch
        self.max_wait = max(0.0, max_wait_ms) / 1000
        self.stats = WorkerStats()
        self._queue: queue.SimpleQueue[_Job | object] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._running = False
        self._busy = False  # the last pass served several requests: wait for more before the next one
        self._working = False  # a job taken from the queue is being embedded
        # How busy the worker has been lately: seconds of work, decaying with ``LOAD_SECONDS`` (so about
        # the busy share of the last seconds), and when it was last updated; written by the worker only.
        self._load = 0.0
        self._load_at = time.monotonic()

    # ---- life ---------------------------------------------------------------------------------
    def start(self) -> InferenceWorker:
        with self._lock:
            if self._running:
                return self
            self._running = True
            self._thread = threading.Thread(target=self._run, name="souffleur-inference", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        """Finish the requests already submitted, then end the thread. Later submits raise."""
        with self._lock:
            if not self._running:
                return
            self._running = False
            self._queue.put(_STOP)
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._running

    def __enter__(self) -> InferenceWorker:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # ---- requests -----------------------------------------------------------------------------
    def submit(self, texts: Sequence[str]) -> Future[Vectors]:
        """Queue query texts; the future holds one L2-normalized row per text."""
        job = _QueryJob(list(texts))
        if not job.texts:
            job.future.set_result(np.zeros((0, self.encoder.dimension), dtype=np.float32))
            return job.future
        self._put(job)
        return job.future

    def _put(self, job: _Job) -> None:
        with self._lock:
            if not self._running:
                raise WorkerStoppedError("The inference worker is not running (start() it first).")
            self._queue.put(job)

    def idle(self) -> bool:
        """No request queued, none being embedded, and busy for less than ``SPARE_BELOW`` of the last
        seconds (``QueryQueue.idle``): under load a real query would soon arrive during the pass."""
        return not self._working and self._queue.empty() and self.load() < SPARE_BELOW

    def load(self) -> float:
        """About the share of the last ``LOAD_SECONDS`` the worker spent embedding (0 to 1)."""
        return self._load * math.exp(-(time.monotonic() - self._load_at) / LOAD_SECONDS)

    def _record(self, started: float) -> None:
        now = time.monotonic()
        self._load = self.load() + (now - started) / LOAD_SECONDS
        self._load_at = now

    # ---- the Encoder protocol (identity: the encoder's), so the worker stands in for an encoder ----
    def count_tokens(self, text: str) -> int:
        return self.encoder.count_tokens(text)

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self.submit(texts).result()

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        job = _PassageJob(list(texts), progress)
        self._put(job)
        return job.future.result()

    # ---- the worker thread --------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is _STOP:
                return
            self._working = True
            started = time.monotonic()
            try:
                if isinstance(first, _PassageJob):
                    self._run_passages(first)
                    continue
                assert isinstance(first, _QueryJob)
                batch, stop, passages = self._gather(first)
                self._run_queries(batch)
                for job in passages:
                    self._run_passages(job)
                if stop:
                    return
            finally:
                self._record(started)
                self._working = False

    def _gather(self, first: _QueryJob) -> tuple[list[_QueryJob], bool, list[_PassageJob]]:
        """The query jobs already queued, and while the worker is busy (its previous pass served more
        than one request) those that arrive within the wait, up to ``max_batch`` texts. A lone caller
        on an idle worker does not wait: its pass starts at once."""
        batch = [first]
        size = len(first.texts)
        passages: list[_PassageJob] = []
        wait = self.max_wait if self._busy else 0.0
        if wait:
            self.stats.waits += 1
        deadline = time.monotonic() + wait
        while size < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                return batch, True, passages
            if isinstance(item, _PassageJob):
                passages.append(item)
                continue
            assert isinstance(item, _QueryJob)
            batch.append(item)
            size += len(item.texts)
        self._busy = len(batch) > 1
        return batch, False, passages

    def _run_queries(self, batch: list[_QueryJob]) -> None:
        live = [job for job in batch if job.future.set_running_or_notify_cancel()]
        if not live:
            return
        texts = [t for job in live for t in job.texts]
        try:
            vectors = self._encode(texts)
        except Exception as exc:
            if len(live) == 1:
                live[0].future.set_exception(exc)
                return
            log.debug("a batch of %d requests failed; retrying them one by one", len(live))
            for job in live:
                try:
                    job.future.set_result(self._encode(job.texts))
                except Exception as exc:
                    job.future.set_exception(exc)
            return
        self.stats.requests += len(live)
        start = 0
        for job in live:
            job.future.set_result(vectors[start : start + len(job.texts)])
            start += len(job.texts)

    def _encode(self, texts: list[str]) -> Vectors:
        self.stats.passes += 1
        self.stats.texts += len(texts)
        self.stats.largest_batch = max(self.stats.largest_batch, len(texts))
        return np.asarray(self.encoder.encode_queries(texts), dtype=np.float32)

    def _run_passages(self, job: _PassageJob) -> None:
        if not job.future.set_running_or_notify_cancel():
            return
        try:
            job.future.set_result(np.asarray(self.encoder.encode_passages(job.texts, job.progress), dtype=np.float32))
        except Exception as exc:
            job.future.set_exception(exc)
