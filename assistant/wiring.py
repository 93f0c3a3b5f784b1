"""Builds the application's parts from settings: knowledge base, encoder, index, retriever."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from assistant.settings import Settings
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from embeddings.encoders.default_model import resolve_model
from embeddings.encoders.encoder import Encoder
from embeddings.index.index_store import StalePolicy, open_index
from embeddings.index.passage_index import RefreshReport
from embeddings.retrieval.retriever import HybridRetriever

if TYPE_CHECKING:
    from assistant.events.fanout import EventFanout
    from assistant.live.call_service import CallService

FAKE_MODEL_PREFIX = "fake:"


def make_encoder(settings: Settings) -> Encoder:
    """The configured encoder. ``fake:<dim>`` selects the deterministic test encoder (no model)."""
    from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder

    if settings.model.startswith(FAKE_MODEL_PREFIX):
        from embeddings.encoders.fake_encoder import HashingFakeEncoder

        return HashingFakeEncoder(dimension=int(settings.model.removeprefix(FAKE_MODEL_PREFIX) or 64))
    return SentenceTransformerEncoder(
        resolve_model(settings.model, settings.model_cache_dir),
        batch_size=settings.encode_batch_size,
        threads=settings.torch_threads,
    )


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
    return HybridRetriever(index, encoder, knowledge_base.cities, settings.retrieval_config()), report


def build_call_service(
    settings: Settings,
    encoder: Encoder | None = None,
    knowledge_base: KnowledgeBase | None = None,
    database_url: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CallService:
    """Everything a live call needs: retriever, suggestion engine, storage, redaction, events."""
    from assistant.events.hub import EventHub
    from assistant.live.answer_extraction import AnswerExtractor
    from assistant.live.call_service import CallService
    from assistant.live.suggestion_engine import SuggestionConfig, SuggestionEngine
    from assistant.privacy.redaction import GermanRedactor
    from assistant.storage.call_store import CallStore

    knowledge_base = knowledge_base or load_knowledge_base(settings.knowledge_dir)
    retriever, _ = open_retriever(settings, encoder=encoder, knowledge_base=knowledge_base, progress=progress)
    extractor = AnswerExtractor(retriever.index.lexical.analyzer, retriever.index.passages)
    engine = SuggestionEngine(
        retriever,
        extractor,
        SuggestionConfig(
            min_confidence=settings.min_confidence,
            per_utterance=settings.suggestions_per_utterance,
            context_turns=settings.context_turns,
        ),
    )
    # One search per city before the first call: the first encoder pass and first index use are slow.
    for city in knowledge_base.cities.keys:
        retriever.search("Personalausweis beantragen", city, k=1)
    retriever.clear_query_cache()
    store = CallStore(database_url or settings.database)
    hub = EventHub(store, make_fanout(settings))
    return CallService(store, engine, retriever, knowledge_base, GermanRedactor(), hub)


def make_fanout(settings: Settings) -> EventFanout:
    """Redis pub/sub when ``redis_url`` is set (several replicas), else in-process."""
    from assistant.events.fanout import InProcessFanout

    if settings.redis_url:
        from assistant.events.redis_fanout import RedisFanout

        return RedisFanout(settings.redis_url)
    return InProcessFanout()
