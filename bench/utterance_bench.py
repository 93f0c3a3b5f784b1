"""The one-call path in process, stage by stage, this checkout against an earlier commit in one run.

    .venv/bin/python bench/utterance_bench.py [--baseline REF] [--encoder onnx] [--data-dir DIR]
        [--calls N] [--rounds R] [--profile]

Builds the call service as ``souffleur serve`` does (default model, demo knowledge base, an SQLite
file), replays ``N`` demo call scripts (``demo/calls/dev.jsonl``) through ``CallService.utterance``
``R`` times, and prints per final caller utterance the p50/p95 of the whole call (redaction, engine,
storage, event fan-out), of the query encoding alone (time spent waiting for the encoder), of the
storage write and of everything else, in wall-clock time and in CPU time of the process (all
threads; on a shared machine the CPU time is the steadier measure of the work). With ``--baseline
REF`` the same measurement runs on ``git archive REF`` of this repository (a fresh process with that
code on ``PYTHONPATH``) and on this checkout, alternating round by round, so both see the same
machine load. ``--variant NAME:KEY=VALUE[,KEY=VALUE]`` adds a run of this checkout with those
environment variables (settings), e.g. ``--variant bf16:SOUFFLEUR_ENCODER__QUERY_RUNTIME=openvino-bf16``.
``--profile`` prints a cProfile of this checkout's path (sorted by own time).

The index folder is shared by both (``--data-dir``; built on first use): the code under test must not
change the index format.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from baseline_code import backend_settings, export

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "demo" / "calls" / "dev.jsonl"
STAGES = ("total", "encode", "store", "rest", "total cpu", "encode cpu", "store cpu", "rest cpu")


def measure(data_dir: Path, encoder: str, calls: int, rounds: int, profile: bool) -> dict[str, list[float]]:
    """Runs in the process whose code is under test (imports from ``PYTHONPATH``)."""
    from assistant.wiring import build_call_service

    settings = backend_settings(data_dir, encoder)
    db = Path(tempfile.mkdtemp(prefix="utt-bench-")) / "bench.db"
    service = build_call_service(settings, database_url=f"sqlite:///{db}")
    scripts = [json.loads(line) for line in CALLS.read_text().splitlines() if line.strip()][:calls]
    spent = {"encode": 0.0, "store": 0.0, "encode cpu": 0.0, "store cpu": 0.0}

    def timed(name: str, method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started, cpu = time.perf_counter(), time.process_time()
            try:
                return method(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
                spent[name + " cpu"] += time.process_time() - cpu

        return wrapper

    encoder_obj: Any = service.retriever.encoder  # type: ignore[attr-defined]
    encoder_obj.encode_queries = timed("encode", encoder_obj.encode_queries)
    service.store.record_utterance = timed("store", service.store.record_utterance)  # type: ignore[method-assign]
    out: dict[str, list[float]] = {k: [] for k in STAGES}

    def replay() -> None:
        for script in scripts:
            call = service.open_call(city=script["city"])
            for speaker, text in script["turns"]:
                for key in spent:
                    spent[key] = 0.0
                started, cpu = time.perf_counter(), time.process_time()
                service.utterance(call.call.id, speaker, text)
                total, total_cpu = time.perf_counter() - started, time.process_time() - cpu
                if speaker == "caller":
                    rest = total - spent["encode"] - spent["store"]
                    rest_cpu = total_cpu - spent["encode cpu"] - spent["store cpu"]
                    got = (total, spent["encode"], spent["store"], rest, total_cpu, spent["encode cpu"])
                    for key, value in zip(STAGES, (*got, spent["store cpu"], rest_cpu), strict=True):
                        out[key].append(value * 1000)
            service.end_call(call.call.id)

    replay()  # warm up (first use of every code path); not counted
    for values in out.values():
        values.clear()
    _rounds(service, replay, rounds, profile)
    service.close()
    return out


def _rounds(service: Any, replay: Any, rounds: int, profile: bool) -> None:
    import cProfile
    import pstats

    profiler = cProfile.Profile() if profile else None
    if profiler is not None:
        profiler.enable()
    for _ in range(rounds):
        service.retriever.clear_query_cache()
        replay()
    if profiler is not None:
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(30)


def _child(args: argparse.Namespace, code: Path, extra_env: dict[str, str]) -> dict[str, list[float]]:
    env = {**os.environ, **extra_env, "PYTHONPATH": str(code)}
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--child",
        "--data-dir",
        str(args.data_dir),
        "--encoder",
        args.encoder,
        "--calls",
        str(args.calls),
        "--rounds",
        "1",
    ]
    result = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"run with {code} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.splitlines()[-1]))


def _row(name: str, values: dict[str, list[float]]) -> str:
    import numpy as np

    cells = [" / ".join(f"{v:.1f}" for v in np.percentile(values[stage], [50, 95])) for stage in STAGES]
    return f"| {name} | {len(values['total'])} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git ref to compare with (e.g. HEAD~3 or main)")
    parser.add_argument("--encoder", default="onnx")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "souffleur-utterance-bench")
    parser.add_argument("--calls", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--variant", action="append", default=[], help="NAME:KEY=VALUE[,KEY=VALUE] (repeatable)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.data_dir, args.encoder, args.calls, args.rounds, args.profile)))
        return
    load = os.getloadavg()[0]
    runs: dict[str, dict[str, list[float]]] = {}
    base = export(args.baseline) if args.baseline else None
    runs_to_do: list[tuple[str, Path, dict[str, str]]] = [(f"baseline {args.baseline}", base, {})] if base else []
    runs_to_do.append(("this checkout", ROOT, {}))
    for variant in args.variant:
        name, _, assignments = variant.partition(":")
        env = dict(a.split("=", 1) for a in assignments.split(",") if a)
        runs_to_do.append((f"this checkout, {name}", ROOT, env))
    for _ in range(args.rounds):
        for name, code, extra_env in runs_to_do:
            got = _child(args, code, extra_env)
            into = runs.setdefault(name, {k: [] for k in got})
            for key, values in got.items():
                into[key].extend(values)
    if args.profile:
        measure(args.data_dir, args.encoder, args.calls, 1, True)
    print(f"encoder {args.encoder}, {args.calls} demo calls x {args.rounds} rounds, load average at start {load:.2f}")
    print("p50 / p95 ms per final caller utterance; wall clock, then CPU time of the process (all threads)")
    print("| code | caller turns | " + " | ".join(STAGES) + " |")
    print("|---|---|" + "---|" * len(STAGES))
    for name, measured in runs.items():
        print(_row(name, measured))


if __name__ == "__main__":
    main()
