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
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.gaps.signals import GapSignal
from assistant.replay.call_scripts import CallScript, Concern, load_call_scripts
from assistant.replay.simulated_agent import SimulatedAgent

if TYPE_CHECKING:
    from assistant.gaps.report import GapReport
    from assistant.gaps.topics import GapTopic
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


# A question (a stored caller utterance or search) that belongs to none of the call's concerns: a
# greeting, a name, small talk.
NO_MATTER = "-"


def matter_key(script: CallScript, index: int, concern: Concern) -> str:
    """The matter of one concern of a call script: its planted gap, the slugs of the articles that answer
    it (the same matter in every call and city), or, when no article covers it, the concern itself."""
    if script.gap:
        return f"gap: {script.gap}"
    if concern.expected:
        return "+".join(sorted({e.split("/", 1)[-1] for e in concern.expected}))
    return f"uncovered: {script.id}#{index} {concern.matter[:40]}".rstrip()


def question_matters(script: CallScript, redact: Callable[[str], str]) -> dict[str, str]:
    """The stored (redacted) text of each caller turn -> the matter of the concern it belongs to
    (``NO_MATTER`` for turns of none). Also the first 200 characters of each turn (the simulated agent's
    manual search for the caller's last words)."""
    concern_of: dict[int, str] = {}
    for index, concern in enumerate(script.concern_list()):
        for turn in concern.caller_turns:
            concern_of[turn] = matter_key(script, index, concern)
    found: dict[str, str] = {}
    for turn, (speaker, text) in enumerate(script.turns):
        if speaker == "caller":
            matter = concern_of.get(turn, NO_MATTER)
            found.setdefault(redact(text), matter)
            found.setdefault(redact(text[:200]), matter)
    return found


@dataclass(frozen=True)
class TopicPurity:
    city: str
    label: str
    questions: int  # distinct (call, text) questions whose matter is known
    unknown: int  # questions that match no caller turn of their call
    matter: str  # the majority matter
    purity: float  # share of the questions that belong to the majority matter


def topic_purities(topics: Sequence[GapTopic], matters: dict[str, dict[str, str]]) -> list[TopicPurity]:
    """``matters``: call id -> ``question_matters`` of its script. Questions of no concern count against
    purity like another matter (a greeting in a topic is noise), unless they are the majority; a tie goes
    to a real matter, then by name."""
    results = []
    for topic in topics:
        found = Counter[str]()
        unknown = 0
        for call_id, text in dict.fromkeys(topic.questions):
            matter = matters.get(call_id, {}).get(text)
            if matter is None:
                unknown += 1
            else:
                found[matter] += 1
        total = sum(found.values())
        if total:
            matter, count = min(found.items(), key=lambda m: (-m[1], m[0] == NO_MATTER, m[0]))
            results.append(TopicPurity(topic.city, topic.label, total, unknown, matter, count / total))
    return results


@dataclass(frozen=True)
class MatterSpread:
    """Where the questions of one matter of one city ended up."""

    city: str
    matter: str
    topics: int  # topics holding any of its questions
    majority_of: int  # topics in which it is the majority matter


def matter_spreads(
    topics: Sequence[GapTopic], matters: dict[str, dict[str, str]], cities: dict[str, str]
) -> list[MatterSpread]:
    """For every matter with questions in the topics (``cities``: call id -> city)."""
    holding: dict[tuple[str, str], set[int]] = defaultdict(set)
    for number, topic in enumerate(topics):
        for call_id, text in dict.fromkeys(topic.questions):
            matter = matters.get(call_id, {}).get(text)
            if matter is not None and matter != NO_MATTER:
                holding[(cities[call_id], matter)].add(number)
    majorities = {(p.city, p.matter) for p in topic_purities(topics, matters)}
    counts = Counter((p.city, p.matter) for p in topic_purities(topics, matters))
    return [
        MatterSpread(city, matter, len(numbers), counts[(city, matter)] if (city, matter) in majorities else 0)
        for (city, matter), numbers in sorted(holding.items())
    ]


