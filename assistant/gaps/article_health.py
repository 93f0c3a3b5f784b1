"""Article health: which published articles never reach agents, which they reject, which are old,
and which say nearly the same as another article of the same city."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from assistant.gaps.signals import ArticleUsage
from corpus.knowledge_base import KnowledgeBase
from corpus.models import Article
from embeddings.encoders.encoder import Vectors


@dataclass(frozen=True)
class ArticleHealthConfig:
    stale_after_days: int = 365
    min_exposed_calls: int = 3
    dismissed_rate: float = 0.5
    not_helpful_rate: float = 0.3
    duplicate_similarity: float = 0.98


@dataclass(frozen=True)
class ArticleRef:
    article_id: str
    city: str
    title: str


@dataclass(frozen=True)
class RejectedArticle:
    """An article agents often dismissed or marked not helpful (rates per call it was shown in)."""

    article_id: str
    city: str
    title: str
    exposed_calls: int
    dismissed_calls: int
    not_helpful_calls: int
    helpful_calls: int

    @property
    def dismissed_rate(self) -> float:
        return self.dismissed_calls / self.exposed_calls if self.exposed_calls else 0.0

    @property
    def not_helpful_rate(self) -> float:
        return self.not_helpful_calls / self.exposed_calls if self.exposed_calls else 0.0


@dataclass(frozen=True)
class StaleArticle:
    article_id: str
    city: str
    title: str
    updated: date
    age_days: int


@dataclass(frozen=True)
class DuplicatePair:
    city: str
    first: ArticleRef
    second: ArticleRef
    similarity: float


@dataclass(frozen=True)
class ArticleHealth:
    never_suggested: list[ArticleRef] = field(default_factory=list)
    rejected: list[RejectedArticle] = field(default_factory=list)
    stale: list[StaleArticle] = field(default_factory=list)
    duplicates: list[DuplicatePair] = field(default_factory=list)


def _ref(article: Article) -> ArticleRef:
    return ArticleRef(article.id, article.city, article.title)


class ArticleHealthCheck:
    def __init__(self, knowledge: KnowledgeBase, config: ArticleHealthConfig | None = None) -> None:
        self.knowledge = knowledge
        self.config = config or ArticleHealthConfig()

    def _articles(self, cities: Iterable[str] | None) -> list[Article]:
        """Published articles of the cities' folders (and the common folder), or of all folders."""
        if cities is None:
            return sorted(self.knowledge.published, key=lambda a: a.id)
        folders = {f for c in cities for f in self.knowledge.cities.scope(c)}
        return sorted((a for a in self.knowledge.published if a.city in folders), key=lambda a: a.id)

    def check(
        self,
        usage: Mapping[str, ArticleUsage],
        vectors: Mapping[str, Vectors],
        today: date,
        cities: Iterable[str] | None = None,
        cities_with_calls: Iterable[str] = (),
    ) -> ArticleHealth:
        """``cities`` limits the report; ``cities_with_calls`` are the cities with calls in the data
        window: only there does "never suggested" mean something."""
        articles = self._articles(list(cities) if cities is not None else None)
        called = set(cities_with_calls)
        folders_with_calls = {f for c in called for f in self.knowledge.cities.scope(c)}
        return ArticleHealth(
            never_suggested=[
                _ref(a)
                for a in articles
                if a.city in folders_with_calls and usage.get(a.id, ArticleUsage(a.id)).exposed_calls == 0
            ],
            rejected=self._rejected(articles, usage),
            stale=self._stale(articles, today),
            duplicates=self._duplicates(articles, vectors),
        )

    def _rejected(self, articles: list[Article], usage: Mapping[str, ArticleUsage]) -> list[RejectedArticle]:
        found = []
        for article in articles:
            use = usage.get(article.id)
            if use is None or use.exposed_calls < self.config.min_exposed_calls:
                continue
            row = RejectedArticle(
                article.id,
                article.city,
                article.title,
                use.exposed_calls,
                use.dismissed_calls,
                use.not_helpful_calls,
                use.helpful_calls,
            )
            if row.dismissed_rate >= self.config.dismissed_rate or row.not_helpful_rate >= self.config.not_helpful_rate:
                found.append(row)
        return sorted(found, key=lambda r: (-(r.not_helpful_rate + r.dismissed_rate), -r.exposed_calls, r.article_id))

    def _stale(self, articles: list[Article], today: date) -> list[StaleArticle]:
        stale = [
            StaleArticle(a.id, a.city, a.title, a.updated, (today - a.updated).days)
            for a in articles
            if (today - a.updated).days > self.config.stale_after_days
        ]
        return sorted(stale, key=lambda s: (-s.age_days, s.article_id))

    def _duplicates(self, articles: list[Article], vectors: Mapping[str, Vectors]) -> list[DuplicatePair]:
        pairs = []
        by_folder: dict[str, list[Article]] = {}
        for article in articles:
            if article.id in vectors:
                by_folder.setdefault(article.city, []).append(article)
        for folder, members in sorted(by_folder.items()):
            if len(members) < 2:
                continue
            matrix = np.stack([vectors[a.id] for a in members])
            similarity = matrix @ matrix.T
            close = np.nonzero(np.triu(similarity, k=1) >= self.config.duplicate_similarity)
            for i, j in zip(*close, strict=True):
                first, second = members[int(i)], members[int(j)]
                pairs.append(DuplicatePair(folder, _ref(first), _ref(second), round(float(similarity[i, j]), 4)))
        return sorted(pairs, key=lambda p: (-p.similarity, p.first.article_id))
