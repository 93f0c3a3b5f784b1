"""Differences between cities: what one city's knowledge base answers and another's does not.

- *Topic asymmetry*: a gap topic of one city whose concern another city answered: an article was
  marked helpful or copied there in a call topic that matches the gap topic (average similarity to the
  topic's calls of at least ``min_similarity``, and no other topic closer), while that other city has
  fewer gap calls on the same matter than answered ones. One answered topic is compared with a gap
  topic, so the bar is set higher than the clustering's, which averages over many pairs.
- *Service asymmetry*: the same catalog service, whose article helps in one city (helpful or copied in
  at least half of the calls it was shown in) and not in another (never helpful, mostly rejected).
- *Missing articles*: catalog services without a published article in a city (or in the common folder).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from assistant.gaps.signals import AnsweredUtterance, ArticleUsage
from assistant.gaps.text_similarity import HybridTextSimilarity
from assistant.gaps.topics import GapTopic
from corpus.catalog import CatalogService
from corpus.knowledge_base import KnowledgeBase


@dataclass(frozen=True)
class TopicAsymmetry:
    label: str
    group: str
    weak_city: str
    weak_topic: str
    weak_calls: int
    strong_city: str
    strong_calls: int
    strong_article_id: str
    strong_article_title: str


@dataclass(frozen=True)
class ServiceAsymmetry:
    service: str
    strong_city: str
    strong_article_id: str
    strong_helpful_calls: int
    strong_exposed_calls: int
    weak_city: str
    weak_article_id: str
    weak_rejected_calls: int
    weak_exposed_calls: int


@dataclass(frozen=True)
class MissingArticle:
    city: str
    service: str
    title: str


@dataclass(frozen=True)
class AsymmetryConfig:
    topic_similarity: float = 0.3
    min_calls: int = 2
    strong_helpful_rate: float = 0.5
    weak_rejected_rate: float = 0.5


def topic_asymmetries(
    topics: Sequence[GapTopic],
    answered: Sequence[AnsweredUtterance],
    similarity: HybridTextSimilarity,
    min_similarity: float,
    titles: Mapping[str, str],
) -> list[TopicAsymmetry]:
    """Gap topics of one city that another city answered in more calls than it has gap calls on them."""
    calls: dict[tuple[str, str, int], list[AnsweredUtterance]] = defaultdict(list)
    for utterance in answered:
        calls[(utterance.city, utterance.call_id, utterance.topic)].append(utterance)
    keys = sorted(calls)
    candidates = [t for t in topics if t.members is not None and len(t.members)]
    if not keys or not candidates:
        return []
    vectors = similarity.vectors([" ".join(dict.fromkeys(u.text for u in calls[k])) for k in keys])
    # Average similarity of each answered call to each topic's calls (the average-linkage criterion).
    scores = np.stack(
        [similarity.similarity(vectors, t.members).mean(axis=1) for t in candidates if t.members is not None], axis=1
    )
    gap_calls: Counter[tuple[str, str]] = Counter()
    for topic in topics:
        gap_calls[(topic.group, topic.city)] += topic.count
    matched: dict[tuple[int, str], list[tuple[str, str, int]]] = defaultdict(list)
    for row, key in enumerate(keys):
        best = int(np.argmax(scores[row]))
        if scores[row, best] >= min_similarity and key[0] != candidates[best].city:
            matched[(best, key[0])].append(key)
    found = []
    for (index, city), answered_topics in sorted(matched.items()):
        topic = candidates[index]
        answered_calls = {call_id for _, call_id, _ in answered_topics}
        if len(answered_calls) <= gap_calls[(topic.group, city)]:
            continue
        articles = Counter(a for key in answered_topics for a in dict.fromkeys(u.article_id for u in calls[key]))
        article_id = articles.most_common(1)[0][0]
        found.append(
            TopicAsymmetry(
                label=topic.label,
                group=topic.group,
                weak_city=topic.city,
                weak_topic=topic.id,
                weak_calls=topic.count,
                strong_city=city,
                strong_calls=len(answered_calls),
                strong_article_id=article_id,
                strong_article_title=titles.get(article_id, article_id),
            )
        )
    return sorted(found, key=lambda a: (-(a.weak_calls + a.strong_calls), a.weak_topic, a.strong_city))


def service_asymmetries(
    knowledge: KnowledgeBase, usage: Mapping[str, ArticleUsage], config: AsymmetryConfig | None = None
) -> list[ServiceAsymmetry]:
    """Services whose article helps in one city and is rejected in another."""
    config = config or AsymmetryConfig()
    by_service: dict[str, list[tuple[str, ArticleUsage]]] = defaultdict(list)
    common = knowledge.cities.common_key
    for article in knowledge.published:
        use = usage.get(article.id)
        if article.city != common and use is not None and use.exposed_calls >= config.min_calls:
            by_service[article.service].append((article.city, use))
    found = []
    for service, rows in sorted(by_service.items()):
        strong = [
            (city, use)
            for city, use in rows
            if use.helpful_calls + use.copied_calls >= config.min_calls
            and (use.helpful_calls + use.copied_calls) / use.exposed_calls >= config.strong_helpful_rate
        ]
        weak = [
            (city, use)
            for city, use in rows
            if use.helpful_calls + use.copied_calls == 0
            and (use.dismissed_calls + use.not_helpful_calls) / use.exposed_calls >= config.weak_rejected_rate
        ]
        for strong_city, good in strong:
            for weak_city, bad in weak:
                found.append(
                    ServiceAsymmetry(
                        service=service,
                        strong_city=strong_city,
                        strong_article_id=good.article_id,
                        strong_helpful_calls=good.helpful_calls + good.copied_calls,
                        strong_exposed_calls=good.exposed_calls,
                        weak_city=weak_city,
                        weak_article_id=bad.article_id,
                        weak_rejected_calls=max(bad.dismissed_calls, bad.not_helpful_calls),
                        weak_exposed_calls=bad.exposed_calls,
                    )
                )
    return found


def missing_articles(
    knowledge: KnowledgeBase, catalog: Sequence[CatalogService], cities: Iterable[str]
) -> list[MissingArticle]:
    """Catalog services without a published article in the city's folder or the common folder."""
    found: list[MissingArticle] = []
    for city in cities:
        scope = set(knowledge.cities.scope(city))
        covered = {a.service for a in knowledge.published if a.city in scope}
        found.extend(MissingArticle(city, s.slug, s.title) for s in catalog if s.slug not in covered)
    return found
