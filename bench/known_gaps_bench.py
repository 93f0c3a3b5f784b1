"""What the known gaps cost a caller turn: the likeness of a concern to the likest known gap of its city
(``KnownGaps.likeness``, once per turn that shows a card above the `answer` threshold), with round 22's
known gaps (299 lines) against the current file, in one run.

    .venv/bin/python bench/known_gaps_bench.py [--repeat 5] [--before REV]

Prints for each file its lines, the time to build the gaps' token matrix, and the median and p95
microseconds per caller turn of every demo call script (the turn's words as the concern).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import time
from pathlib import Path

from assistant.cli.support import load_settings
from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.known_gaps import KnownGaps
from assistant.wiring import open_retriever
from corpus.known_gaps import KnownGap

ROOT = Path(__file__).resolve().parent.parent
GAPS = "demo/knowledge/known-gaps.jsonl"


def _turns() -> list[tuple[str, str]]:
    turns = []
    for path in sorted((ROOT / "demo" / "calls").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            call = json.loads(line)
            turns += [(call["city"], text) for speaker, text in call.get("turns", []) if speaker == "caller"]
    return turns


def _gaps(text: str) -> list[KnownGap]:
    return [KnownGap(g["question"], g.get("city")) for g in map(json.loads, text.splitlines()) if g]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timings per turn (the best counts)")
    parser.add_argument("--before", default="9c89079", help="the revision whose known gaps to compare with")
    args = parser.parse_args()
    retriever, _ = open_retriever(load_settings(None))
    extractor = AnswerExtractor(retriever.index.lexical.analyzer, retriever.index.passages)
    before = subprocess.run(
        ["git", "show", f"{args.before}:{GAPS}"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    files = {f"{args.before}": before.stdout, "current": (ROOT / GAPS).read_text("utf-8")}
    concerns = [(city, extractor.profile(text)) for city, text in _turns()]
    print(f"{len(concerns)} caller turns")
    for name, text in files.items():
        started = time.perf_counter()
        gaps = KnownGaps(extractor, _gaps(text))
        built = time.perf_counter() - started
        per_turn = []
        for city, profile in concerns:
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                gaps.likeness(city, profile)
                best = min(best, time.perf_counter() - started)
            per_turn.append(best * 1e6)
        per_turn.sort()
        p95 = per_turn[int(0.95 * (len(per_turn) - 1))]
        print(
            f"{name:>8}: {len(gaps)} gaps, built in {built * 1000:.0f} ms; per turn median"
            f" {statistics.median(per_turn):.0f} µs, p95 {p95:.0f} µs"
        )


if __name__ == "__main__":
    main()
