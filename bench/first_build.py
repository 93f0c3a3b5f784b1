"""First index build (empty data folder, no vector cache): this checkout against an earlier commit,
and optional variants of this checkout, in one run.

    .venv/bin/python bench/first_build.py [--baseline REF] [--variant NAME:KEY=VALUE[,KEY=VALUE]] [--repeat N]
                                          [--stages]

Each build is ``/usr/bin/time souffleur index`` in a fresh process into a new empty data folder (the
demo knowledge base, 920 passages), the codes alternating round by round so that all see the same
machine load. Prints wall time, CPU time (user + system) and peak RSS per build, with the load average.

``--stages`` (round 10) runs each build under ``cProfile`` and adds where its wall time went, from the
profile's cumulative times of the main thread: the start (Python, imports and the command line before
the index command), the model load (``make_encoder``), the knowledge base, splitting articles into
passages (with the token counts), the forward passes (``encode_passages``: the main thread waits for
the pass threads), the lexical (BM25) index, saving, and the rest. The profile itself adds a little.
"""

from __future__ import annotations

import argparse
import os
import pstats
import subprocess
import sys
import tempfile
from pathlib import Path

from baseline_code import export

ROOT = Path(__file__).resolve().parent.parent

# Stage name -> (the end of the function's file path, the function's name), as cProfile records them.
STAGES: dict[str, tuple[str, str]] = {
    "command": ("assistant/cli/main.py", "index_command"),
    "model load": ("assistant/wiring.py", "make_encoder"),
    "knowledge base": ("corpus/knowledge_base.py", "load_knowledge_base"),
    "split": ("corpus/passages.py", "split_all"),
    "forward passes": ("embeddings/encoders/onnx_encoder.py", "encode_passages"),
    "BM25": ("embeddings/index/lexical_index.py", "build"),
    "save": ("embeddings/index/passage_index.py", "save"),
}
SHOWN = ("start", "model load", "knowledge base", "split", "forward passes", "BM25", "save", "rest")


def stage_seconds(cumulative: dict[tuple[str, str], float], total: float) -> dict[str, float]:
    """Seconds per stage of one build from ``cumulative`` ((file, function) -> cumulative seconds, as
    ``pstats`` has them) and the process's wall time ``total``: "start" is what ran before the index
    command, "rest" what the command did outside the named stages. A stage the code does not have
    (an older commit) counts as 0."""
    seconds = {name: 0.0 for name in STAGES}
    for (filename, function), value in cumulative.items():
        for name, (suffix, wanted) in STAGES.items():
            if function == wanted and filename.replace(os.sep, "/").endswith(suffix):
                seconds[name] += value
    command = seconds.pop("command")
    named = sum(seconds.values())
    return {"start": max(total - command, 0.0), **seconds, "rest": max(command - named, 0.0)}


def profiled_stages(profile: Path, total: float) -> dict[str, float]:
    stats = pstats.Stats(str(profile)).stats  # type: ignore[attr-defined]
    return stage_seconds({(key[0], key[2]): value[3] for key, value in stats.items()}, total)


def build(code: Path, extra_env: dict[str, str], stages: bool = False) -> tuple[float, float, float, dict[str, float]]:
    """(wall s, CPU s, peak RSS MB, seconds per stage or {}) of ``souffleur index`` from ``code`` into
    an empty data folder."""
    souffleur = str(Path(sys.executable).parent / "souffleur")
    with (
        tempfile.TemporaryDirectory(prefix="souffleur-first-build-") as data,
        tempfile.NamedTemporaryFile() as out,
        tempfile.NamedTemporaryFile(suffix=".prof") as profile,
    ):
        env = {**os.environ, **extra_env, "PYTHONPATH": str(code), "SOUFFLEUR_DATA_DIR": data}
        run = [sys.executable, "-m", "cProfile", "-o", profile.name, souffleur] if stages else [souffleur]
        command = ["/usr/bin/time", "-o", out.name, "-f", "%e %U %S %M", *run, "index"]
        subprocess.run(command, cwd=code, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, user, system, peak_kb = Path(out.name).read_text().split()[-4:]
        parts = profiled_stages(Path(profile.name), float(wall)) if stages else {}
    return float(wall), float(user) + float(system), float(peak_kb) / 1024, parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git ref to compare with")
    parser.add_argument("--variant", action="append", default=[], help="NAME:KEY=VALUE[,KEY=VALUE]: this checkout")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--stages", action="store_true", help="profile each build and print its stages")
    args = parser.parse_args()
    codes: list[tuple[str, Path, dict[str, str]]] = []
    if args.baseline:
        codes.append((f"`{args.baseline[:7]}`", export(args.baseline), {}))
    codes.append(("this", ROOT, {}))
    for variant in args.variant:
        name, _, assignments = variant.partition(":")
        codes.append((f"this, {name}", ROOT, dict(a.split("=", 1) for a in assignments.split(",") if a)))
    extra = "".join(f" {s} s |" for s in SHOWN) if args.stages else ""
    print(f"| round | code | wall s | CPU s | peak RSS MB | load average before |{extra}")
    print("|---|---|---|---|---|---|" + "---|" * (len(SHOWN) if args.stages else 0))
    for round_ in range(1, args.repeat + 1):
        for name, code, extra_env in codes:
            load = os.getloadavg()[0]
            wall, cpu, peak, parts = build(code, extra_env, args.stages)
            cells = "".join(f" {parts[s]:.2f} |" for s in SHOWN) if parts else ""
            print(f"| {round_} | {name} | {wall:.1f} | {cpu:.1f} | {peak:.0f} | {load:.2f} |{cells}", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
