"""What one forward pass of the live query encoder costs, by shape, and short texts in parts or in one pass.

    .venv/bin/python bench/pass_cost.py [--rounds 5] [--passes 6]

Loads the query encoder as the service does (default settings: OpenVINO bf16 where the CPU has it),
then prints the CPU time (all threads of the process) per pass for each padded width and number of
texts, median over ``--rounds`` rounds of ``--passes`` passes each, the shapes interleaved so that
all see the same machine load. Then, for groups of 3, 5, 6 and 7 short texts (gists), the CPU of
the power-of-two parts (before round 8) against one pass filled up to a power of two
(``forward_passes``), alternating, with the check that the vectors are the same.

    .venv/bin/python bench/pass_cost.py --compiles [--rounds 30] [--gap 0.1]

Instead (round 9): OpenVINO compiles of the same model side by side, as the one-call path would use
them: the service's (two streams, one thread each), one stream on two threads, one stream on one
thread, and the service's without CPU pinning. For each: the anonymous memory its compile and warm-up
add, whether its outputs equal the service compile's bit for bit, and wall-clock / CPU ms p50 / p95 of
a 56-token window alone, a 16-token gist alone, both (side by side on two infer requests, or one after
the other), and both as one batch of two, with ``--gap`` seconds of idle time before each.
``--static`` instead: CPU of a 56-token pass, the dynamic-shape compile against one for that shape only.
"""

from __future__ import annotations

import argparse
import functools
import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

GISTS = [
    "reisepass abgelaufen",
    "sperrmüll anmelden sofa",
    "hundesteuer abmelden",
    "wohnung ummelden",
    "personalausweis kind",
    "parkausweis anwohner",
    "kita platz",
]


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=6)
    parser.add_argument("--compiles", action="store_true", help="OpenVINO compiles side by side (round 9)")
    parser.add_argument("--gap", type=float, default=0.1, help="--compiles: idle seconds before each measurement")
    parser.add_argument("--static", action="store_true", help="a 56-token pass: dynamic against static shapes")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    if args.compiles or args.static:
        (compare_compiles if args.compiles else compare_static)(args.rounds, args.gap)
        return
    rounds: int = args.rounds
    passes: int = args.passes

    from assistant.settings import Settings
    from assistant.wiring import make_encoder
    from embeddings.encoders.onnx_encoder import OnnxEncoder, power_of_two_parts

    encoder = make_encoder(Settings())
    if not isinstance(encoder, OnnxEncoder):
        raise SystemExit(f"the configured encoder is {type(encoder).__name__}, not the ONNX encoder")
    session: Any = encoder._query_session()
    print(f"query runtime {encoder.query_runtime}, {session.parallel} pass(es) side by side")

    def timed(run: Callable[[], object]) -> float:
        started = cpu_seconds()
        for _ in range(passes):
            run()
        return 1000 * (cpu_seconds() - started) / passes

    print_shape_costs(encoder, session, rounds, timed)

    rows = encoder._tokenizer.encode_batch([encoder._query_prompt + g for g in GISTS])
    print("\nShort texts (gists) of one length group: power-of-two parts against one filled pass")
    print("| texts | parts | CPU ms, parts | CPU ms, one filled pass | same vectors |\n|---|---|---|---|---|")
    for count in (3, 5, 6, 7):
        texts = GISTS[:count]
        group = rows[:count]
        parts = power_of_two_parts(list(range(count)))

        def in_parts(group: list[list[int]] = group, parts: list[list[int]] = parts) -> None:
            for part in parts:
                encoder._forward([group[i] for i in part], session)

        def filled(texts: list[str] = texts) -> None:
            encoder.encode_queries(texts)

        before, after = [], []
        for _ in range(rounds):
            before.append(timed(in_parts))
            after.append(timed(filled))
        old = np.concatenate([encoder._forward([group[i] for i in part], session) for part in parts])
        same = bool(np.array_equal(old, encoder.encode_queries(texts)))
        print(
            f"| {count} | {'+'.join(str(len(p)) for p in parts)} | {statistics.median(before):.1f} "
            f"| {statistics.median(after):.1f} | {same} |"
        )


def print_shape_costs(encoder: Any, session: Any, rounds: int, timed: Callable[[Callable[[], object]], float]) -> None:
    """CPU per pass by padded width and number of texts (the shapes interleaved, median of the rounds)."""
    shapes = [(width, count) for width in (8, 16, 24, 32, 48, 56, 64) for count in (1, 2, 4, 8)]
    cost: dict[tuple[int, int], list[float]] = {shape: [] for shape in shapes}
    for _ in range(rounds):
        for width, count in shapes:
            rows = [[0, *[1000] * (width - 2), 2]] * count
            cost[(width, count)].append(timed(functools.partial(encoder._forward, rows, session)))
    print("\nCPU ms per pass (median), by padded width (rows) and texts in the pass (columns)")
    print("| width | 1 | 2 | 4 | 8 |\n|---|---|---|---|---|")
    for width in sorted({w for w, _ in shapes}):
        cells = " | ".join(f"{statistics.median(cost[(width, c)]):.1f}" for c in (1, 2, 4, 8))
        print(f"| {width} | {cells} |")


