"""What one forward pass of the live query encoder costs, by shape, and short texts in parts or in one pass.

    .venv/bin/python bench/pass_cost.py [--rounds 5] [--passes 6]

Loads the query encoder as the service does (default settings: OpenVINO bf16 where the CPU has it),
then prints the CPU time (all threads of the process) per pass for each padded width and number of
texts, median over ``--rounds`` rounds of ``--passes`` passes each, the shapes interleaved so that
all see the same machine load. Then, for groups of 3, 5, 6 and 7 short texts (gists), the CPU of
the power-of-two parts (before round 8) against one pass filled up to a power of two
(``forward_passes``), alternating, with the check that the vectors are the same.
"""

from __future__ import annotations

import argparse
import functools
import resource
import statistics
from collections.abc import Callable
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--passes", type=int, default=6)
    args = parser.parse_args()
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


if __name__ == "__main__":
    main()
