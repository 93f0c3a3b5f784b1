"""Gap topics: signals clustered per matter, impact, groups across cities, weekly trend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.gaps.embedding_cache import CachedQueryEmbedder
from assistant.gaps.labels import CTfIdfLabeler
from assistant.gaps.signals import GapSignal, SignalKind
from assistant.gaps.text_similarity import HybridTextSimilarity
from assistant.gaps.topics import KIND_WEIGHTS, GapTopic, TopicConfig, TopicFinder, cluster, group_concerns, iso_week
from corpus.models import Passage
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.retrieval.retriever import ArticleHit

NOW = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
RATS = ["bei uns im keller laufen ratten rum", "die ratten kommen aus dem kanal, wer bekämpft ratten"]
RATS_2 = ["im garten am kompost sind ratten", "ratten bekämpfung durch die stadt oder kammerjäger"]
TREE = ["ich will die große eiche im garten fällen", "brauche ich für das fällen vom baum eine genehmigung"]
LIBRARY = ["wie bekomme ich einen bibliotheksausweis für die stadtbibliothek", "bibliothek ausweis für kinder"]


def signals(
    call_id: str, texts: list[str], city: str = "duisburg", kind: SignalKind = "unanswered", when: datetime = NOW
) -> list[GapSignal]:
    return [GapSignal(city, kind, text, call_id, when, "duisburg/laerm", 0) for text in texts]


class RecordingSearch:
    def __init__(self) -> None:
        self.queries: list[tuple[str, str]] = []

    def search(self, query: str, city: str, k: int = 5) -> list[ArticleHit]:
        self.queries.append((query, city))
        passage = Passage("p", f"{city}/laerm", city, "Lärm melden", "Wer hilft", "Text")
        return [ArticleHit(f"{city}/laerm", "Lärm melden", city, "laerm", 0.42, passage, 1)]


@pytest.fixture
def finder() -> TopicFinder:
    labeler = CTfIdfLabeler(["duisburg", "bottrop", "dinslaken"])
    embedder = CachedQueryEmbedder(HashingFakeEncoder(dimension=64))
    similarity = HybridTextSimilarity(embedder, labeler.terms)
    return TopicFinder(similarity, labeler, RecordingSearch())


def by_label(topics: list[GapTopic], word: str) -> GapTopic:
    return next(t for t in topics if word in t.words)


@pytest.mark.unit
def test_one_signal_is_one_topic_with_everything_a_content_team_needs(finder: TopicFinder) -> None:
    topics = finder.find(signals("c1", ["wer bekämpft die ratten im keller"]))
    assert len(topics) == 1
    topic = topics[0]
    assert (topic.id, topic.city, topic.count) == ("duisburg-1", "duisburg", 1)
    assert (topic.kind, topic.impact) == ("unanswered", 1.5), "no evidence the call went unanswered throughout"
    assert topic.examples == ["wer bekämpft die ratten im keller"]
    assert "ratten" in topic.words and topic.label == topic.title and topic.label[0].isupper()
    assert topic.label.startswith("Ratten")
    assert [(w.week, w.calls) for w in topic.trend] == [(iso_week(NOW), 1)]
    assert topic.group == "g1" and topic.signal_articles == ["duisburg/laerm"]
    assert topic.nearest_article is None
    finder.attach_nearest_articles(topics)
    assert topic.nearest_article is None, "a search 42 % sure is no plausible nearest article (floor 70 %)"
    search = finder.search
    assert isinstance(search, RecordingSearch) and search.queries == [("wer bekämpft die ratten im keller", "duisburg")]
    finder.config = TopicConfig(nearest_min_confidence=0.4)
    finder.attach_nearest_articles(topics)
    assert topic.nearest_article is not None and topic.nearest_article.score == 0.42
    assert topic.question == topic.examples[0]


@pytest.mark.unit
def test_no_signals_no_topics(finder: TopicFinder) -> None:
    assert finder.find([]) == []
    assert cluster(__import__("numpy").zeros((0, 0)), 0.5) == []


@pytest.mark.unit
def test_calls_about_the_same_matter_form_one_topic_and_others_stay_apart(finder: TopicFinder) -> None:
    topics = finder.find([*signals("c1", RATS), *signals("c2", RATS_2), *signals("c3", TREE), *signals("c4", LIBRARY)])
    assert len(topics) == 3
    rats = by_label(topics, "ratten")
    assert rats.call_ids == ["c1", "c2"] and rats.count == 2
    assert {e for e in rats.examples} <= set(RATS + RATS_2)
    assert any(e in RATS for e in rats.examples) and any(e in RATS_2 for e in rats.examples)
    assert by_label(topics, "eiche").call_ids == ["c3"]
    assert by_label(topics, "bibliothek").call_ids == ["c4"]
    assert topics[0] is rats and topics[0].id == "duisburg-1"


@pytest.mark.unit
def test_impact_weighs_calls_by_the_kinds_of_evidence(finder: TopicFinder) -> None:
    weak = signals("w1", TREE, kind="no_helpful_call") + signals("w2", TREE[::-1], kind="no_helpful_call")
    strong = signals("s1", LIBRARY, kind="not_helpful")
    corroborated = signals("r1", RATS, kind="dismissed") + signals("r1", RATS, kind="no_helpful_call")
    topics = finder.find([*weak, *strong, *corroborated])
    tree, library, rats = by_label(topics, "eiche"), by_label(topics, "bibliothek"), by_label(topics, "ratten")
    assert tree.impact == 2 * KIND_WEIGHTS["no_helpful_call"] and tree.kind == "no_helpful_call"
    assert library.impact == KIND_WEIGHTS["not_helpful"] and library.kind == "not_helpful"
    assert rats.impact == KIND_WEIGHTS["dismissed"] + KIND_WEIGHTS["no_helpful_call"]
    assert rats.kind == "dismissed" and rats.kinds == {"dismissed": 1, "no_helpful_call": 1}
    assert [t.impact for t in topics] == sorted((t.impact for t in topics), reverse=True)
    assert KIND_WEIGHTS["unanswered"] == KIND_WEIGHTS["not_helpful"] > KIND_WEIGHTS["dismissed"]
    assert KIND_WEIGHTS["dismissed"] > KIND_WEIGHTS["search_without_click"] > KIND_WEIGHTS["no_helpful_call"]


@pytest.mark.unit
def test_the_same_matter_in_two_cities_shares_a_group(finder: TopicFinder) -> None:
    topics = finder.find(
        [
            *signals("d1", RATS, city="duisburg"),
            *signals("b1", RATS_2, city="bottrop"),
            *signals("b2", LIBRARY, city="bottrop"),
        ]
    )
    rats_duisburg = next(t for t in topics if t.city == "duisburg")
    rats_bottrop = next(t for t in topics if t.city == "bottrop" and "ratten" in t.words)
    library = by_label(topics, "bibliothek")
    assert rats_duisburg.group == rats_bottrop.group != library.group
    assert rats_duisburg.group_count == rats_bottrop.group_count == 2 and library.group_count == 1
    assert {t.id for t in topics} == {"duisburg-1", "bottrop-1", "bottrop-2"}
    assert rats_bottrop.id == "bottrop-1"


@pytest.mark.unit
def test_trend_counts_distinct_calls_per_iso_week(finder: TopicFinder) -> None:
    earlier = NOW - timedelta(days=14)
    topics = finder.find(
        [
            *signals("c1", RATS, when=earlier),
            *signals("c1", RATS, kind="no_helpful_call", when=earlier + timedelta(minutes=1)),
            *signals("c2", RATS_2, when=NOW),
            *signals("c3", RATS[:1], when=NOW + timedelta(days=1)),
        ]
    )
    assert len(topics) == 1
    assert [(w.week, w.calls) for w in topics[0].trend] == [(iso_week(earlier), 1), (iso_week(NOW), 2)]


@pytest.mark.unit
def test_concerns_group_the_signals_of_a_call() -> None:
    concerns = group_concerns(
        [
            *signals("c1", ["a b c", "a b c"], kind="dismissed"),
            *signals("c1", ["d e f"], kind="no_helpful_call"),
            GapSignal("duisburg", "search_without_click", "rattengift", None, NOW),
            GapSignal("duisburg", "unanswered", "   ", "c2", NOW),
        ]
    )
    assert [(c.call_id, c.texts, sorted(c.kinds)) for c in concerns] == [
        ("c1", ["a b c", "d e f"], ["dismissed", "no_helpful_call"]),
        ("text:rattengift", ["rattengift"], ["search_without_click"]),
    ]


@pytest.mark.unit
def test_labels_skip_fillers_and_placeholders_and_merge_word_forms() -> None:
    labeler = CTfIdfLabeler(["duisburg"])
    words = labeler.characteristic_words(
        [
            ["äh also ich hab da ne frage, [NAME] hier, eine ratte im keller", "ja genau die ratten im keller"],
            ["ich will einen baum fällen", "der baum ist krank"],
        ],
        background=["der keller ist nass", "im keller steht wasser", "frage zum ausweis"],
    )
    assert words[0][0] in ("ratten", "ratte") and "name" not in words[0] and "frage" not in words[0]
    assert words[1][0] == "baum"
    assert all(w not in ("äh", "also", "genau", "ich") for label in words for w in label)


@pytest.mark.unit
def test_a_concern_unanswered_in_the_whole_call_weighs_more_than_a_follow_up(finder: TopicFinder) -> None:
    text = "wer bekämpft die ratten im keller"
    whole_call = signals("c1", [text]) + signals("c1", [text], kind="no_helpful_call")
    follow_up = signals("c2", [text], city="bottrop")
    topics = {t.city: t for t in finder.find(whole_call + follow_up)}
    assert topics["duisburg"].impact == 3 + 1
    assert topics["bottrop"].impact == 1.5


@pytest.mark.unit
def test_labels_are_whole_nouns() -> None:
    labeler = CTfIdfLabeler(words_per_label=2)
    labeler.learn_vocabulary(["Den Personalausweis beantragen Sie im Bürgerbüro. Das kostet Geld. Ratten im Keller."])
    words = labeler.characteristic_words([["mein person alausweis kostet ratten"]])[0]
    assert words == ["ratten"], "neither the split pieces 'person' and 'alausweis' nor the verb 'kostet'"
    assert labeler.characteristic_words([["kostet keller"]])[0] == ["keller"]


@pytest.mark.unit
def test_greetings_and_thanks_stay_out_of_a_topic(finder: TopicFinder) -> None:
    texts = ["ja guten tag [NAME] hier", "bei uns im keller laufen ratten rum", "okay ja mach ich danke ihnen"]
    topic = finder.find(signals("c1", texts))[0]
    assert topic.questions == [("c1", "bei uns im keller laufen ratten rum")] and topic.examples == [texts[1]]
    only_thanks = finder.find(signals("c2", ["okay danke"]))[0]
    assert only_thanks.questions == [("c2", "okay danke")], "a concern keeps its texts when none names a matter"


@pytest.mark.unit
def test_each_city_names_a_matter_by_its_callers_word(finder: TopicFinder) -> None:
    """The labels weigh a topic's nouns against the other topics of its city, not against the same matter
    in other cities; and the questions of a call count one by one."""
    calls = {
        "duisburg": ["auf dem dachboden poltern waschbären", "die dämmung und die kabel sind zerfetzt, wer hilft da"],
        "bottrop": ["in der garage wohnen waschbären", "die mülltonne ist jede nacht umgekippt, die folie zerrissen"],
        "dinslaken": ["waschbären in der gartenlaube", "der rhabarber ist weg und die regentonne voll dreck"],
    }
    found = [s for city, texts in calls.items() for s in signals(f"w-{city}", texts, city=city)]
    found += signals("d2", ["die straßenlaterne vor der kita flackert seit tagen"], city="duisburg")
    topics = finder.find(found, [s.text for s in found])
    labels = {t.city: t.label for t in topics if "waschbären" in t.words}
    assert len(labels) == 3 and len({t.group for t in topics if "waschbären" in t.words}) > 1, labels
    assert all(label.startswith("Waschbären") for label in labels.values()), labels
    assert all("waschbären" in t.question for t in topics if "waschbären" in t.words)
