"""The gaps report on realistic calls: the demo call scripts replayed through the live call service
with the real model, with simulated agent feedback. The calls about matters the knowledge base does
not cover (tree felling, rats, library cards) must come out on top in every city."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from assistant.gaps.report import GapReport, GapReporter
from assistant.gaps.topics import GapTopic
from assistant.replay.call_scripts import load_call_scripts
from assistant.settings import DEFAULT_CATALOG, Settings
from assistant.wiring import build_call_service
from corpus.catalog import load_catalog
from eval.gaps_quality import replay_with_feedback

pytestmark = pytest.mark.integration

CALLS = Path(__file__).resolve().parent.parent / "demo" / "calls"
# Words that show which planted matter a topic is about (in its label or its examples).
PLANTED = {
    "baumfaellung": ("baum", "birke", "kastanie", "eiche", "tanne", "fäll"),
    "ratten": ("ratte", "ratzen"),
    "bibliotheksausweis": ("bibliothek", "bücherei", "ausleih", "lese ausweis", "leseausweis"),
}


def mentions(topic: GapTopic, words: tuple[str, ...]) -> bool:
    text = " ".join([topic.label, *topic.examples]).lower()
    return any(w in text for w in words)


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> tuple[GapReport, dict[str, dict[str, Any]], float]:
    """Replay dev.jsonl and uncovered.jsonl with the demo's simulated agent (``SimulatedAgent``: helpful
    on expected articles, dismissed on the others, a manual search when the right one was not pushed or
    nothing fits). Returns the report, the script of every call id, and the replay time."""
    # The demo's known gaps are these very calls' uncovered concerns: replayed with them, each would find
    # itself (and a muted concern in one city is no city difference). Off, as in the CI call guard.
    settings = Settings(encoder={"threads": 1}, suggestions={"known_gaps": False})
    database = tmp_path_factory.mktemp("gaps-realistic") / "calls.db"
    service = build_call_service(settings, database_url=f"sqlite:///{database}")
    started = time.perf_counter()
    played = replay_with_feedback(
        service, [*load_call_scripts(CALLS / "dev.jsonl"), *load_call_scripts(CALLS / "uncovered.jsonl")]
    )
    scripts: dict[str, dict[str, Any]] = {
        call_id: {"city": s.city, "expected": list(s.expected), "gap": s.gap} for call_id, s in played.items()
    }
    replay_seconds = time.perf_counter() - started
    catalog = load_catalog(DEFAULT_CATALOG) if DEFAULT_CATALOG.is_file() else None
    report = GapReporter.for_service(service, catalog).build()
    service.store.close()
    return report, scripts, replay_seconds


def test_planted_gaps_are_the_top_topics_of_every_city(
    replayed: tuple[GapReport, dict[str, dict[str, Any]], float],
) -> None:
    report, scripts, seconds = replayed
    lines = [f"replayed {len(scripts)} calls in {seconds:.0f}s; {report.signals} signals, {len(report.topics)} topics"]
    for city in ("duisburg", "bottrop", "dinslaken"):
        ranked = [t for t in report.topics if t.city == city]
        for gap, words in PLANTED.items():
            planted = {c for c, s in scripts.items() if s.get("gap") == gap and s["city"] == city}
            rank = next(
                (i for i, t in enumerate(ranked, start=1) if set(t.call_ids) & planted and mentions(t, words)), None
            )
            topic = ranked[rank - 1] if rank else None
            lines.append(f"{city:10} {gap:20} rank {rank}: {topic.label if topic else '-'}")
            assert rank is not None and rank <= 3, "\n".join(lines)
            assert topic is not None
            # Most of the topic's calls are about the planted matter (the small model sometimes joins one
            # neighbouring unanswered question, e.g. a flickering street lamp "in the evening" with rats).
            share = len(set(topic.call_ids) & planted) / len(topic.call_ids)
            assert share >= 0.5, f"{topic.label} mixes other calls into {gap}"
            assert topic.nearest_article is None, f"{topic.label}: no article covers {gap}"
    print("\n".join(lines))


def test_answered_calls_give_no_topics_and_the_groups_span_cities(
    replayed: tuple[GapReport, dict[str, dict[str, Any]], float],
) -> None:
    report, scripts, _ = replayed
    covered = {c for c, s in scripts.items() if not s.get("gap")}
    top = [t for city in ("duisburg", "bottrop", "dinslaken") for t in [x for x in report.topics if x.city == city][:3]]
    for topic in top:
        assert len(set(topic.call_ids) & covered) <= len(topic.call_ids) / 2, f"{topic.label}: answered calls"
    cities_per_group = Counter(group for group, _ in {(t.group, t.city) for t in report.topics})
    assert max(cities_per_group.values()) >= 2, "no matter was recognized in two cities"
    assert report.missing_articles in (None, [])
    assert report.topic_asymmetries == []
