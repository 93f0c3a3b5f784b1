"""int8 against fp32 in one run: every quality set of issue 11, per encoder backend.

    .venv/bin/python bench/int8_quality.py [--encoder onnx,onnx-int8] [--data-root DIR]
        [--shared ../shared] [--sets dev,test,calls,munich,xquad,ragsource] [--ragsource-limit N]

For each backend it runs the project's own commands in a fresh process with
``SOUFFLEUR_ENCODER__BACKEND`` set and one data folder per backend under ``--data-root`` (so each has
its own index, and indexes already built there are reused): ``souffleur index``, ``souffleur eval
run`` on the dev and test queries (hybrid and dense), ``souffleur eval calls`` on the independent call
set (tune and test) and ``souffleur eval bench munich|xquad|ragsource`` (hybrid and dense). It prints
R@1 and R@3 per set, mode and backend, the difference to the first backend, and whether every
difference stays within ``--bound`` (issue 11: 0.01). The JSON of every command is kept under
``--data-root``; ``--reuse`` takes it from there instead of running the command again (so backends
can run in separate processes and one last call prints the table).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SOUFFLEUR = [str(Path(sys.executable).parent / "souffleur")]
CALL_SETS = ("independent-tune", "independent-test")


def _run(args: list[str], env: dict[str, str], out: Path) -> list[dict[str, Any]]:
    """Run one command; its JSON output (one object per line). With ``SOUFFLEUR_BENCH_REUSE`` in the
    environment (``--reuse``) the output of an earlier run is taken when it is there."""
    if env.get("SOUFFLEUR_BENCH_REUSE") and out.is_file() and out.read_text().strip():
        return [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    started = time.perf_counter()
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    out.write_text(result.stdout)
    (out.with_suffix(".err")).write_text(result.stderr)
    if result.returncode != 0:
        raise SystemExit(f"failed ({result.returncode}): {' '.join(args)}\n{result.stderr[-2000:]}")
    print(f"  {' '.join(args[1:4])} … {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def measure(
    backend: str, root: Path, shared: Path, sets: list[str], ragsource_limit: int | None
) -> dict[str, dict[str, float]]:
    """``{"<set> <mode>": {"R@1": x, "R@3": y}}`` for one backend."""
    data = root / f"data-{backend}"
    data.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "SOUFFLEUR_ENCODER__BACKEND": backend, "SOUFFLEUR_DATA_DIR": str(data)}
    env["PYTHONPATH"] = str(ROOT)
    rows: dict[str, dict[str, float]] = {}
    print(f"{backend}:", file=sys.stderr)
    subprocess.run([*SOUFFLEUR, "index"], env=env, cwd=ROOT, check=True, capture_output=True)
    modes = ["--mode", "hybrid", "--mode", "dense"]
    for name in ("dev", "test"):
        if name not in sets:
            continue
        queries = ROOT / "demo" / "queries" / f"{name}.jsonl"
        args = [*SOUFFLEUR, "eval", "run", "--queries", str(queries), *modes, "--json"]
        for report in _run(args, env, data / f"eval-{name}.json"):
            overall = report["overall"]
            rows[f"{name} {report['mode']}"] = {"R@1": overall["recall@1"], "R@3": overall["recall@3"]}
    if "calls" in sets:
        for name in CALL_SETS:
            calls = ROOT / "demo" / "calls" / f"{name}.jsonl"
            args = [*SOUFFLEUR, "eval", "calls", "--calls", str(calls), "--json"]
            overall = _run(args, env, data / f"calls-{name}.json")[0]["overall"]
            rows[f"{name} calls"] = {
                "card": overall["concerns_with_expected_card"],
                "answer": overall["concerns_with_expected_answer"],
            }
    folders = {"munich": "munich_services", "xquad": "xquad", "ragsource": "ragsource_satzungen"}
    for name, folder in folders.items():
        if name not in sets:
            continue
        args = [*SOUFFLEUR, "eval", "bench", name, "--data", str(shared / "data" / folder), *modes, "--json"]
        if name == "ragsource" and ragsource_limit:
            args += ["--limit", str(ragsource_limit)]
        for mode, metrics in _run(args, env, data / f"bench-{name}.json")[0]["modes"].items():
            rows[f"{name} {mode}"] = {"R@1": metrics["recall@1"], "R@3": metrics["recall@3"]}
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--encoder", default="onnx,onnx-int8")
    parser.add_argument("--data-root", type=Path, default=Path("/tmp/souffleur-int8-quality"))
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--sets", default="dev,test,calls,munich,xquad,ragsource")
    parser.add_argument("--ragsource-limit", type=int, default=None)
    parser.add_argument("--bound", type=float, default=0.01)
    parser.add_argument("--reuse", action="store_true", help="reuse each command's output kept under --data-root")
    args = parser.parse_args()
    if args.reuse:
        os.environ["SOUFFLEUR_BENCH_REUSE"] = "1"
    backends = [b.strip() for b in args.encoder.split(",") if b.strip()]
    sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    results = {b: measure(b, args.data_root, args.shared.resolve(), sets, args.ragsource_limit) for b in backends}
    base = backends[0]
    print("| set | " + " | ".join(f"{b} {m}" for b in backends for m in ("R@1", "R@3")) + " | worst diff |")
    print("|---|" + "---|" * (2 * len(backends) + 1))
    within = True
    for key, metrics in results[base].items():
        cells, worst = [], 0.0
        for backend in backends:
            row = results[backend].get(key, {})
            for metric in metrics:
                value = row.get(metric)
                cells.append("-" if value is None else f"{value:.4f}")
                if value is not None and backend != base:
                    worst = min(worst, value - metrics[metric])
        within = within and worst >= -args.bound - 1e-9
        print(f"| {key} ({'/'.join(metrics)}) | " + " | ".join(cells) + f" | {worst:+.4f} |")
    print(f"\nevery metric of {', '.join(backends[1:])} within {args.bound} below {base}: {within}")


if __name__ == "__main__":
    main()
