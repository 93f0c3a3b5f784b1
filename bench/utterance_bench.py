"""The one-call path in process, stage by stage, this checkout against an earlier commit in one run.

    .venv/bin/python bench/utterance_bench.py [--baseline REF] [--encoder onnx] [--data-dir DIR]
        [--calls N] [--rounds R] [--profile] [--stages] [--gap S]

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
# ``encode`` is the request thread's wait for its vectors (the retriever's ``_vectors``: since round 9
# the forward passes start before the lexical search, so part of them is not waited for). With
# ``--stages``, wall-clock parts of the encoder's work on the worker thread: its whole run, the
# tokenizer, the forward passes (each on its own pass thread, side by side), the slowest of them,
# their summed wall time and their number.
ENCODER_STAGES = ("worker run", "tokenize", "passes", "slowest pass", "passes summed", "pass count")


def measure(
    data_dir: Path, encoder: str, calls: int, rounds: int, profile: bool, stages: bool = False, gap: float = 0.0
) -> dict[str, list[float]]:
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
    _time_vector_wait(service.retriever, timed)
    service.store.record_utterance = timed("store", service.store.record_utterance)  # type: ignore[method-assign]
    out: dict[str, list[float]] = {k: [] for k in STAGES}
    parts = _time_encoder_parts(getattr(encoder_obj, "encoder", None)) if stages else None
    if parts is not None:
        out.update({k: [] for k in ENCODER_STAGES})

    def replay() -> None:
        for script in scripts:
            call = service.open_call(city=script["city"])
            for speaker, text in script["turns"]:
                time.sleep(gap)  # a live call: the service idles between turns
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
                if parts is not None:
                    _record_encoder_parts(out, parts, record=speaker == "caller")
            service.end_call(call.call.id)

    replay()  # warm up (first use of every code path); not counted
    for values in out.values():
        values.clear()
    _rounds(service, replay, rounds, profile)
    service.close()
    return out


def _time_vector_wait(retriever: Any, timed: Any) -> None:
    """Time, as ``encode``, where the request thread waits for its query vectors: the retriever's
    ``_vectors`` (since round 9 the passes start earlier, and the wait is not inside ``encode_queries``),
    or for code without it the encoder's ``encode_queries``."""
    if hasattr(retriever, "_vectors"):
        retriever._vectors = timed("encode", retriever._vectors)
    else:
        retriever.encoder.encode_queries = timed("encode", retriever.encoder.encode_queries)


def _record_encoder_parts(out: dict[str, list[float]], parts: dict[str, list[float]], record: bool) -> None:
    """One utterance's encoder parts (seconds, from ``_time_encoder_parts``) as ms rows of ``out`` (if
    ``record`` and it embedded something); then ``parts`` is emptied for the next utterance."""
    if record and parts["run"]:
        run, passes = sum(parts["run"]), parts["pass"]
        out["worker run"].append(run * 1000)
        out["tokenize"].append(sum(parts["tokenize"]) * 1000)
        out["passes"].append((run - sum(parts["tokenize"])) * 1000)
        out["slowest pass"].append(max(passes, default=0.0) * 1000)
        out["passes summed"].append(sum(passes) * 1000)
        out["pass count"].append(float(len(passes)))
    for values in parts.values():
        values.clear()


def _time_encoder_parts(encoder: Any) -> dict[str, list[float]] | None:
    """Wrap the ONNX encoder behind the inference worker so that each query request's tokenizer call,
    its run on the worker thread and each forward pass (on the pass threads) record their wall time;
    ``None`` for another encoder."""
    from embeddings.encoders.onnx_encoder import OnnxEncoder

    if not isinstance(encoder, OnnxEncoder):
        return None
    parts: dict[str, list[float]] = {"run": [], "tokenize": [], "pass": []}

    def timed(name: str, method: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                parts[name].append(time.perf_counter() - started)  # list.append: safe from several threads

        return wrapper

    encoder.encode_queries = timed("run", encoder.encode_queries)  # type: ignore[method-assign]
    encoder._forward = timed("pass", encoder._forward)  # type: ignore[method-assign]
    tokenizer: Any = encoder._tokenizer
    tokenizer.encode_batch = timed("tokenize", tokenizer.encode_batch)
    return parts


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
        *(["--stages"] if args.stages else []),
        "--gap",
        str(args.gap),
    ]
    result = subprocess.run(command, env=env, cwd=code, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"run with {code} failed:\n{result.stderr[-3000:]}")
    return dict(json.loads(result.stdout.splitlines()[-1]))


def _row(name: str, values: dict[str, list[float]]) -> str:
    cells = [_cell(values[stage]) for stage in STAGES]
    return f"| {name} | {len(values['total'])} | " + " | ".join(cells) + " |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git ref to compare with (e.g. HEAD~3 or main)")
    parser.add_argument("--encoder", default="onnx")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "souffleur-utterance-bench")
    parser.add_argument("--calls", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--stages", action="store_true", help="also the wall-clock parts of the encoder's time")
    parser.add_argument("--gap", type=float, default=0.0, help="seconds of idle time before each turn (as in a call)")
    parser.add_argument("--variant", action="append", default=[], help="NAME:KEY=VALUE[,KEY=VALUE] (repeatable)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(
            json.dumps(
                measure(args.data_dir, args.encoder, args.calls, args.rounds, args.profile, args.stages, args.gap)
            )
        )
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
    if args.stages:
        print("\nwall-clock ms of the encoder's work, p50 / p95 per caller utterance that embedded something")
        print("| code | " + " | ".join(ENCODER_STAGES) + " |")
        print("|---|" + "---|" * len(ENCODER_STAGES))
        for name, measured in runs.items():
            if measured.get("worker run"):
                cells = [_cell(measured[stage]) for stage in ENCODER_STAGES]
                print(f"| {name} | " + " | ".join(cells) + " |")


def _cell(values: list[float]) -> str:
    import numpy as np

    return " / ".join(f"{v:.1f}" for v in np.percentile(values, [50, 95]))


if __name__ == "__main__":
    main()
