"""OpenVINO against ONNX Runtime for the default model, side by side in one process.

    .venv/bin/python bench/openvino_bench.py [--rounds 2] [--passages 128] [--threads N] [--no-torch]

Loads the fp32 export of ``souffleur model prepare`` (``model.onnx``) twice: with ONNX Runtime (the
shipped ``OnnxEncoder``) and with OpenVINO (``openvino`` reads the ONNX file and compiles it for the
CPU; same tokenizer, pooling and normalization: only the forward pass differs). Then, alternating
round by round so both see the same machine load:

* one query at a time over the 378 dev and test queries (as the live service embeds a caller turn):
  wall p50/p95 and CPU time (all threads of the process) per query;
* ``--passages`` passages of the demo index in batches of 16 (as an index build does): seconds and
  CPU seconds per 100 passages;

and the cosine of every query vector to torch's (sentence-transformers on the converted model; the
issue's bar is >= 0.999 for fp32) and to ONNX Runtime's. OpenVINO is optional (``pip install
openvino==2026.4.1``); without it the script says so and stops.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


class OpenVinoSession:
    """Stands in for an ``onnxruntime.InferenceSession`` in ``OnnxEncoder``: ``run`` on an OpenVINO model."""

    length_step = 1

    def __init__(self, path: Path, threads: int | None, precision: str) -> None:
        import openvino as ov

        core = ov.Core()
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": precision}
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        self.compiled = core.compile_model(core.read_model(str(path)), "CPU", config)
        self.request = self.compiled.create_infer_request()
        self.version = ov.get_version()

    def run(self, _outputs: object, feeds: dict[str, Any]) -> list[Any]:
        result = self.request.infer({k: v for k, v in feeds.items() if k != "token_type_ids" or self._has(k)})
        return [result[self.compiled.output(0)]]

    def _has(self, name: str) -> bool:
        return any(name in p.get_names() for p in self.compiled.inputs)

    def get_inputs(self) -> list[Any]:
        return list(self.compiled.inputs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--passages", type=int, default=128)
    parser.add_argument("--threads", type=int, help="threads of both runtimes (default: their own)")
    parser.add_argument("--no-torch", action="store_true", help="skip the cosine to torch")
    args = parser.parse_args()
    try:
        import openvino  # noqa: F401
    except ImportError:
        raise SystemExit("OpenVINO is not installed: pip install openvino==2026.4.1") from None

    from assistant.settings import Settings
    from embeddings.encoders.default_model import ensure_default_model
    from embeddings.encoders.onnx_encoder import OnnxEncoder, onnx_folder

    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")
    model = ensure_default_model(Settings().encoder.cache_dir)
    encoders: dict[str, OnnxEncoder] = {}
    started = time.perf_counter()
    encoders["onnxruntime fp32"] = OnnxEncoder(model, "fp32", threads=args.threads)
    print(f"load: ONNX Runtime {time.perf_counter() - started:.1f} s")
    # OpenVINO's CPU plugin runs an fp32 model in bf16 by default where the CPU has bf16 units (AMX,
    # AVX-512 BF16): measured as its own row, next to OpenVINO held to fp32.
    for precision in ("f32", "bf16"):
        started = time.perf_counter()
        encoder = OnnxEncoder(model, "fp32", threads=args.threads)
        session = OpenVinoSession(onnx_folder(model) / "model.onnx", args.threads, precision)
        encoder._query_session = encoder._passage_session = lambda session=session: session  # type: ignore[method-assign]
        encoders[f"openvino {precision}"] = encoder
        print(f"load: OpenVINO {session.version} {precision} {time.perf_counter() - started:.1f} s (read + compile)")
    measure(encoders, args, model)


def measure(encoders: dict[str, Any], args: argparse.Namespace, model: Path) -> None:
    from assistant.settings import Settings
    from embeddings.index.passage_index import MissingIndexError, PassageIndex

    queries = [
        json.loads(line)["text"]
        for name in ("dev", "test")
        for line in (ROOT / "demo" / "queries" / f"{name}.jsonl").read_text().splitlines()
        if line.strip()
    ]
    try:
        index = PassageIndex.load(Settings().index_dir)
        passages = [p.embedding_text for p in index.passages][:: max(1, len(index.passages) // args.passages)]
    except (MissingIndexError, OSError, ValueError):
        passages = queries * 4
    passages = passages[: args.passages]
    for encoder in encoders.values():  # warm-up
        encoder.encode_queries(queries[:8])
        encoder.encode_passages(passages[:16])

    wall: dict[str, list[float]] = {n: [] for n in encoders}
    cpu = dict.fromkeys(encoders, 0.0)
    batch_wall = dict.fromkeys(encoders, 0.0)
    batch_cpu = dict.fromkeys(encoders, 0.0)
    vectors: dict[str, Any] = {}
    for _ in range(args.rounds):
        for name, encoder in encoders.items():
            rows = []
            c0 = time.process_time()
            for q in queries:
                w0 = time.perf_counter()
                rows.append(encoder.encode_queries([q]))
                wall[name].append((time.perf_counter() - w0) * 1000)
            cpu[name] += time.process_time() - c0
            vectors[name] = np.concatenate(rows)
            c0, w0 = time.process_time(), time.perf_counter()
            encoder.encode_passages(passages)
            batch_cpu[name] += time.process_time() - c0
            batch_wall[name] += time.perf_counter() - w0
    references = {"onnxruntime fp32": vectors["onnxruntime fp32"]}
    if not args.no_torch:
        from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder

        references["torch"] = SentenceTransformerEncoder(str(model)).encode_queries(queries)
    n = args.rounds * len(queries)
    per100 = 100 / (args.rounds * len(passages))
    refs = " | ".join(f"cosine to {r} min / mean" for r in references)
    print(f"\n{len(queries)} queries one at a time, {len(passages)} passages in batches of 16, {args.rounds} rounds")
    print(f"| runtime | query wall p50 / p95 ms | query CPU ms | 100 passages wall s | 100 passages CPU s | {refs} |")
    print("|---|---|---|---|---|" + "---|" * len(references))
    for name in encoders:
        p50, p95 = np.percentile(wall[name], [50, 95])
        cosines = " | ".join(
            f"{np.sum(vectors[name] * ref, axis=1).min():.6f} / {np.sum(vectors[name] * ref, axis=1).mean():.6f}"
            for ref in references.values()
        )
        print(
            f"| {name} | {p50:.1f} / {p95:.1f} | {1000 * cpu[name] / n:.1f} | {batch_wall[name] * per100:.1f} | "
            f"{batch_cpu[name] * per100:.1f} | {cosines} |"
        )


if __name__ == "__main__":
    main()
