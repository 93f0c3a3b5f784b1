"""The knowledge-gaps report: planted gaps ranked, city filters, article health, city differences."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from assistant.gaps.article_health import ArticleHealthCheck, ArticleHealthConfig
from assistant.gaps.asymmetry import missing_articles, service_asymmetries, topic_asymmetries
from assistant.gaps.embedding_cache import CachedQueryEmbedder
from assistant.gaps.labels import CTfIdfLabeler
from assistant.gaps.report import GapReport, GapReporter
from assistant.gaps.report_csv import render_csv
from assistant.gaps.report_json import report_dict, topics_list
from assistant.gaps.report_markdown import render_markdown
from assistant.gaps.signals import AnsweredUtterance, ArticleUsage, GapSignal
from assistant.gaps.text_similarity import HybridTextSimilarity
from assistant.gaps.topics import TopicFinder
from assistant.live.call_service import CallService
from assistant.settings import Settings
from assistant.wiring import build_call_service
from corpus.catalog import CatalogService
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from tests.helpers import article_text, write_knowledge

TODAY = date(2026, 11, 20)
RATS = "bei uns im keller laufen ratten rum, wer bekämpft die ratten"


@pytest.fixture
def service(tmp_path: Path) -> CallService:
    knowledge = write_knowledge(tmp_path / "knowledge")
    (knowledge / "duisburg" / "alt.md").write_text(
        article_text("Altes Merkblatt", "merkblatt", "Veraltete Hinweise.", updated="2020-01-15"), encoding="utf-8"
    )
    settings = Settings(encoder={"model": "fake:64"}, knowledge_dir=knowledge, data_dir=tmp_path / "data")
    return build_call_service(settings, database_url=f"sqlite:///{tmp_path / 'calls.db'}")


def replay(service: CallService, city: str, turns: list[str], helpful: bool = False, dismiss: bool = False) -> str:
    call = service.open_call(city=city).call
    pushed: list[str] = []
    for text in turns:
        outcome = service.utterance(call.id, "caller", text)
        assert outcome is not None
        pushed.extend(s.article_id for s in outcome.pushed)
    for article_id in pushed:
        if helpful:
            service.feedback(call.id, article_id, "helpful")
        elif dismiss:
            service.feedback(call.id, article_id, "dismissed")
    service.end_call(call.id)
    return call.id


def populate(service: CallService) -> None:
    for _ in range(3):
        replay(service, "duisburg", ["Sperrmüll anmelden alte Möbel Sofa entsorgen"], helpful=True)
    replay(service, "duisburg", [RATS, "kommt da ein kammerjäger von der stadt"])
    replay(service, "duisburg", ["im garten am kompost sind ratten, ratten bekämpfung"])
    replay(service, "bottrop", ["ratten im hof, wer bekämpft ratten in bottrop"])
    replay(service, "bottrop", ["ich will die große eiche im garten fällen, baum fällen genehmigung"])


@pytest.mark.unit
def test_the_report_ranks_planted_gaps_and_renders_every_format(service: CallService) -> None:
    populate(service)
    catalog = [
        CatalogService("sperrmuell", "Sperrmüll", None, ""),
        CatalogService("baumschutz", "Baumfällung", None, ""),
    ]
    reporter = GapReporter.for_service(service, catalog)

    report = reporter.build(today=TODAY)

    first = report.topics[0]
    assert first.city == "duisburg" and "ratten" in first.words and first.count == 2
    assert first.nearest_article is None, "no article covers rats: no nearest article is shown"
    assert first.draft.startswith("---\n") and "status: draft" in first.draft
    assert first.draft_file.startswith("duisburg-")
    assert all("sperrmüll" not in e.lower() for t in report.topics for e in t.examples)
    rats_bottrop = next(t for t in report.topics if t.city == "bottrop" and "ratten" in t.words)
    assert rats_bottrop.group == first.group
    assert [m.service for m in report.missing_articles or []] == ["baumschutz"] * 3
    assert [s.article_id for s in report.health.stale] == ["duisburg/alt"]

    as_json = topics_list(report, limit=2)
    assert len(as_json) == 2 and as_json[0]["label"] == first.label
    assert {"city", "label", "count", "examples", "kind", "impact", "trend", "group", "nearest_article"} <= set(
        as_json[0]
    )
    json.dumps(report_dict(report))
    markdown = render_markdown(report)
    for heading in ("## Themen nach Wirkung", "## Artikelgesundheit", "## Unterschiede zwischen Städten"):
        assert heading in markdown
    assert "Baumfällung (baumschutz)" in markdown and "duisburg/alt" in markdown
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    sections = {r["section"] for r in rows}
    assert {"topic", "article_stale", "missing_article"} <= sections
    assert rows[0]["section"] == "topic" and rows[0]["label"] == first.label


@pytest.mark.unit
def test_a_city_filter_keeps_the_topics_of_that_city_unchanged(service: CallService) -> None:
    populate(service)
    reporter = GapReporter.for_service(service)
    everything = reporter.build(today=TODAY)
    bottrop = reporter.build("Bottrop", today=TODAY)
    assert bottrop.city == "bottrop" and bottrop.topics
    assert [(t.id, t.label, t.group) for t in bottrop.topics] == [
        (t.id, t.label, t.group) for t in everything.topics if t.city == "bottrop"
    ]
    assert bottrop.missing_articles is None
    future = reporter.build(since=date.today() + timedelta(days=1), today=TODAY)
    assert future.topics == [] and future.signals == 0
    assert "Keine Wissenslücken" in render_markdown(future)


@pytest.fixture
def knowledge(tmp_path: Path) -> KnowledgeBase:
    root = write_knowledge(tmp_path / "kb")
    (root / "bottrop" / "alt.md").write_text(article_text("Alt", "alt", "Alt.", updated="2024-01-01"), encoding="utf-8")
    return load_knowledge_base(root)


@pytest.mark.unit
def test_article_health_finds_unused_rejected_stale_and_duplicate_articles(knowledge: KnowledgeBase) -> None:
    usage = {
        "duisburg/sperrmuell": ArticleUsage("duisburg/sperrmuell", suggested_calls=4, dismissed_calls=3),
        "duisburg/hundesteuer": ArticleUsage("duisburg/hundesteuer", suggested_calls=2, dismissed_calls=2),
        "duisburg/anmeldung": ArticleUsage(
            "duisburg/anmeldung", suggested_calls=3, searched_calls=1, not_helpful_calls=2
        ),
        "duisburg/personalausweis": ArticleUsage("duisburg/personalausweis", suggested_calls=5, helpful_calls=4),
    }
    base = np.eye(8, dtype=np.float32)
    vectors = {a.id: base[i % 8] for i, a in enumerate(sorted(knowledge.published, key=lambda a: a.id))}
    vectors["bottrop/anmeldung"] = vectors["bottrop/alt"]
    check = ArticleHealthCheck(knowledge, ArticleHealthConfig(stale_after_days=365, min_exposed_calls=3))

    health = check.check(usage, vectors, TODAY, cities=None, cities_with_calls=["duisburg"])

    rejected = {r.article_id: r for r in health.rejected}
    assert set(rejected) == {"duisburg/sperrmuell", "duisburg/anmeldung"}
    assert rejected["duisburg/sperrmuell"].dismissed_rate == 0.75
    assert rejected["duisburg/anmeldung"].not_helpful_rate == 0.5
    never = {a.article_id for a in health.never_suggested}
    assert "common/rundfunkbeitrag" in never and "duisburg/sperrmuell" not in never
    assert not any(a.startswith("bottrop/") for a in never)
    assert [(s.article_id, s.age_days) for s in health.stale] == [("bottrop/alt", (TODAY - date(2024, 1, 1)).days)]
    assert [(d.first.article_id, d.second.article_id) for d in health.duplicates] == [
        ("bottrop/alt", "bottrop/anmeldung")
    ]
    only_bottrop = check.check(usage, vectors, TODAY, cities=["bottrop"], cities_with_calls=["duisburg"])
    assert not only_bottrop.rejected
    assert [a.article_id for a in only_bottrop.never_suggested] == ["common/rundfunkbeitrag"]
    assert {s.article_id for s in only_bottrop.stale} == {"bottrop/alt"}


@pytest.mark.unit
def test_services_that_help_in_one_city_and_not_in_another(knowledge: KnowledgeBase) -> None:
    usage = {
        "duisburg/hundesteuer": ArticleUsage("duisburg/hundesteuer", suggested_calls=4, helpful_calls=3),
        "bottrop/hundesteuer": ArticleUsage("bottrop/hundesteuer", suggested_calls=3, dismissed_calls=2),
        "dinslaken/hundesteuer": ArticleUsage("dinslaken/hundesteuer", suggested_calls=3, helpful_calls=1),
        "bottrop/sperrmuell": ArticleUsage("bottrop/sperrmuell", suggested_calls=1, dismissed_calls=1),
    }
    found = service_asymmetries(knowledge, usage)
    assert [(a.service, a.strong_city, a.weak_city, a.weak_rejected_calls) for a in found] == [
        ("hundesteuer", "duisburg", "bottrop", 2)
    ]
    catalog = [CatalogService("hundesteuer", "Hund", None, ""), CatalogService("rundfunkbeitrag", "GEZ", None, "")]
    catalog.append(CatalogService("ratten", "Rattenbekämpfung", None, ""))
    assert [(m.city, m.service) for m in missing_articles(knowledge, catalog, ["duisburg", "bottrop"])] == [
        ("duisburg", "ratten"),
        ("bottrop", "ratten"),
    ]


@pytest.mark.unit
def test_a_matter_answered_in_one_city_and_unanswered_in_another_is_a_difference() -> None:
    labeler = CTfIdfLabeler()
    similarity = HybridTextSimilarity(CachedQueryEmbedder(HashingFakeEncoder(64)), labeler.terms)
    finder = TopicFinder(similarity, labeler)
    moment = datetime(2026, 11, 18, tzinfo=UTC)
    topics = finder.find(
        [
            GapSignal("bottrop", "unanswered", RATS, "b1", moment),
            GapSignal("bottrop", "unanswered", "ratten im keller, wer bekämpft ratten", "b2", moment),
        ]
    )
    answered = [
        AnsweredUtterance(
            "duisburg", "ratten im keller, wer bekämpft die ratten", f"d{i}", 0, "duisburg/ratten", moment
        )
        for i in range(2)
    ]
    answered.append(AnsweredUtterance("dinslaken", "Hund anmelden Hundemarke", "x1", 0, "dinslaken/hund", moment))
    found = topic_asymmetries(topics, answered, similarity, 0.3, {"duisburg/ratten": "Ratten bekämpfen"})
    assert len(found) == 1
    difference = found[0]
    assert (difference.weak_city, difference.weak_calls, difference.strong_city, difference.strong_calls) == (
        "bottrop",
        2,
        "duisburg",
        2,
    )
    assert difference.strong_article_title == "Ratten bekämpfen" and difference.weak_topic == topics[0].id


@pytest.mark.unit
def test_an_empty_store_gives_an_empty_report(service: CallService) -> None:
    report: GapReport = GapReporter.for_service(service).build(today=TODAY)
    assert report.topics == [] and report.health.never_suggested == []
    assert report.health.rejected == [] and report.topic_asymmetries == []
    assert "Keine Wissenslücken im Zeitraum." in render_markdown(report)
    assert render_csv(report).splitlines()[0].startswith("section,city,id,label")
