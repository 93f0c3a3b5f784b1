"""Builds the application's parts from settings: knowledge base, encoder, index, retriever."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.settings import Settings
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from embeddings.encoders.default_model import resolve_model
from embeddings.encoders.encoder import Encoder
from embeddings.encoders.inference_worker import InferenceWorker
from embeddings.index.index_store import (
    StalePolicy,
    open_index,
    query_vector_store,
    refresh_index,
    sentence_vector_store,
)
from embeddings.index.passage_index import MissingIndexError, PassageIndex, RefreshReport, StaleIndexError
from embeddings.retrieval.retriever import HybridRetriever

if TYPE_CHECKING:
    from assistant.events.fanout import EventFanout
    from assistant.live.call_service import CallService
    from assistant.live.suggestion_engine import SuggestionEngine
    from corpus.answer_examples import AnswerExample
    from corpus.known_gaps import KnownGap
    from embeddings.encoders.onnx_encoder import OnnxVariant

log = logging.getLogger("souffleur.wiring")

FAKE_MODEL_PREFIX = "fake:"


def make_encoder(settings: Settings, embeds_queries: bool = True) -> Encoder:
    """The configured encoder. ``fake:<dim>`` selects the deterministic test encoder (no model).

    With ``encoder_backend`` ``onnx`` or ``onnx-int8``, a model folder that ``souffleur model prepare``
    exported runs on ONNX Runtime (no torch import); any other model asks sentence-transformers for
    its ONNX backend and falls back to torch where that is not available.
    """
    if settings.encoder.model.startswith(FAKE_MODEL_PREFIX):
        from embeddings.encoders.fake_encoder import HashingFakeEncoder

        return HashingFakeEncoder(dimension=int(settings.encoder.model.removeprefix(FAKE_MODEL_PREFIX) or 64))
    model = resolve_model(settings.encoder.model, settings.encoder.cache_dir)
    backend = settings.encoder.backend
    if backend != "torch":
        from embeddings.encoders.onnx_encoder import OnnxEncoder, chosen_runtime, onnx_ready

        if Path(model).is_dir() and onnx_ready(Path(model)):
            variant: OnnxVariant = "int8" if backend == "onnx-int8" else "fp32"
            return OnnxEncoder(
                Path(model),
                variant,
                settings.encoder.threads,
                settings.encoder.batch_size,
                passage_runtime=chosen_runtime(settings.encoder.passage_runtime, variant, "passages"),
                query_runtime=chosen_runtime(settings.encoder.query_runtime, variant, "queries"),
                embeds_queries=embeds_queries,
            )
        log.warning("no ONNX export of %s (run `souffleur model prepare`); trying sentence-transformers", model)
    from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder

    if backend != "torch":
        try:
            return SentenceTransformerEncoder(
                model, batch_size=settings.encoder.batch_size, threads=settings.encoder.threads, backend="onnx"
            )
        except Exception as exc:  # optimum missing or no ONNX export for this model: torch still works
            log.warning("sentence-transformers cannot run %s on ONNX (%s); using torch", model, exc)
    return SentenceTransformerEncoder(model, batch_size=settings.encoder.batch_size, threads=settings.encoder.threads)


def make_inference_worker(settings: Settings, encoder: Encoder | None = None) -> InferenceWorker:
    """The one worker that owns the encoder and batches the live queries; started."""
    return InferenceWorker(
        encoder or make_encoder(settings),
        max_batch=settings.encoder.max_batch,
        max_wait_ms=settings.encoder.max_wait_ms,
    ).start()


def open_retriever(
    settings: Settings,
    encoder: Encoder | None = None,
    knowledge_base: KnowledgeBase | None = None,
    on_stale: StalePolicy = "refresh",
    progress: Callable[[int, int], None] | None = None,
) -> tuple[HybridRetriever, RefreshReport | None]:
    knowledge_base = knowledge_base or load_knowledge_base(settings.knowledge_dir)
    encoder = encoder or make_encoder(settings)
    index, report = open_index(
        settings.index_dir, knowledge_base, encoder, settings.index_settings(), on_stale=on_stale, progress=progress
    )
    return serving_retriever(settings, index, encoder, knowledge_base), report


def serving_retriever(
    settings: Settings, index: PassageIndex, encoder: Encoder, knowledge_base: KnowledgeBase
) -> HybridRetriever:
    """The configured retriever over ``index``, with the vectors it keeps across starts in the index folder
    (the answer examples' questions, the articles' sentences): at start and at every index reload."""
    return HybridRetriever(
        index,
        encoder,
        knowledge_base.cities,
        settings.retrieval_config(),
        query_store=query_vector_store(settings.index_dir, encoder),
        sentence_store=sentence_vector_store(settings.index_dir, encoder),
    )


def build_index_apart(settings: Settings, progress: Callable[[int, int], None] | None = None) -> bool:
    """Build or refresh the index in a child process, as ``souffleur index`` does (passages only, no query
    session), reporting its progress here; True when the child finished. A server that built its index
    itself kept the build's memory: 626 MB after start against 520 MB on a built index (round 12, bf16
    passages; 1,372 MB before the passage session was let go)."""
    import multiprocessing
    import queue

    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of this process's threads
    updates = context.Queue()
    child = context.Process(target=_refresh_index_in_child, args=(settings, updates), name="souffleur-index")
    log.info("building the index in a child process")
    child.start()
    while child.is_alive():
        try:
            done, total = updates.get(timeout=0.1)
        except queue.Empty:
            continue
        if progress is not None:
            progress(done, total)
    child.join()
    updates.close()
    if child.exitcode != 0:
        log.warning("the index build in a child process failed (exit code %s); building it here", child.exitcode)
    return child.exitcode == 0


def _refresh_index_in_child(settings: Settings, updates: Any) -> None:
    """The child of ``build_index_apart``: its errors are the parent's to report (it builds again)."""
    try:
        knowledge_base = load_knowledge_base(settings.knowledge_dir)
        encoder = make_encoder(settings, embeds_queries=False)
        refresh_index(
            settings.index_dir,
            knowledge_base,
            encoder,
            settings.index_settings(),
            lambda done, total: updates.put((done, total)),
        )
    except Exception:  # the parent builds again in process and reports the error there
        raise SystemExit(1) from None


