"""``GapReporter``: everything the content teams' report shows, from the call store, the index and
the knowledge base."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING

from assistant.gaps.article_health import ArticleHealth, ArticleHealthCheck, ArticleHealthConfig
from assistant.gaps.asymmetry import (
    AsymmetryConfig,
    MissingArticle,
    ServiceAsymmetry,
    TopicAsymmetry,
    missing_articles,
    service_asymmetries,
    topic_asymmetries,
)
from assistant.gaps.draft_article import draft_article, draft_file_name
from assistant.gaps.embedding_cache import CachedQueryEmbedder
from assistant.gaps.labels import CTfIdfLabeler
from assistant.gaps.signals import AnsweredUtterance, GapSignal, StoredSignalReader
from assistant.gaps.text_similarity import HybridTextSimilarity
from assistant.gaps.topics import GapTopic, TopicConfig, TopicFinder
from assistant.storage.call_store import CallStore
from corpus.catalog import CatalogService
from corpus.knowledge_base import KnowledgeBase
from embeddings.retrieval.retriever import Retriever

if TYPE_CHECKING:
    from assistant.live.call_service import CallService


@dataclass(frozen=True)
class ReportCity:
    key: str
    name: str


@dataclass
class GapReport:
    generated_at: datetime
    city: str | None
    since: date | None
    cities: list[ReportCity]
    topics: list[GapTopic]
    health: ArticleHealth
    topic_asymmetries: list[TopicAsymmetry] = field(default_factory=list)
    service_asymmetries: list[ServiceAsymmetry] = field(default_factory=list)
    missing_articles: list[MissingArticle] | None = None
    signals: int = 0

    def city_name(self, key: str) -> str:
        return next((c.name for c in self.cities if c.key == key), key)


@dataclass(frozen=True)
class GapReportConfig:
    topics: TopicConfig = field(default_factory=TopicConfig)
    health: ArticleHealthConfig = field(default_factory=ArticleHealthConfig)
    asymmetry: AsymmetryConfig = field(default_factory=AsymmetryConfig)
    dense_weight: float = 0.3


def start_of(day: date | None) -> datetime | None:
    return datetime.combine(day, time.min, tzinfo=UTC) if day else None


class GapReporter:
    def __init__(
        self,
        store: CallStore,
        retriever: Retriever,
        embedder: CachedQueryEmbedder,
        knowledge: KnowledgeBase,
        catalog: list[CatalogService] | None = None,
        config: GapReportConfig | None = None,
    ) -> None:
        self.reader = StoredSignalReader(store)
        self.retriever = retriever
        self.knowledge = knowledge
        self.catalog = catalog
        self.config = config or GapReportConfig()
        self.embedder = embedder
        names = [w for c in knowledge.cities.cities for w in (c.key, *c.name.lower().split())]
        self.labeler = CTfIdfLabeler(names, self.config.topics.words_per_label)

    @classmethod
    def for_service(
        cls,
        service: CallService,
        catalog: list[CatalogService] | None = None,
        config: GapReportConfig | None = None,
        embedder: CachedQueryEmbedder | None = None,
    ) -> GapReporter:
        embedder = embedder or CachedQueryEmbedder(service.encoder)
        return cls(service.store, service.retriever, embedder, service.knowledge, catalog, config)

    def _knowledge_texts(self) -> list[str]:
        return [f"{a.title}\n{s.heading}\n{s.text}" for a in self.knowledge.published for s in a.sections]

    def background(self, signals: Sequence[GapSignal], answered: Sequence[AnsweredUtterance] = ()) -> list[str]:
        """The texts that show which words are common: the knowledge articles and the calls."""
        return [*self._knowledge_texts(), *(a.text for a in answered), *(s.text for s in signals)]

    def topic_finder(self) -> TopicFinder:
        """Clusters and labels signals: the similarity of two concerns is their query vectors' and the
        character 4-grams of the nouns that may name a matter (``CTfIdfLabeler.matter_nouns``)."""
        self.labeler.learn_vocabulary(self._knowledge_texts())
        similarity = HybridTextSimilarity(self.embedder, self.labeler.matter_nouns, self.config.dense_weight)
        return TopicFinder(similarity, self.labeler, self.retriever, self.config.topics)

    def _attach_drafts(self, topics: list[GapTopic], asymmetries: list[TopicAsymmetry], today: date) -> None:
        """A draft article per topic; where another city answers the matter, its article's structure."""
        models = {a.weak_topic: a.strong_article_id for a in asymmetries}
        cities = self.knowledge.cities
        for topic in topics:
            model = self.knowledge.articles.get(models.get(topic.id, ""))
            model_city = None
            if model is not None and model.city != cities.common_key:
                model_city = cities.get(model.city).name
            title = topic.title or topic.label
            topic.draft = draft_article(
                topic.city, cities.get(topic.city).name, title, topic.examples, today, model, model_city
            )
            topic.draft_file = draft_file_name(topic.city, title)

    def build(self, city: str | None = None, since: date | None = None, today: date | None = None) -> GapReport:
        """The report for one city (or all). Topics are always found over all cities, so a city's
        topics do not change with the filter."""
        if city:
            city = self.knowledge.cities.get(city).key
        moment = start_of(since)
        today = today or datetime.now(UTC).date()
        signals = self.reader.gap_signals(None, moment)
        answered = self.reader.answered(None, moment)
        background = self.background(signals, answered)
        finder = self.topic_finder()
        similarity = finder.similarity
        every_topic = finder.find(signals, background)
        topics = [t for t in every_topic if not city or t.city == city]
        finder.attach_nearest_articles(topics)
        titles = {a.id: a.title for a in self.knowledge.published}
        asymmetries = topic_asymmetries(
            every_topic, answered, similarity, self.config.asymmetry.topic_similarity, titles
        )
        self._attach_drafts(topics, asymmetries, today)
        usage = self.reader.article_usage(None, moment)
        cities = [city] if city else self.knowledge.cities.keys
        involved = set(cities)
        missing = missing_articles(self.knowledge, self.catalog, cities) if self.catalog is not None else None
        health = ArticleHealthCheck(self.knowledge, self.config.health).check(
            usage,
            self.retriever.article_vectors(),
            today,
            cities=[city] if city else None,
            cities_with_calls=self.reader.cities_with_calls(city, moment),
        )
        return GapReport(
            generated_at=datetime.now(UTC),
            city=city,
            since=since,
            cities=[ReportCity(c.key, c.name) for c in self.knowledge.cities.cities],
            topics=topics,
            health=health,
            topic_asymmetries=[a for a in asymmetries if {a.weak_city, a.strong_city} & involved],
            service_asymmetries=[
                a
                for a in service_asymmetries(self.knowledge, usage, self.config.asymmetry)
                if {a.weak_city, a.strong_city} & involved
            ],
            missing_articles=missing,
            signals=sum(1 for s in signals if s.city in involved),
        )
