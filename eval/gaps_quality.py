"""How well the gaps report finds planted knowledge gaps: call scripts replayed through the live call
service with the demo's simulated agent feedback, then, for every planted matter (``"gap"`` field of a
call script) in every city: the rank of its topic, whether one topic holds all its calls
(completeness), and the share of that topic's calls that are about it (purity).

    python -m eval.gaps_quality demo/calls/dev.jsonl demo/calls/uncovered.jsonl [--database calls.db]

With ``--database`` an existing replay is reused (the file is written on the first run).
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.replay.call_scripts import CallScript, load_call_scripts
from assistant.replay.simulated_agent import SimulatedAgent

if TYPE_CHECKING:
    from assistant.gaps.report import GapReport
    from assistant.live.call_service import CallService


class InProcessAgentActions:
    """The simulated agent's actions on a ``CallService`` in this process."""

    def __init__(self, service: CallService) -> None:
        self.service = service

    def feedback(self, call_id: str, article_id: str, event: str) -> None:
        self.service.feedback(call_id, article_id, event)  # type: ignore[arg-type]

    def search(self, call_id: str, query: str, k: int = 5) -> list[str]:
        city = self.service.get_call(call_id).city
        return [s.article_id for s in self.service.search(query, city, k=k, call_id=call_id).suggestions]

    def article_title(self, article_id: str) -> str:
        return self.service.knowledge.articles[article_id].title


def replay_with_feedback(service: CallService, scripts: list[CallScript]) -> dict[str, CallScript]:
    """Every script as a call with simulated agent feedback; returns the script of each call id."""
    agent = SimulatedAgent(InProcessAgentActions(service))
    calls: dict[str, CallScript] = {}
    for script in scripts:
        call_id = service.open_call(city=script.city, agent_id=f"replay:{script.id}").call.id
        calls[call_id] = script
        pushed: list[str] = []
        for speaker, text in script.turns:
            outcome = service.utterance(call_id, speaker, text)
            if outcome is not None:
                pushed.extend(s.article_id for s in outcome.pushed)
        agent.react(call_id, script, pushed)
        service.end_call(call_id)
    return calls


@dataclass(frozen=True)
class PlantedMatter:
    city: str
    gap: str
    calls: int
    rank: int | None  # rank among the city's topics of the topic holding most of its calls
    label: str
    question: str
    completeness: float  # share of the matter's calls in that topic
    purity: float  # share of that topic's calls that are about the matter
    topics: int  # topics its calls are spread over


def planted_matters(report: GapReport, calls: dict[str, CallScript], gaps: dict[str, str]) -> list[PlantedMatter]:
    """``gaps``: call id -> planted matter, for the calls that have one."""
    per_matter: dict[tuple[str, str], set[str]] = defaultdict(set)
    for call_id, gap in gaps.items():
        per_matter[(calls[call_id].city, gap)].add(call_id)
    results = []
    for (city, gap), members in sorted(per_matter.items()):
        ranked = [t for t in report.topics if t.city == city]
        holding = [(i, t) for i, t in enumerate(ranked, start=1) if set(t.call_ids) & members]
        if not holding:
            results.append(PlantedMatter(city, gap, len(members), None, "", "", 0.0, 0.0, 0))
            continue
        rank, topic = max(holding, key=lambda x: (len(set(x[1].call_ids) & members), -x[0]))
        inside = len(set(topic.call_ids) & members)
        results.append(
            PlantedMatter(
                city,
                gap,
                len(members),
                rank,
                topic.label,
                topic.question,
                inside / len(members),
                inside / len(topic.call_ids),
                len(holding),
            )
        )
    return results


def uncovered_matters(paths: list[Path]) -> dict[str, str]:
    """Script id -> the matter of its concern that no article covers (``concerns`` with ``expected: []``,
    the independent call files); the first 40 characters name the matter."""
    matters: dict[str, str] = {}
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            raw = json.loads(line) if line.strip() else {}
            for concern in raw.get("concerns", []):
                if not concern.get("expected") and concern.get("matter"):
                    matters.setdefault(raw["id"], str(concern["matter"])[:40])
    return matters


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("calls", nargs="+", type=Path, help="JSONL call scripts (a 'gap' field marks planted matters)")
    parser.add_argument("--database", type=Path, help="SQLite file of the replay (reused when it exists)")
    args = parser.parse_args()

    import tempfile

    from assistant.gaps.report import GapReporter
    from assistant.settings import DEFAULT_CATALOG, Settings
    from assistant.wiring import build_call_service
    from corpus.catalog import load_catalog

    scripts = [s for path in args.calls for s in load_call_scripts(path)]
    database = args.database or Path(tempfile.mkdtemp()) / "calls.db"
    reuse = database.is_file()
    settings = Settings()
    service = build_call_service(settings, database_url=f"sqlite:///{database}")
    started = time.perf_counter()
    index = database.with_suffix(".calls.json")
    if reuse and index.is_file():
        by_id = {s.id: s for s in scripts}
        calls = {call_id: by_id[script_id] for call_id, script_id in json.loads(index.read_text()).items()}
    else:
        reuse = False
        calls = replay_with_feedback(service, scripts)
        index.write_text(json.dumps({call_id: script.id for call_id, script in calls.items()}))
    replayed = time.perf_counter() - started
    catalog = load_catalog(DEFAULT_CATALOG) if DEFAULT_CATALOG.is_file() else None
    report = GapReporter.for_service(service, catalog, settings.gaps.report_config()).build()
    uncovered = uncovered_matters(args.calls)
    gaps = {c: s.gap or uncovered[s.id] for c, s in calls.items() if s.gap or s.id in uncovered}
    print(f"{len(calls)} calls ({'reused' if reuse else f'replayed in {replayed:.0f}s'}), {len(report.topics)} topics")
    print(f"{'city':10} {'matter':20} calls rank topics complete purity  label / question")
    for m in planted_matters(report, calls, gaps):
        print(
            f"{m.city:10} {m.gap[:20]:20} {m.calls:5} {m.rank or '-':>4} {m.topics:6} "
            f"{m.completeness:8.2f} {m.purity:6.2f}  {m.label} / {m.question}"
        )
    for city in sorted({t.city for t in report.topics}):
        print(f"-- {city}: top topics")
        for rank, topic in enumerate([t for t in report.topics if t.city == city][:6], start=1):
            planted = sorted({gaps.get(c, "-") for c in topic.call_ids})
            nearest = topic.nearest_article.title if topic.nearest_article else "kein passender Artikel"
            print(f"  {rank}. {topic.label} ({topic.count} calls; {','.join(planted)}) -> {nearest}")
            print(f"     „{topic.question}“")
    service.store.close()


if __name__ == "__main__":
    main()
