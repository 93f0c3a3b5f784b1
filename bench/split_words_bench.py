"""What joining split words costs a query: the joiner's build from the demo articles, and the time per
caller turn of every demo call script, joined against left as said, in one run.

    .venv/bin/python bench/split_words_bench.py [--repeat 5]

Prints the build time, how many turns had a split word joined, and the median and p95 microseconds per turn
as said, joined the first time and joined again (cached).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from embeddings.retrieval.split_words import SplitWordJoiner

ROOT = Path(__file__).resolve().parent.parent


def _turns() -> list[str]:
    turns = []
    for path in sorted((ROOT / "demo" / "calls").glob("*.jsonl")):
        for line in path.read_text("utf-8").splitlines():
            call = json.loads(line)
            turns += [text for speaker, text in call.get("turns", []) if speaker == "caller"]
    return turns


def _timed(turns: list[str], way: Callable[[str], str], repeat: int) -> list[float]:
    per_turn = []
    for text in turns:
        best = float("inf")
        for _ in range(repeat):
            started = time.perf_counter()
            way(text)
            best = min(best, time.perf_counter() - started)
        per_turn.append(best * 1e6)
    return per_turn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timings per turn (the best counts)")
    args = parser.parse_args()
    started = time.perf_counter()
    texts = [p.read_text("utf-8") for p in sorted((ROOT / "demo" / "knowledge").glob("*/*.md"))]
    joiner = SplitWordJoiner.from_texts(texts)
    built = time.perf_counter() - started
    turns = _turns()
    print(f"joiner built from {len(texts)} articles in {built * 1000:.1f} ms")
    print(f"{len(turns)} caller turns, {sum(joiner.join(t) != t for t in turns)} with a split word joined")
    fresh = SplitWordJoiner.from_texts(texts)
    for name, way, repeat in (
        ("as said", lambda text: text, args.repeat),
        ("joined, first time", fresh.join, 1),  # each turn once: nothing cached yet
        ("joined, again", fresh.join, args.repeat),  # the same turn searched again: from the cache
    ):
        micros = _timed(sorted(set(turns)), way, repeat)
        p95 = statistics.quantiles(micros, n=20)[-1]
        print(f"{name:18s} median {statistics.median(micros):7.1f} us  p95 {p95:7.1f} us per turn")


if __name__ == "__main__":
    main()
