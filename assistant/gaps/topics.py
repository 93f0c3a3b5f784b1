"""From gap signals to ranked topics: cluster, label, find the nearest article.

1. Signals are grouped per call: everything one call said that the knowledge base did not answer
   (the suggestion engine's topic numbers are too fine for this, it starts a new topic for many
   follow-up questions). Texts without a noun that may name a matter (greetings, thanks, "und wie
   lange dauert dat", ``CTfIdfLabeler.names_a_matter``) are left out unless nothing else is left. A
   call's texts are joined into one concern.
2. Concerns are clustered by average-linkage agglomerative clustering on ``1 - similarity``
   (``text_similarity.py``: dense and lexical), cut at ``TopicConfig.distance_threshold``. Small data
   works: one concern is one topic. The clustering runs over all cities at once and each cluster is
   then split by city: a city's topic is the part of a shared matter that occurred in that city, and
   the cluster is the *group* that recognizes the same topic across cities. Clustering each city on
   its own gave no threshold that kept unrelated matters apart in one city and related ones together
   in another; sparse cities borrow evidence from the others this way.
3. Each topic gets characteristic words (c-TF-IDF, ``labels.py``), the utterances closest to its
   centroid as examples, its distinct calls and their count per ISO week, and, on request
   (``attach_nearest_articles``), the nearest existing article of its city (a search with the examples).

Impact ranking: a topic's impact is the sum over its distinct calls of the weights of the signal kinds
that call produced (each kind once per call, ``KIND_WEIGHTS``). A missing or explicitly unhelpful answer
is the strongest evidence, a dismissed suggestion next, a search nobody used weaker, and a call without
any helpful mark the weakest, because agents often give no feedback at all. Kinds seen together in one
call corroborate each other and add up. Ties go to the topic whose group has more calls in all cities
(a matter that troubles every city first), then to the topic with more calls.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import numpy.typing as npt

from assistant.gaps.labels import CTfIdfLabeler
from assistant.gaps.signals import SIGNAL_KINDS, GapSignal, SignalKind
from assistant.gaps.text_similarity import HybridTextSimilarity, TextVectors
from embeddings.retrieval.retriever import Retriever

KIND_WEIGHTS: dict[SignalKind, float] = {
    "unanswered": 3.0,
    "not_helpful": 3.0,
    "dismissed": 2.0,
    "search_without_click": 1.5,
    "no_helpful_call": 1.0,
}


# An unanswered question in a call that something else answered (the call has a helpful or copied mark,
# so it produced no "no_helpful_call" evidence) is a follow-up the content team can weigh lower than a
# concern that went unanswered in the whole call.
ANSWERED_CALL_UNANSWERED_WEIGHT = 1.5


def call_weight(kinds: set[SignalKind]) -> float:
    """The evidence one call adds to a topic's impact."""
    weights = {k: KIND_WEIGHTS[k] for k in kinds}
    if "unanswered" in weights and "no_helpful_call" not in kinds:
        weights["unanswered"] = ANSWERED_CALL_UNANSWERED_WEIGHT
    return sum(weights.values())


@dataclass(frozen=True)
class TopicConfig:
    """``distance_threshold`` and the report's ``dense_weight`` (0.3) were chosen with the default model
    (multilingual-e5-small) on the demo calls (dev + uncovered, replayed) and on
    ``demo/calls/independent-tune.jsonl`` (replayed, and every labeled concern clustered on its own:
    ``python -m eval.gaps_quality ... --every-concern``), never on ``independent-test``. Of the cuts
    tried (0.75 to 0.84; dense weight 0.2, 0.3, 0.45), 0.78 with 0.3 keeps every planted matter of the
    demo in one pure topic and gives the purest topics on the tune concerns (docs/gaps.md). The range
    is narrow (the small model tells colloquial calls apart poorly), so check it on real calls."""

    distance_threshold: float = 0.78
    examples: int = 3
    words_per_label: int = 3
    # The nearest article is shown only when the search for the topic's examples is at least this
    # confident that it answers them; otherwise the page says "kein passender Artikel".
    nearest_min_confidence: float = 0.7


@dataclass(frozen=True)
class NearestArticle:
    article_id: str
    title: str
    score: float


@dataclass(frozen=True)
class WeekCount:
    week: str
    calls: int


@dataclass
class GapTopic:
    """Concerns of one city that the knowledge base answers badly, with what a content team needs."""

    id: str
    city: str
    label: str
    words: list[str]
    count: int
    impact: float
    kind: SignalKind
    kinds: dict[str, int]
    examples: list[str]
    trend: list[WeekCount]
    question: str = ""
    title: str = ""
    searches_without_results: int = 0
    draft: str = ""
    draft_file: str = ""
    group: str = ""
    group_count: int = 0
    nearest_article: NearestArticle | None = None
    signal_articles: list[str] = field(default_factory=list)
    call_ids: list[str] = field(default_factory=list)
    # (call id, text) of every caller question and search in the topic, in call order.
    questions: list[tuple[str, str]] = field(default_factory=list, repr=False)
    centroid: TextVectors | None = field(default=None, repr=False)
    members: TextVectors | None = field(default=None, repr=False)


