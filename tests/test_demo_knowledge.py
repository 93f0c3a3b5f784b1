"""The bundled demo knowledge base: valid, covers the catalog in every city, labels point at real articles."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.catalog import load_catalog
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from eval.queries import load_queries
from tests.conftest import DEMO_KNOWLEDGE, PROJECT_ROOT, SHARED

CATALOG = SHARED / "services.csv"
CITIES = ("duisburg", "bottrop", "dinslaken")
QUERIES = PROJECT_ROOT / "demo" / "queries"
CALLS = PROJECT_ROOT / "demo" / "calls"

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def demo() -> KnowledgeBase:
    return load_knowledge_base(DEMO_KNOWLEDGE)


def test_demo_knowledge_base_is_valid(demo: KnowledgeBase) -> None:
    assert demo.cities.keys == list(CITIES)
    assert all(a.is_published for a in demo.articles.values())
    assert "Demo" in (DEMO_KNOWLEDGE / "README.md").read_text(encoding="utf-8")


def test_every_catalog_service_has_a_published_article_in_every_city(demo: KnowledgeBase) -> None:
    assert CATALOG.is_file(), f"the service catalog is expected at {CATALOG}"
    catalog = load_catalog(CATALOG)
    assert len(catalog) == 36
    missing = []
    for service in catalog:
        for city in CITIES:
            article = demo.articles.get(f"{city}/{service.slug}")
            if article is None or not article.is_published:
                missing.append(f"{city}/{service.slug}")
                continue
            assert article.service == service.slug, article.id
            assert article.leika == service.leika, article.id
            assert len(article.synonyms) >= 3, article.id
    assert missing == []


@pytest.mark.parametrize("name", ["dev.jsonl", "test.jsonl"])
def test_query_sets_point_at_existing_articles(demo: KnowledgeBase, name: str) -> None:
    queries = load_queries(QUERIES / name, set(demo.articles), set(demo.cities.keys))
    assert len(queries) >= (200 if name == "dev.jsonl" else 100)
    unanswerable = [q for q in queries if not q.answerable]
    assert len(unanswerable) >= (20 if name == "dev.jsonl" else 10)
    for q in queries:
        assert all(a.split("/")[0] in (q.city, "common") for a in q.relevant), q.id
    assert {q.city for q in queries} == set(CITIES)


def test_dev_and_test_splits_are_disjoint() -> None:
    dev = load_queries(QUERIES / "dev.jsonl")
    test = load_queries(QUERIES / "test.jsonl")
    assert not {q.text.lower() for q in dev} & {q.text.lower() for q in test}
    assert not {q.id for q in dev} & {q.id for q in test}


def load_calls(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_call_scripts_are_well_formed_and_point_at_existing_articles(demo: KnowledgeBase) -> None:
    calls = load_calls(CALLS / "dev.jsonl")
    for city in CITIES:
        assert sum(1 for c in calls if c["city"] == city) >= 10
    for call in calls:
        expected = call["expected"]
        turns = call["turns"]
        assert isinstance(expected, list) and expected, call["id"]
        assert all(a in demo.articles for a in expected), call["id"]
        assert isinstance(turns, list) and len(turns) >= 4
        assert all(t[0] in ("agent", "caller") and t[1].strip() for t in turns)
        assert sum(1 for t in turns if t[0] == "caller") >= 2
    assert sum(1 for c in calls if isinstance(c["expected"], list) and len(c["expected"]) > 1) >= 6
    uncovered = load_calls(CALLS / "uncovered.jsonl")
    assert len(uncovered) >= 12 and all(c["expected"] == [] and c["gap"] for c in uncovered)
