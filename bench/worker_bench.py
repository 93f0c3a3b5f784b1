"""Query embedding through the inference worker against calling the encoder directly, in one process.

    .venv/bin/python bench/worker_bench.py [--encoder onnx|onnx-int8|torch] [--threads 16] [--queries 64]

One at a time (the worker's hand-off cost) and from many threads at once (batching against concurrent
forward passes). Prints p50/p95 per caller and the worker's passes per request.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default="onnx", help="onnx, onnx-int8 or torch")
    parser.add_argument("--threads", type=int, default=16, help="concurrent callers")
    parser.add_argument("--queries", type=int, default=64)
    args = parser.parse_args()
    from assistant.settings import Settings
    from assistant.wiring import make_encoder, make_inference_worker

    settings = Settings(encoder={"backend": args.encoder})
    encoder = make_encoder(settings)
    rows = (ROOT / "demo" / "queries" / "dev.jsonl").read_text().splitlines()
    queries = [json.loads(line)["text"] for line in rows if line][: args.queries]
    encoder.encode_queries(["warm up"])
    worker = make_inference_worker(settings, encoder)
    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; encoder {encoder.model_id}")
    direct, through = [], []
    for query in queries[:20]:
        started = time.perf_counter()
        encoder.encode_queries([query])
        direct.append(time.perf_counter() - started)
        started = time.perf_counter()
        worker.encode_queries([query])
        through.append(time.perf_counter() - started)
    print(f"one at a time, p50: direct {1000 * np.median(direct):.1f} ms, worker {1000 * np.median(through):.1f} ms")
    calls: list[tuple[str, Callable[[Sequence[str]], object]]] = [
        ("direct", encoder.encode_queries),
        ("worker", worker.encode_queries),
    ]
    for name, embed in calls:
        latencies: list[float] = []

        def one(query: str, embed: Callable[[Sequence[str]], object] = embed, out: list[float] = latencies) -> None:
            started = time.perf_counter()
            embed([query])
            out.append(time.perf_counter() - started)

        started = time.perf_counter()
        with ThreadPoolExecutor(args.threads) as pool:
            list(pool.map(one, queries))
        seconds = time.perf_counter() - started
        p50, p95 = np.percentile(latencies, [50, 95]) * 1000
        where = f"{name}, {args.threads} threads: {len(queries)} queries"
        print(f"{where} in {seconds:.2f} s, p50 {p50:.0f} ms, p95 {p95:.0f} ms")
    print(f"worker: {worker.stats.requests} requests in {worker.stats.passes} forward passes")
    worker.stop()


if __name__ == "__main__":
    main()
