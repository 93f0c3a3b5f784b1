"""First index build (empty data folder, no vector cache): this checkout against an earlier commit,
and optional variants of this checkout, in one run.

    .venv/bin/python bench/first_build.py [--baseline REF] [--variant NAME:KEY=VALUE[,KEY=VALUE]] [--repeat N]

Each build is ``/usr/bin/time souffleur index`` in a fresh process into a new empty data folder (the
demo knowledge base, 920 passages), the codes alternating round by round so that all see the same
machine load. Prints wall time, CPU time (user + system) and peak RSS per build, with the load average.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from baseline_code import export

ROOT = Path(__file__).resolve().parent.parent


def build(code: Path, extra_env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of ``souffleur index`` from ``code`` into an empty data folder."""
    souffleur = str(Path(sys.executable).parent / "souffleur")
    with tempfile.TemporaryDirectory(prefix="souffleur-first-build-") as data, tempfile.NamedTemporaryFile() as out:
        env = {**os.environ, **extra_env, "PYTHONPATH": str(code), "SOUFFLEUR_DATA_DIR": data}
        command = ["/usr/bin/time", "-o", out.name, "-f", "%e %U %S %M", souffleur, "index"]
        subprocess.run(command, cwd=code, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wall, user, system, peak_kb = Path(out.name).read_text().split()[-4:]
    return float(wall), float(user) + float(system), float(peak_kb) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git ref to compare with")
    parser.add_argument("--variant", action="append", default=[], help="NAME:KEY=VALUE[,KEY=VALUE]: this checkout")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    codes: list[tuple[str, Path, dict[str, str]]] = []
    if args.baseline:
        codes.append((f"`{args.baseline[:7]}`", export(args.baseline), {}))
    codes.append(("this", ROOT, {}))
    for variant in args.variant:
        name, _, assignments = variant.partition(":")
        codes.append((f"this, {name}", ROOT, dict(a.split("=", 1) for a in assignments.split(",") if a)))
    print("| round | code | wall s | CPU s | peak RSS MB | load average before |")
    print("|---|---|---|---|---|---|")
    for round_ in range(1, args.repeat + 1):
        for name, code, extra_env in codes:
            load = os.getloadavg()[0]
            wall, cpu, peak = build(code, extra_env)
            print(f"| {round_} | {name} | {wall:.1f} | {cpu:.1f} | {peak:.0f} | {load:.2f} |", flush=True)
    print(f"load average at the end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
