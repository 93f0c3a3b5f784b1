"""int8 quantizations of the default model's ONNX export against fp32: how close, how fast.

    .venv/bin/python bench/int8_variants.py [--out DIR] [--rounds 3]

Quantizes ``model.onnx`` (the fp32 export of ``souffleur model prepare``) with ONNX Runtime's dynamic
int8 quantization in several ways into ``--out``, embeds the 378 dev and test queries with each
(one at a time, as the live service does) and prints the cosine of each query vector to fp32's
(minimum, 1st percentile, mean) and the CPU time per query (all threads; steadier than wall time on a
shared machine). ``shipped`` is the per-channel variant that ``souffleur model prepare`` writes
(``model-int8.onnx``); the others keep the named MatMuls in fp32. A proxy only: retrieval quality is
measured by ``bench/int8_quality.py``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "souffleur-int8-variants")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from assistant.settings import Settings
    from embeddings.encoders import onnx_encoder
    from embeddings.encoders.default_model import ensure_default_model

    model = ensure_default_model(Settings().encoder.cache_dir)
    source = onnx_encoder.onnx_folder(model) / "model.onnx"
    names = [n.name for n in onnx.load(str(source), load_external_data=False).graph.node]
    output_dense = [n for n in names if n.endswith("output/dense/MatMul")]  # attention output, FFN down
    variants: dict[str, dict[str, Any] | None] = {
        "fp32": None,
        "shipped": {"per_channel": True},
        "MatMul only (embedding table fp32)": {"per_channel": True, "op_types_to_quantize": ["MatMul"]},
        "without attention output and FFN down": {"per_channel": True, "nodes_to_exclude": output_dense},
        "without FFN down": {
            "per_channel": True,
            "nodes_to_exclude": [n for n in output_dense if "/attention/" not in n],
        },
    }
    queries = [
        json.loads(line)["text"]
        for name in ("dev", "test")
        for line in (ROOT / "demo" / "queries" / f"{name}.jsonl").read_text().splitlines()
        if line.strip()
    ]
    encoders: dict[str, onnx_encoder.OnnxEncoder] = {}
    sizes: dict[str, float] = {}
    args.out.mkdir(parents=True, exist_ok=True)
    original = onnx_encoder.model_file
    for name, options in variants.items():
        if options is None:
            encoders[name] = onnx_encoder.OnnxEncoder(model, "fp32")
            sizes[name] = source.stat().st_size / 1e6
            continue
        if name == "shipped":
            target = onnx_encoder.onnx_folder(model) / "model-int8.onnx"
        else:
            target = args.out / (name.replace(" ", "-").replace("(", "").replace(")", "") + ".onnx")
            if not target.is_file():
                quantize_dynamic(source, target, weight_type=QuantType.QInt8, **options)
        onnx_encoder.model_file = lambda _folder, _variant, path=target: path  # type: ignore[misc]
        try:
            encoders[name] = onnx_encoder.OnnxEncoder(model, "int8")
        finally:
            onnx_encoder.model_file = original
        sizes[name] = target.stat().st_size / 1e6
    reference = encoders["fp32"].encode_queries(queries)
    cpu = dict.fromkeys(encoders, 0.0)
    vectors = {}
    for _ in range(args.rounds):
        for name, encoder in encoders.items():
            started = time.process_time()
            vectors[name] = np.concatenate([encoder.encode_queries([q]) for q in queries])
            cpu[name] += time.process_time() - started
    print(f"{len(queries)} queries, {args.rounds} rounds")
    print("| variant | file MB | cosine to fp32 min / p1 / mean | CPU ms per query |")
    print("|---|---|---|---|")
    for name in encoders:
        cos = np.sum(vectors[name] * reference, axis=1)
        per_query = cpu[name] / (args.rounds * len(queries)) * 1000
        print(
            f"| {name} | {sizes[name]:.0f} | {cos.min():.4f} / {np.percentile(cos, 1):.4f} / {cos.mean():.5f} | "
            f"{per_query:.1f} |"
        )


if __name__ == "__main__":
    main()