@dataclass
class Concern:
    """What one call said that the knowledge base did not answer, with the kinds of evidence."""

    city: str
    call_id: str
    texts: list[str] = field(default_factory=list)
    kinds: set[SignalKind] = field(default_factory=set)
    articles: Counter[str] = field(default_factory=Counter)
    first_seen: datetime | None = None
    empty_search: bool = False  # a manual search in this call found nothing at all

    @property
    def text(self) -> str:
        return " ".join(self.texts)


def group_concerns(signals: Iterable[GapSignal]) -> list[Concern]:
    """One concern per (city, call); a signal without a call is a concern of its own."""
    concerns: dict[tuple[str, str], Concern] = {}
    for signal in signals:
        key = signal.call_id or f"text:{signal.text}"
        concern = concerns.setdefault((signal.city, key), Concern(city=signal.city, call_id=key))
        if signal.text.strip() and signal.text not in concern.texts:
            concern.texts.append(signal.text)
        concern.kinds.add(signal.kind)
        if signal.kind == "search_without_click" and not signal.article_id:
            concern.empty_search = True
        if signal.article_id:
            concern.articles[signal.article_id] += 1
        if concern.first_seen is None or signal.time < concern.first_seen:
            concern.first_seen = signal.time
    return [c for c in concerns.values() if c.texts]