COMPILES: dict[str, dict[str, Any]] = {
    "2 streams x 1 thread (service)": {"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": 2, "INFERENCE_NUM_THREADS": 2},
    "1 stream x 2 threads": {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": 2},
    "1 stream x 1 thread": {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": 1},
    "2 streams x 1 thread, no pinning": {
        "PERFORMANCE_HINT": "THROUGHPUT",
        "NUM_STREAMS": 2,
        "INFERENCE_NUM_THREADS": 2,
        "ENABLE_CPU_PINNING": False,
    },
}


def anonymous_mb() -> int:
    for line in open("/proc/self/status"):  # noqa: SIM115 - Linux only, like the service's memory figures
        if line.startswith("RssAnon"):
            return int(line.split()[1]) // 1024
    return 0


def _query_model_xml() -> Path:
    from assistant.settings import Settings
    from embeddings.encoders.default_model import resolve_model
    from embeddings.encoders.onnx_encoder import onnx_folder, openvino_ir

    settings = Settings()
    return openvino_ir(onnx_folder(Path(resolve_model(settings.encoder.model, settings.encoder.cache_dir))))


def compare_static(rounds: int, gap: float) -> None:
    """CPU of a 56-token pass on one thread: the model as the service compiles it (dynamic shapes)
    against the same model reshaped to that one input shape, interleaved, and whether they agree."""
    import openvino as ov

    core = ov.Core()
    config = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_NUM_THREADS": 1, "INFERENCE_PRECISION_HINT": "bf16"}
    dynamic = core.compile_model(str(_query_model_xml()), "CPU", config)
    model = core.read_model(str(_query_model_xml()))
    model.reshape({"input_ids": [1, 56], "attention_mask": [1, 56]})
    static = core.compile_model(model, "CPU", config)
    ids = np.random.default_rng(0).integers(5, 200_000, size=(1, 56)).astype(np.int64)
    feeds = {"input_ids": ids, "attention_mask": np.ones_like(ids)}
    requests = {"dynamic": dynamic.create_infer_request(), "static": static.create_infer_request()}
    outputs = {name: np.array(request.infer(feeds)[0]) for name, request in requests.items()}
    print(f"same outputs: {np.array_equal(outputs['dynamic'], outputs['static'])}")
    used: dict[str, list[float]] = {name: [] for name in requests}
    for _ in range(rounds):
        for name, request in requests.items():
            time.sleep(gap)
            started = cpu_seconds()
            request.infer(feeds)
            used[name].append(1000 * (cpu_seconds() - started))
    for name, values in used.items():
        print(f"{name}: CPU ms p50 / p95 {np.percentile(values, 50):.1f} / {np.percentile(values, 95):.1f}")


def compare_compiles(rounds: int, gap: float) -> None:
    """The OpenVINO compiles of ``COMPILES`` side by side (see the module's docstring)."""
    from concurrent.futures import ThreadPoolExecutor

    import openvino as ov

    xml = _query_model_xml()
    core = ov.Core()
    rng = np.random.default_rng(0)

    def feeds(texts: int, width: int) -> dict[str, Any]:
        ids = rng.integers(5, 200_000, size=(texts, width)).astype(np.int64)
        return {"input_ids": ids, "attention_mask": np.ones_like(ids)}

    window, gist, both = feeds(1, 56), feeds(1, 16), feeds(2, 56)
    compiled: dict[str, tuple[Any, list[Any]]] = {}
    for name, config in COMPILES.items():
        before = anonymous_mb()
        model = core.compile_model(str(xml), "CPU", {**config, "INFERENCE_PRECISION_HINT": "bf16"})
        requests = [model.create_infer_request() for _ in range(2)]
        for request in requests:
            for shape in (window, gist, both):
                request.infer(shape)
        compiled[name] = (model, requests)
        print(f"{name}: +{anonymous_mb() - before} MB anonymous (compiled, three shapes warmed)")
    reference = next(iter(compiled))
    for name, (_, requests) in compiled.items():
        same = all(
            np.array_equal(np.array(requests[0].infer(f)[0]), np.array(compiled[reference][1][0].infer(f)[0]))
            for f in (window, gist, both)
        )
        print(f"{name}: outputs equal to the service compile's: {same}")
    pool = ThreadPoolExecutor(2)
    cases: dict[str, Callable[[list[Any]], object]] = {
        "window alone": lambda r: r[0].infer(window),
        "gist alone": lambda r: r[0].infer(gist),
        "window + gist side by side": lambda r: [
            f.result() for f in (pool.submit(r[0].infer, window), pool.submit(r[1].infer, gist))
        ],
        "window, then gist": lambda r: (r[0].infer(window), r[0].infer(gist)),
        "window + gist as one batch of two": lambda r: r[0].infer(both),
    }
    wall: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for name, (_, requests) in compiled.items():
            for case, run in cases.items():
                time.sleep(gap)
                started, used = time.perf_counter(), cpu_seconds()
                run(requests)
                wall.setdefault((name, case), []).append(1000 * (time.perf_counter() - started))
                cpu.setdefault((name, case), []).append(1000 * (cpu_seconds() - used))
    print(f"\nwall / CPU ms p50 / p95, {rounds} rounds, {gap} s idle before each; load average {os.getloadavg()}")
    print("| compile | " + " | ".join(cases) + " |\n|---|" + "---|" * len(cases))
    for name in compiled:
        cells = []
        for case in cases:
            w, c = np.percentile(wall[(name, case)], [50, 95]), np.percentile(cpu[(name, case)], [50, 95])
            cells.append(f"{w[0]:.1f} / {w[1]:.1f} (CPU {c[0]:.1f} / {c[1]:.1f})")
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
