"""Index build time, peak memory and search latency per mode, on the demo knowledge base and on the
Munich DLDB export (imported as a city without its keywords).

    .venv/bin/python bench/search_bench.py [--corpus demo|munich ...] [--encoder torch,onnx,onnx-int8]
        [--queries N] [--shared ../shared]

Every encoder backend is measured on the same corpora in the same run. Each corpus and encoder runs
in a fresh process, so the peak memory (max RSS) is that corpus's alone: model load,
embedding, index build and searches.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _queries_demo(limit: int) -> list[tuple[str, str]]:
    rows = [json.loads(line) for line in (ROOT / "demo" / "queries" / "dev.jsonl").read_text().splitlines() if line]
    return [(r["text"], r["city"]) for r in rows][:limit]


def _queries_munich(shared: Path, limit: int) -> list[tuple[str, str]]:
    path = shared / "data" / "munich_services" / "munich_keyword_queries.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines() if line]
    random.Random(0).shuffle(rows)
    return [(r["query"], "muenchen") for r in rows][:limit]


def run_corpus(name: str, shared: str, limit: int, encoder_backend: str | None, out: Any) -> None:
    from assistant.settings import Settings
    from assistant.wiring import make_encoder
    from corpus.dldb_import import import_dldb
    from corpus.knowledge_base import load_knowledge_base
    from embeddings.index.index_store import refresh_index
    from embeddings.retrieval.retriever import SEARCH_MODES, HybridRetriever

    tmp = Path(tempfile.mkdtemp(prefix=f"bench-{name}-"))
    settings = Settings(data_dir=tmp / "data", **({"encoder": {"backend": encoder_backend}} if encoder_backend else {}))
    if name == "munich":
        import_dldb(Path(shared) / "data/munich_services/services_de.raw.json", "muenchen", tmp / "kb", False)
        knowledge = tmp / "kb"
        queries = _queries_munich(Path(shared), limit)
    else:
        knowledge = ROOT / "demo" / "knowledge"
        queries = _queries_demo(limit)
    started = time.perf_counter()
    kb = load_knowledge_base(knowledge)
    encoder = make_encoder(settings)
    load_s = time.perf_counter() - started
    started, cpu = time.perf_counter(), time.process_time()
    index, _ = refresh_index(settings.index_dir, kb, encoder, settings.index_settings())
    build_s, build_cpu_s = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    from embeddings.index.passage_index import PassageIndex

    PassageIndex.load(settings.index_dir)
    reload_s = time.perf_counter() - started
    retriever = HybridRetriever(index, encoder, kb.cities, settings.retrieval_config())
    latencies: dict[str, list[float]] = {}
    for mode in SEARCH_MODES:
        retriever.clear_query_cache()
        retriever.search("Aufwärmen", queries[0][1], k=5, mode=mode)
        retriever.clear_query_cache()
        times = []
        for text, city in queries:
            t0 = time.perf_counter()
            retriever.search(text, city, k=5, mode=mode)
            times.append((time.perf_counter() - t0) * 1000)
        latencies[mode] = times
    import numpy as np

    out.put(
        {
            "corpus": name,
            "encoder": settings.encoder.backend,
            "articles": len(index.articles),
            "passages": len(index.passages),
            "model_load_s": round(load_s, 1),
            "index_build_s": round(build_s, 1),
            "index_build_cpu_s": round(build_cpu_s, 1),  # all threads: steadier than wall time on a busy machine
            "index_load_s": round(reload_s, 2),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "queries": len(queries),
            "latency_ms": {
                m: {"p50": round(float(np.percentile(t, 50)), 1), "p95": round(float(np.percentile(t, 95)), 1)}
                for m, t in latencies.items()
            },
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", action="append", choices=["demo", "munich"])
    parser.add_argument("--queries", type=int, default=200, help="queries per corpus (default 200)")
    parser.add_argument("--shared", default=str(ROOT.parent / "shared"))
    parser.add_argument("--encoder", default="", help="backends side by side, e.g. torch,onnx,onnx-int8")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    results = []
    encoders: list[str | None] = [e for e in args.encoder.split(",") if e] or [None]
    for name in args.corpus or ["demo", "munich"]:
        for encoder in encoders:
            queue = ctx.Queue()
            proc = ctx.Process(target=run_corpus, args=(name, args.shared, args.queries, encoder, queue))
            proc.start()
            results.append(queue.get())
            proc.join()
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for r in results:
        print(
            f"{r['corpus']} [{r['encoder']}]: {r['articles']} articles, {r['passages']} passages | "
            f"model load {r['model_load_s']} s | "
            f"index build {r['index_build_s']} s (CPU {r['index_build_cpu_s']} s) | "
            f"index load {r['index_load_s']} s | peak RSS {r['peak_rss_mb']} MB"
        )
        for mode, lat in r["latency_ms"].items():
            print(f"  {mode:8s} search over {r['queries']} queries: p50 {lat['p50']} ms, p95 {lat['p95']} ms")


if __name__ == "__main__":
    main()