def cluster(similarity: npt.NDArray[np.float64], distance_threshold: float) -> list[int]:
    """Cluster ids per row of a square similarity matrix: average linkage, cut at the threshold."""
    if len(similarity) < 2:
        return [0] * len(similarity)
    from sklearn.cluster import AgglomerativeClustering

    distance = np.clip(1.0 - similarity, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    model = AgglomerativeClustering(
        n_clusters=None, distance_threshold=distance_threshold, metric="precomputed", linkage="average"
    )
    return [int(x) for x in model.fit_predict(distance)]


def iso_week(moment: datetime) -> str:
    year, week, _ = moment.isocalendar()
    return f"{year}-W{week:02d}"


class TopicFinder:
    def __init__(
        self,
        similarity: HybridTextSimilarity,
        labeler: CTfIdfLabeler,
        search: Retriever | None = None,
        config: TopicConfig | None = None,
    ) -> None:
        self.similarity = similarity
        self.labeler = labeler
        self.search = search
        self.config = config or TopicConfig()

    def find(self, signals: Sequence[GapSignal], background: Sequence[str] = ()) -> list[GapTopic]:
        """Topics of all cities in the signals, highest impact first. ``background``: texts that show
        which words are common (knowledge articles, answered calls), for the similarity and the labels."""
        concerns = group_concerns(signals)
        if not concerns:
            return []
        for concern in concerns:
            # Greetings, thanks and noun-less follow-ups say nothing about the matter; they would only
            # pull unrelated calls together. A concern keeps its texts when none names a matter.
            concern.texts = [t for t in concern.texts if self.labeler.names_a_matter(t)] or concern.texts
        self.similarity.fit([*background, *(c.text for c in concerns)])
        vectors = self.similarity.vectors([c.text for c in concerns])
        clusters = cluster(self.similarity.similarity(vectors, vectors), self.config.distance_threshold)
        members: dict[tuple[int, str], list[int]] = defaultdict(list)
        for row, (cluster_id, concern) in enumerate(zip(clusters, concerns, strict=True)):
            members[(cluster_id, concern.city)].append(row)
        keys = sorted(members)
        # The labels weigh a topic's nouns against the other topics of its city and the reference texts
        # (articles, answered questions); the topics' own questions are counted per city.
        asked = {s.text for s in signals}
        labels = self.labeler.characteristic_words(
            [["\n".join(concerns[i].texts) for i in members[k]] for k in keys],  # one text per call
            [cluster_id for cluster_id, _ in keys],
            [t for t in background if t not in asked],
            [city for _, city in keys],
        )
        topics = [
            self._topic([concerns[i] for i in members[key]], vectors.rows(members[key]), words)
            for key, words in zip(keys, labels, strict=True)
        ]
        self._choose_examples(topics, [[concerns[i] for i in members[k]] for k in keys])
        self._assign_groups(topics, [cluster_id for cluster_id, _ in keys])
        topics.sort(key=lambda t: (-t.impact, -t.group_count, -t.count, t.city, t.label))
        per_city: Counter[str] = Counter()
        for topic in topics:
            per_city[topic.city] += 1
            topic.id = f"{topic.city}-{per_city[topic.city]}"
        return topics

    def _topic(self, concerns: list[Concern], vectors: TextVectors, words: list[str]) -> GapTopic:
        kinds_per_call: dict[str, set[SignalKind]] = defaultdict(set)
        first_seen: dict[str, datetime] = {}
        articles: Counter[str] = Counter()
        empty_searches: set[str] = set()
        for concern in concerns:
            kinds_per_call[concern.call_id] |= concern.kinds
            if concern.empty_search:
                empty_searches.add(concern.call_id)
            articles.update(concern.articles)
            seen = concern.first_seen
            if seen and (concern.call_id not in first_seen or seen < first_seen[concern.call_id]):
                first_seen[concern.call_id] = seen
        impact = sum(call_weight(kinds) for kinds in kinds_per_call.values())
        kind_calls = {k: sum(1 for kinds in kinds_per_call.values() if k in kinds) for k in SIGNAL_KINDS}
        strongest = max((k for k in SIGNAL_KINDS if kind_calls[k]), key=lambda k: KIND_WEIGHTS[k])
        weeks = Counter(iso_week(moment) for moment in first_seen.values())
        return GapTopic(
            id="",
            city=concerns[0].city,
            label=", ".join(words),
            words=words,
            count=len(kinds_per_call),
            impact=round(impact, 2),
            kind=strongest,
            kinds={k: n for k, n in kind_calls.items() if n},
            examples=[],
            trend=[WeekCount(week, weeks[week]) for week in sorted(weeks)],
            signal_articles=[a for a, _ in articles.most_common()],
            searches_without_results=len(empty_searches),
            call_ids=sorted(kinds_per_call),
            questions=[(c.call_id, t) for c in concerns for t in c.texts],
            centroid=vectors.centroid(),
            members=vectors,
        )

    def _choose_examples(self, topics: list[GapTopic], concerns: list[list[Concern]]) -> None:
        """The utterances closest to each topic's centroid, one per call first, then any; the label; and
        the question shown with it."""
        texts = list(dict.fromkeys(t for group in concerns for c in group for t in c.texts))
        index = {t: i for i, t in enumerate(texts)}
        vectors = self.similarity.vectors(texts)
        for topic, group in zip(topics, concerns, strict=True):
            assert topic.centroid is not None
            candidates = [(c.call_id, t) for c in group for t in c.texts]
            scores = self.similarity.similarity(vectors.rows([index[t] for _, t in candidates]), topic.centroid)[:, 0]
            ranked = sorted(zip(scores, candidates, strict=True), key=lambda x: (-x[0], x[1][1]))
            chosen: list[str] = []
            calls: set[str] = set()
            for _, (call_id, text) in ranked:
                if len(chosen) < self.config.examples and call_id not in calls and text not in chosen:
                    chosen.append(text)
                    calls.add(call_id)
            for _, (_, text) in ranked:
                if len(chosen) < self.config.examples and text not in chosen:
                    chosen.append(text)
            topic.examples = chosen
            topic.label = topic.title = self.labeler.label_phrase([t for c in group for t in c.texts], topic.words)
            # The question shown with the label: the most central one that says what the label says.
            central = list(dict.fromkeys(text for _, (_, text) in ranked))
            named = self.labeler.naming_question(central, topic.label, topic.words)
            topic.question = named or (chosen[0] if chosen else "")

    @staticmethod
    def _assign_groups(topics: list[GapTopic], clusters: list[int]) -> None:
        """Topics of one cluster share a group, named ``g1``, ``g2``, ... by the rank of their best topic."""
        calls: Counter[int] = Counter()
        for topic, cluster_id in zip(topics, clusters, strict=True):
            calls[cluster_id] += topic.count
        order = sorted(range(len(topics)), key=lambda i: (-topics[i].impact, -topics[i].count, topics[i].label))
        names: dict[int, str] = {}
        for index in order:
            cluster_id = clusters[index]
            topics[index].group = names.setdefault(cluster_id, f"g{len(names) + 1}")
            topics[index].group_count = calls[cluster_id]

    def attach_nearest_articles(self, topics: Sequence[GapTopic]) -> None:
        """Search each topic's city for the article closest to its examples; kept only when the search is
        confident enough that it covers them (``nearest_min_confidence``)."""
        if self.search is None:
            return
        for topic in topics:
            query = " ".join(topic.examples)
            if query.strip():
                hits = self.search.search(query, topic.city, k=1)
                if hits and hits[0].score >= self.config.nearest_min_confidence:
                    topic.nearest_article = NearestArticle(hits[0].article_id, hits[0].title, hits[0].score)