def print_purity(topics: Sequence[GapTopic], matters: dict[str, dict[str, str]], cities: dict[str, str]) -> None:
    purities = topic_purities(topics, matters)
    questions = sum(p.questions for p in purities)
    majority = sum(round(p.purity * p.questions) for p in purities)
    pure = sum(1 for p in purities if p.purity == 1.0)
    unknown = sum(p.unknown for p in purities)
    noise = sum(1 for t in topics for c, q in dict.fromkeys(t.questions) if matters.get(c, {}).get(q) == NO_MATTER)
    print(f"purity over {len(purities)} topics, {questions} questions ({unknown} unmatched, {noise} of no concern):")
    if purities:
        mean = sum(p.purity for p in purities) / len(purities)
        print(
            f"  weighted purity {majority / questions:.2f}, mean purity {mean:.2f}, pure topics {pure}/{len(purities)}"
        )
    uncovered = [m for m in matter_spreads(topics, matters, cities) if m.matter.startswith(("uncovered:", "gap:"))]
    single = [m for m in uncovered if m.topics == 1]
    own = [m for m in single if m.majority_of == 1]
    print(
        f"  uncovered matters with questions in the topics: {len(uncovered)}; in a single topic: {len(single)};"
        f" in a single topic they lead: {len(own)}"
    )
    for p in sorted(purities, key=lambda p: (p.purity, p.city, p.label)):
        if p.purity < 1.0:
            print(f"  impure {p.purity:.2f} {p.city:10} {p.label[:40]:40} majority {p.matter[:50]}")


def concern_signals(
    scripts: Sequence[CallScript], redact: Callable[[str], str]
) -> tuple[list[GapSignal], dict[str, CallScript]]:
    """The clustering alone, without the replay: every labeled concern of every call as a call of its
    own (id ``<script>#<n>``) whose caller turns all went unanswered; the turns of no concern (greetings,
    names, thanks) go with the call's first concern. Returns the signals and each pseudo-call's script."""
    when = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    signals: list[GapSignal] = []
    calls: dict[str, CallScript] = {}
    for script in scripts:
        concerns = script.concern_list()
        caller = [i for i, (speaker, _) in enumerate(script.turns) if speaker == "caller"]
        in_none = set(caller) - {t for c in concerns for t in c.caller_turns}
        for number, concern in enumerate(concerns):
            call_id = f"{script.id}#{number}"
            calls[call_id] = script
            turns = sorted(set(concern.caller_turns) | (in_none if number == 0 else set()))
            signals.extend(
                GapSignal(script.city, "unanswered", redact(script.turns[i][1]), call_id, when, None, number)
                for i in turns
            )
    return signals, calls


def every_concern(service: CallService, scripts: Sequence[CallScript]) -> None:
    from assistant.gaps.report import GapReporter

    signals, calls = concern_signals(scripts, service.redactor.redact)
    reporter = GapReporter.for_service(service)
    topics = reporter.topic_finder().find(signals, reporter.background(signals))
    print(f"{len(scripts)} calls, {len(calls)} concerns as calls of their own, {len(topics)} topics")
    matters = {call_id: question_matters(script, service.redactor.redact) for call_id, script in calls.items()}
    print_purity(topics, matters, {call_id: script.city for call_id, script in calls.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("calls", nargs="+", type=Path, help="JSONL call scripts (a 'gap' field marks planted matters)")
    parser.add_argument("--database", type=Path, help="SQLite file of the replay (reused when it exists)")
    parser.add_argument(
        "--every-concern",
        action="store_true",
        help="no replay: cluster every labeled concern as an unanswered call of its own (the clustering alone)",
    )
    args = parser.parse_args()

    import tempfile

    from assistant.gaps.report import GapReporter
    from assistant.settings import DEFAULT_CATALOG, Settings
    from assistant.wiring import build_call_service
    from corpus.catalog import load_catalog

    scripts = [s for path in args.calls for s in load_call_scripts(path)]
    if args.every_concern:
        with tempfile.TemporaryDirectory() as folder:
            service = build_call_service(Settings(), database_url=f"sqlite:///{Path(folder) / 'calls.db'}")
            every_concern(service, scripts)
            service.store.close()
        return
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
    matters = {call_id: question_matters(script, service.redactor.redact) for call_id, script in calls.items()}
    print_purity(report.topics, matters, {call_id: script.city for call_id, script in calls.items()})
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
