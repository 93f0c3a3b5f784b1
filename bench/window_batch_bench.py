"""What a caller turn's forward pass costs, alone and batched: CPU time per concern window.

    .venv/bin/python bench/window_batch_bench.py [--data-dir DIR] [--windows 96] [--batch 8] [--rounds 3]

The live engine embeds the concern's window per caller turn (the caller's recent turns and the agent's
last words, at most 40 words; since round 7 also the turn's gist, its content words, in the same request:
a short text that the encoder runs in its own, shorter pass). This script builds such windows from the demo call scripts
(``demo/calls/dev.jsonl``, the caller's turns of each call, the last 40 words), embeds them with the
configured encoder (the default: ONNX Runtime, fp32) one at a time and in batches of ``--batch`` (as the
inference worker batches concurrent calls), alternating round by round, and prints the CPU time of the
process (all threads) and the wall time per window. On a machine with two cores the CPU time per window
bounds how many caller turns per second the forward passes alone leave room for.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import numpy as np
from baseline_code import backend_settings

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "demo" / "calls" / "dev.jsonl"
WINDOW_WORDS = 40


def windows(limit: int) -> list[str]:
    found: list[str] = []
    for line in CALLS.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        words: list[str] = []
        for speaker, text in json.loads(line)["turns"]:
            if speaker == "caller":
                words = (words + text.split())[-WINDOW_WORDS:]
                found.append(" ".join(words))
    return found[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "souffleur-window-bench")
    parser.add_argument("--windows", type=int, default=96)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    from assistant.wiring import make_encoder

    encoder = make_encoder(backend_settings(args.data_dir, "onnx"))
    texts = windows(args.windows)
    texts = texts[: len(texts) - len(texts) % args.batch] or texts
    encoder.encode_queries(texts[: args.batch])  # first passes: not counted
    load = os.getloadavg()[0]
    spent: dict[str, list[tuple[float, float]]] = {"one at a time": [], f"batches of {args.batch}": []}
    for _ in range(args.rounds):
        for name, rounds in spent.items():
            cpu, wall = time.process_time(), time.perf_counter()
            if name == "one at a time":
                single = np.vstack([encoder.encode_queries([t]) for t in texts])
            else:
                batched = np.vstack(
                    [encoder.encode_queries(texts[i : i + args.batch]) for i in range(0, len(texts), args.batch)]
                )
            rounds.append((time.process_time() - cpu, time.perf_counter() - wall))
    words = sum(len(t.split()) for t in texts) / len(texts)
    tokens = sum(encoder.count_tokens(t) for t in texts) / len(texts)
    cosine = float(np.min(np.sum(single * batched, axis=1)))
    print(f"{len(texts)} windows ({words:.0f} words, {tokens:.0f} tokens on average), {args.rounds} rounds")
    print(f"load average {load:.2f} at the start, {os.getloadavg()[0]:.2f} at the end")
    print(f"minimum cosine between a window's vector alone and in a batch: {cosine:.6f}")
    print("| how | CPU ms per window (per round) | wall ms per window (per round) |")
    print("|---|---|---|")
    for name, rounds in spent.items():
        cpu_ms = " / ".join(f"{1000 * c / len(texts):.1f}" for c, _ in rounds)
        wall_ms = " / ".join(f"{1000 * w / len(texts):.1f}" for _, w in rounds)
        print(f"| {name} | {cpu_ms} | {wall_ms} |")


if __name__ == "__main__":
    main()
