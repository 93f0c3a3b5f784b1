"""Where a final utterance's CPU goes outside the forward pass, stage by stage, this checkout against an
earlier commit in one run.

    .venv/bin/python bench/utterance_stages.py [--baseline REF] [--data-dir DIR] [--calls N] [--rounds R]

Builds the call service as ``souffleur serve`` does (default model, demo knowledge base, an SQLite file),
replays ``N`` demo call scripts (``demo/calls/dev.jsonl``) through ``CallService.utterance`` ``R`` times
(after one warm-up replay; the query-vector cache is cleared before each round) and prints, separately
for caller and agent turns, the mean CPU time of the request thread per stage (``time.thread_time``):
redaction, the call lookup, the engine's lexical and dense searches (without the encoder: its forward
pass runs on the inference worker's thread and is not counted here), answer extraction, the topic and
confidence features, the store's write and the event fan-out. Each stage counts its own time only
(a stage inside another is taken out of the outer one). With ``--baseline REF`` the same runs on ``git
archive REF`` in a fresh process, alternating with this checkout round by round. Stages a version does
not have (renamed methods) are left out of its column.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from baseline_code import backend_settings, export

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "demo" / "calls" / "dev.jsonl"

# (where, method, stage): ``where`` is "service", "engine", "extractor", "store", "redactor", "hub" or "encoder".
STAGES = (
    ("redactor", "redact", "redaction"),
    ("store", "get_call", "call lookup"),
    ("service", "_context", "engine memory (cache or restore)"),
    ("engine", "_rank_lexical", "lexical search"),
    ("engine", "_lexical_hits", "lexical search"),  # round 9: the search itself, apart from its ranking
    ("engine", "_rank_dense", "dense search (without the forward pass)"),
    ("encoder", "encode_queries", "waiting for the encoder (request thread only)"),
    ("engine", "_topic_features", "topic-change features"),
    ("engine", "_candidates", "confidence features"),
    ("extractor", "extract", "answer extraction"),
    ("extractor", "intents", "question intents"),
    ("engine", "on_utterance", "engine, other"),
    ("store", "record_utterance", "store write"),
    ("hub", "deliver", "event fan-out"),
    ("service", "utterance", "call service, other"),
)


def measure(data_dir: Path, calls: int, rounds: int) -> dict[str, dict[str, float]]:
    """Runs in the process whose code is under test (imports from ``PYTHONPATH``)."""
    from assistant.wiring import build_call_service

    db = Path(tempfile.mkdtemp(prefix="utt-stages-")) / "bench.db"
    service = build_call_service(backend_settings(data_dir, "onnx"), database_url=f"sqlite:///{db}")
    owners: dict[str, Any] = {
        "service": service,
        "engine": service.engine,
        "extractor": service.engine.extractor,
        "store": service.store,
        "redactor": service.redactor,
        "hub": service.hub,
        "encoder": service.retriever.encoder,  # type: ignore[attr-defined]
    }
    spent: dict[str, float] = defaultdict(float)
    stack: list[list[Any]] = []

    def timed(stage: str, method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            now = time.thread_time()
            if stack:
                spent[stack[-1][0]] += now - stack[-1][1]
            stack.append([stage, now])
            try:
                return method(*args, **kwargs)
            finally:
                now = time.thread_time()
                name, started = stack.pop()
                spent[name] += now - started
                if stack:
                    stack[-1][1] = now

        return wrapper

    for where, method, stage in STAGES:
        owner = owners[where]
        if hasattr(owner, method):
            setattr(owner, method, timed(stage, getattr(owner, method)))
    scripts = [json.loads(line) for line in CALLS.read_text().splitlines() if line.strip()][:calls]
    # Per speaker: "turns" and the summed milliseconds of each stage (and of the whole utterance, "total").
    out: dict[str, dict[str, float]] = {"caller": defaultdict(float), "agent": defaultdict(float)}

    def replay() -> None:
        for script in scripts:
            call = service.open_call(city=script["city"])
            for speaker, text in script["turns"]:
                spent.clear()
                started = time.thread_time()
                service.utterance(call.call.id, speaker, text)
                out[speaker]["total"] += (time.thread_time() - started) * 1000
                out[speaker]["turns"] += 1
                for stage, seconds in spent.items():
                    out[speaker][stage] += seconds * 1000
            service.end_call(call.call.id)

    replay()  # warm up: not counted
    out = {"caller": defaultdict(float), "agent": defaultdict(float)}
    for _ in range(rounds):
        service.retriever.clear_query_cache()
        replay()
    service.close()
    return {speaker: dict(stages) for speaker, stages in out.items()}


def _child(args: argparse.Namespace, code: Path) -> dict[str, dict[str, float]]:
    env = {**os.environ, "PYTHONPATH": str(code)}
    command = [sys.executable, str(Path(__file__).resolve()), "--child", "--data-dir", str(args.data_dir)]
    command += ["--calls", str(args.calls), "--rounds", "1"]
    result = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"run with {code} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git ref to compare with (e.g. main)")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "souffleur-utterance-bench")
    parser.add_argument("--calls", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.data_dir, args.calls, args.rounds)))
        return
    load = os.getloadavg()[0]
    codes = [(f"baseline {args.baseline}", export(args.baseline))] if args.baseline else []
    codes.append(("this checkout", ROOT))
    runs: dict[str, dict[str, dict[str, float]]] = {}
    for _ in range(args.rounds):
        for name, code in codes:
            got = _child(args, code)
            into = runs.setdefault(name, {"caller": defaultdict(float), "agent": defaultdict(float)})
            for speaker, stages in got.items():
                for stage, value in stages.items():
                    into[speaker][stage] += value
    load_end = os.getloadavg()[0]
    print(
        f"{args.calls} demo calls x {args.rounds} rounds, "
        f"load average {load:.2f} at the start, {load_end:.2f} at the end"
    )
    print("mean CPU ms of the request thread per final utterance, by stage (the forward pass is not in it)")
    names = list(runs)
    for speaker in ("caller", "agent"):
        turns = {name: int(runs[name][speaker]["turns"]) for name in names}
        print(f"\n| {speaker} turns ({', '.join(str(turns[n]) for n in names)}) | " + " | ".join(names) + " |")
        print("|---|" + "---|" * len(names))
        order = ["total", *(stage for _, _, stage in STAGES)]
        for stage in order:
            cells = []
            for name in names:
                found = runs[name][speaker].get(stage)
                cells.append(f"{found / turns[name]:.2f}" if found is not None and turns[name] else "–")
            if any(cell not in ("–", "0.00") for cell in cells):
                print(f"| {stage} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