def make_engine(
    settings: Settings,
    retriever: HybridRetriever,
    examples: Sequence[AnswerExample] = (),
    known_gaps: Sequence[KnownGap] = (),
) -> SuggestionEngine:
    """The suggestion engine on ``retriever``'s index with the configured thresholds, confidence and
    topic-change models, answering with ``examples`` and tiering with ``known_gaps``."""
    from assistant.live.suggestion_engine import SuggestionEngine

    tuning = settings.suggestions
    return SuggestionEngine.for_index(
        retriever,
        retriever.index,
        tuning.suggestion_config(),
        tuning.concern_confidence(),
        tuning.topic_change(),
        examples,
        known_gaps,
    )


def build_call_service(
    settings: Settings,
    encoder: Encoder | None = None,
    knowledge_base: KnowledgeBase | None = None,
    database_url: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CallService:
    """Everything a live call needs: retriever, suggestion engine, storage, redaction, events."""
    from assistant.events.hub import EventHub
    from assistant.live.call_service import CallService
    from assistant.privacy.redaction import GermanRedactor
    from assistant.storage.call_store import CallStore

    # The index is built in a child process when the child can make the same parts from the settings.
    apart = (
        settings.server.build_index_apart
        and encoder is None
        and knowledge_base is None
        and not settings.encoder.model.startswith(FAKE_MODEL_PREFIX)
    )
    knowledge_base = knowledge_base or load_knowledge_base(settings.knowledge_dir)
    # Every embedding of the service (index refresh, live queries, gaps report) goes through one worker.
    worker = make_inference_worker(settings, encoder)
    try:
        try:
            retriever, _ = open_retriever(
                settings, worker, knowledge_base, on_stale="fail" if apart else "refresh", progress=progress
            )
        except (MissingIndexError, StaleIndexError):
            build_index_apart(settings, progress)
            # Current now; a build the child could not finish happens here, with its error.
            retriever, _ = open_retriever(settings, encoder=worker, knowledge_base=knowledge_base, progress=progress)
    except BaseException:
        worker.stop()
        raise
    engine = make_engine(
        settings,
        retriever,
        settings.suggestions.examples_of(knowledge_base),
        settings.suggestions.gaps_of(knowledge_base),
    )
    # One search per city before the first call: the first encoder pass and first index use are slow.
    for city in knowledge_base.cities.keys:
        retriever.search("Personalausweis beantragen", city, k=1)
    retriever.clear_query_cache()
    store = CallStore(database_url or settings.database)
    hub = EventHub(store, make_fanout(settings))
    service = CallService(
        store,
        engine,
        retriever,
        worker,
        knowledge_base,
        GermanRedactor(),
        hub,
        on_close=[worker.stop],
        learn_answers=settings.suggestions.learn_answers,
        file_gaps=settings.suggestions.gaps_of(knowledge_base),
        known_gaps=settings.suggestions.known_gaps,
    )
    service.learn_new_marks()  # the answer marks agents made before this start
    service.learn_stored_gaps()  # the known gaps marked on the gaps page before this start
    return service


def make_fanout(settings: Settings) -> EventFanout:
    """Redis pub/sub when ``redis_url`` is set (several replicas), else in-process."""
    from assistant.events.fanout import InProcessFanout

    if settings.redis_url:
        from assistant.events.redis_fanout import RedisFanout

        return RedisFanout(settings.redis_url)
    return InProcessFanout()
