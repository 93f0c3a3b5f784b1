"""Cold start and memory: this checkout against an earlier commit, per encoder backend, in one run.

    .venv/bin/python bench/cold_start.py [--baseline REF] [--encoder onnx-int8,onnx] [--data-dir DIR]
        [--repeat N]

Two measurements, each in a fresh process, alternating between the baseline (``git archive REF`` on
``PYTHONPATH``) and this checkout so that both see the same machine load:

* ``souffleur search "perso" --city bottrop --json``: wall time, CPU time (user + system; the steadier
  number on a shared machine) and peak RSS of the whole process;
* the live service as ``souffleur serve`` builds it (``build_call_service``: knowledge base, encoder,
  index, warm-up searches, storage) without the HTTP server: seconds to build, then RSS (VmRSS, and its
  anonymous and file-backed parts) right after the build and after replaying 12 demo calls, and whether
  torch, transformers or sentence_transformers were imported.

Each backend has its own index folder under ``--data-dir`` (built on first use, shared by both codes:
the code under test must not change the index format).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from baseline_code import backend_env, backend_settings, export

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("torch", "transformers", "sentence_transformers")


def _memory() -> dict[str, float]:
    found: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key = line.split(":")[0]
        if key in ("VmRSS", "RssAnon", "RssFile"):
            found[key] = int(line.split()[1]) / 1024
    return found


def service_child(data_dir: Path, encoder: str) -> dict[str, Any]:
    """Runs in the process under test."""
    started = time.perf_counter()
    from assistant.wiring import build_call_service

    settings = backend_settings(data_dir, encoder)
    db = Path(tempfile.mkdtemp(prefix="cold-start-")) / "bench.db"
    service = build_call_service(settings, database_url=f"sqlite:///{db}")
    result: dict[str, Any] = {"build_s": time.perf_counter() - started, "after_start": _memory()}
    calls = ROOT / "demo" / "calls" / "dev.jsonl"
    for line in calls.read_text().splitlines()[:12]:
        script = json.loads(line)
        call = service.open_call(city=script["city"])
        for speaker, text in script["turns"]:
            service.utterance(call.call.id, speaker, text)
        service.end_call(call.call.id)
    result["after_calls"] = _memory()
    result["heavy_imports"] = sorted(m for m in HEAVY if m in sys.modules)
    service.close()
    return result


def _run(code: Path, args: list[str], env: dict[str, str]) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds (user + system), peak RSS (MB; both from GNU time) and stdout of one
    fresh process."""
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as usage:
        timed = ["/usr/bin/time", "-f", "%U %S %M", "-o", usage.name, *args]
        started = time.perf_counter()
        run_env = {**env, "PYTHONPATH": str(code)}
        result = subprocess.run(timed, env=run_env, cwd=code, capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        if result.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed with {code}:\n{result.stderr[-3000:]}")
        user, system, peak = usage.read().split()[-3:]
        return seconds, float(user) + float(system), int(peak) / 1024, result.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--baseline", help="git ref to compare with")
    parser.add_argument("--encoder", default="onnx-int8,onnx")
    parser.add_argument("--data-dir", type=Path, default=Path(tempfile.gettempdir()) / "souffleur-cold-start")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(service_child(Path(args.child[0]), args.child[1])))
        return
    souffleur = str(Path(sys.executable).parent / "souffleur")
    codes = ([(f"baseline {args.baseline}", export(args.baseline))] if args.baseline else []) + [
        ("this checkout", ROOT)
    ]
    print(f"load average at start {os.getloadavg()[0]:.2f}", flush=True)
    header = "| encoder | code | search s (CPU s) | search peak MB | build s | RSS after start MB (anon / file) "
    lines = [header + "| RSS after 12 calls MB | torch imported |", "|---|---|---|---|---|---|---|---|"]
    for encoder in [e.strip() for e in args.encoder.split(",") if e.strip()]:
        data = args.data_dir / f"data-{encoder}"
        env = {**os.environ, "SOUFFLEUR_DATA_DIR": str(data)}
        index_env = {**env, **backend_env(ROOT, encoder), "PYTHONPATH": str(ROOT)}
        subprocess.run([souffleur, "index"], env=index_env, cwd=ROOT, check=True)
        rows: dict[str, list[Any]] = {name: [] for name, _ in codes}
        for _ in range(args.repeat):
            for name, code in codes:
                code_env = {**env, **backend_env(code, encoder)}
                search = _run(code, [souffleur, "search", "perso", "--city", "bottrop", "--json"], code_env)
                child = [sys.executable, str(Path(__file__).resolve()), "--child", str(data), encoder]
                service = json.loads(_run(code, child, code_env)[3].splitlines()[-1])
                rows[name].append((search[0], search[1], search[2], service))
        for name, runs in rows.items():
            for seconds, cpu, peak, service in runs:
                start, after = service["after_start"], service["after_calls"]
                lines.append(
                    f"| {encoder} | {name} | {seconds:.2f} ({cpu:.2f}) | {peak:.0f} | {service['build_s']:.2f} | "
                    f"{start['VmRSS']:.0f} ({start['RssAnon']:.0f} / {start['RssFile']:.0f}) | "
                    f"{after['VmRSS']:.0f} ({after['RssAnon']:.0f} / {after['RssFile']:.0f}) | "
                    f"{', '.join(service['heavy_imports']) or 'no'} |"
                )
    print("\n".join(lines))


if __name__ == "__main__":
    main()
