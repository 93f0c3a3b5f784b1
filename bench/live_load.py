"""Load test of the live service: many concurrent calls replayed against a running server.

    .venv/bin/python bench/live_load.py [--calls 1,50,100,200] [--encoder torch,onnx,onnx-int8]
        [--duration 30] [--pace 1.5] [--server URL --token T] [--baseline REF]

Without ``--server`` it starts ``souffleur serve`` itself once per encoder backend (default model,
demo knowledge base, a temporary database, an index folder per backend under ``--data-dir``) and
stops it afterwards, so the encoders are measured side by side in one run. Each simulated call
opens a sidebar WebSocket with its call token and sends the turns of a demo call script over HTTP,
one every ``pace`` seconds (with jitter); with ``--duration`` a level lasts that many seconds
(calls restart their script). Measured per final caller utterance: the HTTP reply latency, and for
utterances that push suggestions, the time until the sidebar socket receives the ``suggestions``
event. Prints p50, p95 and p99, throughput, errors and the server's RSS (after start and after
each level), then one compact table. The table also gives the server's CPU time per caller utterance
(all its threads, from ``/proc``) and the share of a core this load client used, since both run on
the same machine.

The one-call level (``1`` in ``--calls``) plays one call at ``--one-call-pace`` (default 0.3 s between
turns; one request in flight at a time, so the pace does not change its latency) until it has
``--one-call-utterances`` caller utterances (default 50), so its p95 rests on enough samples. Before
the measured levels, each server gets ``--warmup`` caller utterances of one call (default 20), not
measured.

``--baseline REF`` runs the same levels against a server started from ``git archive REF`` of this
repository (``bench/baseline_code.py``), alternating with this checkout level by level, so both see
the same machine load. ``--variant NAME:KEY=VALUE[,KEY=VALUE]`` (repeatable) adds a server of this
checkout with those environment variables (settings), in the same rotation, e.g.
``--variant bf16:SOUFFLEUR_ENCODER__QUERY_RUNTIME=openvino-bf16``.

``--partial-lead SECONDS`` precedes each caller final by two partial transcripts (its first half, then
all of it), that many seconds apart, as a streaming recognizer does; the latency is still measured from
the final. With it, the service embeds a partial's window ahead while its encoder is idle
(``suggestions.anticipate_partials``), e.g. ``--partial-lead 0.15 --variant
noahead:SOUFFLEUR_SUGGESTIONS__ANTICIPATE_PARTIALS=false`` measures that side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from baseline_code import backend_env, export
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "demo" / "calls"


def call_scripts(which: str) -> list[dict[str, Any]]:
    """The call scripts the simulated calls play: ``dev`` (36 calls), or ``all`` call files of
    demo/calls (294 calls): with few scripts, 100 calls repeat the same windows and the
    encoder answers most of them from its query cache, which real calls would not."""
    files = (
        [CALLS / "dev.jsonl"] if which == "dev" else sorted(p for p in CALLS.glob("*.jsonl") if "labels" not in p.name)
    )
    return [json.loads(line) for f in files for line in f.read_text().splitlines() if line.strip()]


@dataclass
class Measurements:
    http_ms: list[float] = field(default_factory=list)
    push_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    utterances: int = 0
    deadline: float | None = None
    target: int | None = None  # stop after this many caller utterances
    server_cpu_s: float | None = None
    client_cpu_s: float = 0.0
    encoder: dict[str, float] | None = None  # growth of the server's inference-worker counters over the level
    partial_lead: float = 0.0  # > 0: each caller final is preceded by partials (half, then all of it), this far apart

    def over(self) -> bool:
        if self.target is not None:
            return self.utterances >= self.target
        return self.deadline is not None and time.perf_counter() > self.deadline


@dataclass
class Row:
    encoder: str
    calls: int
    m: Measurements
    seconds: float
    rss_mb: float | None


def pct(values: list[float]) -> str:
    if not values:
        return "     -      -      -"
    return " ".join(f"{v:6.0f}" for v in np.percentile(values, [50, 95, 99]))


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return f"p50 {p50:6.1f}  p95 {p95:6.1f}  p99 {p99:6.1f} ms  (n={len(values)})"


async def one_call(
    client: httpx.AsyncClient, ws_base: str, script: dict[str, Any], pace: float, seed: int, m: Measurements
) -> None:
    rng = random.Random(seed)
    response = await client.post("/api/calls", json={"city": script["city"], "agent_id": f"load-{seed}"})
    if response.status_code != 201:
        m.errors.append(f"open call: {response.status_code} {response.text[:200]}")
        return
    call = response.json()
    token = call["sidebar_url"].split("token=")[1]
    sent_at: dict[str, float] = {}
    url = f"{ws_base}/ws/calls/{call['call_id']}?token={token}"
    async with connect(url, max_size=2**20, ping_interval=None) as sidebar:
        await sidebar.recv()  # hello

        async def listen() -> None:
            try:
                async for raw in sidebar:
                    event = json.loads(raw)
                    if event["type"] == "suggestions" and "t" in sent_at:
                        m.push_ms.append((time.perf_counter() - sent_at["t"]) * 1000)
                    if event["type"] == "call_ended":
                        return
            except ConnectionClosed as exc:
                m.errors.append(f"sidebar socket closed: {exc}"[:200])

        listener = asyncio.create_task(listen())
        await asyncio.sleep(rng.uniform(0, pace))
        for speaker, text in script["turns"]:
            await asyncio.sleep(pace * rng.uniform(0.5, 1.5))
            if m.over():
                break
            await send_partials(client, call["call_id"], speaker, text, m)
            sent_at["t"] = time.perf_counter()
            response = await client.post(
                f"/api/calls/{call['call_id']}/utterances", json={"speaker": speaker, "text": text, "final": True}
            )
            elapsed = (time.perf_counter() - sent_at["t"]) * 1000
            if response.status_code != 200:
                m.errors.append(f"utterance: {response.status_code} {response.text[:200]}")
                continue
            if speaker == "caller":
                m.http_ms.append(elapsed)
                m.utterances += 1
        await client.post(f"/api/calls/{call['call_id']}/end")
        try:
            await asyncio.wait_for(listener, timeout=10)
        except TimeoutError:
            m.errors.append("sidebar socket did not receive call_ended")


async def send_partials(client: httpx.AsyncClient, call_id: str, speaker: str, text: str, m: Measurements) -> None:
    """With ``partial_lead``, what a streaming recognizer sends before a caller's final: the first half of
    the words, then all of them (the final usually repeats the last partial), ``partial_lead`` seconds
    apart and before the final. Not measured; a failed partial counts as an error."""
    if speaker != "caller" or m.partial_lead <= 0:
        return
    words = text.split()
    for part in (words[: len(words) // 2], words):
        if part:
            response = await client.post(
                f"/api/calls/{call_id}/utterances", json={"speaker": "caller", "text": " ".join(part), "final": False}
            )
            if response.status_code != 200:
                m.errors.append(f"partial: {response.status_code} {response.text[:200]}")
        await asyncio.sleep(m.partial_lead)


async def call_slot(
    client: httpx.AsyncClient,
    ws_base: str,
    scripts: list[dict[str, Any]],
    slot: int,
    calls_per_slot: int,
    pace: float,
    m: Measurements,
) -> None:
    """One agent position: ``calls_per_slot`` calls one after another (until the deadline, if any)."""
    n = 0
    while n < calls_per_slot or ((m.deadline is not None or m.target is not None) and not m.over()):
        if m.over():
            return
        index = slot * calls_per_slot + n
        try:
            await one_call(client, ws_base, scripts[index % len(scripts)], pace, index, m)
        except (httpx.HTTPError, OSError, ConnectionClosed) as exc:  # counted, the level goes on
            m.errors.append(f"{type(exc).__name__}: {exc}"[:200])
        n += 1


async def run_level(
    base: str,
    token: str,
    n_calls: int,
    pace: float,
    scripts: list[dict[str, Any]],
    calls_per_slot: int,
    duration: float | None,
    target: int | None = None,
    server_pid: int | None = None,
    partial_lead: float = 0.0,
    report: bool = True,
) -> tuple[Measurements, float]:
    ws_base = base.replace("http", "ws", 1)
    m = Measurements(partial_lead=partial_lead)
    if target:
        m.target = target
        calls_per_slot = 1
    elif duration:
        m.deadline = time.perf_counter() + duration
        calls_per_slot = 1
    server_cpu = cpu_seconds(server_pid)
    client_cpu = time.process_time()
    limits = httpx.Limits(max_connections=n_calls + 10)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as client:
        counters = await encoder_counters(client)
        started = time.perf_counter()
        await asyncio.gather(*(call_slot(client, ws_base, scripts, i, calls_per_slot, pace, m) for i in range(n_calls)))
        seconds = time.perf_counter() - started
        after_counters = await encoder_counters(client)
    if counters is not None and after_counters is not None:
        # Counters grow over the level; the largest batch is the server's so far.
        m.encoder = {k: v if k == "largest_batch" else v - counters.get(k, 0.0) for k, v in after_counters.items()}
    m.client_cpu_s = time.process_time() - client_cpu
    after = cpu_seconds(server_pid)
    if server_cpu is not None and after is not None:
        m.server_cpu_s = after - server_cpu
    total = n_calls * calls_per_slot
    if not report:
        return m, seconds
    print(f"\n== {n_calls} concurrent call(s), {total} calls in all, pace {pace:.1f}s per turn, {seconds:.1f}s")
    print(f"   caller utterance -> HTTP reply        {percentiles(m.http_ms)}")
    print(f"   caller utterance -> WebSocket push    {percentiles(m.push_ms)}")
    print(f"   throughput: {m.utterances / seconds:.1f} caller utterances/s; errors: {len(m.errors)}")
    if m.server_cpu_s is not None:
        print(
            f"   server CPU {m.server_cpu_s:.1f} s ({per_utterance(m)} ms per caller utterance, all requests), "
            f"load client CPU {m.client_cpu_s:.1f} s ({m.client_cpu_s / seconds:.0%} of a core)"
        )
    if m.encoder is not None and m.encoder.get("passes"):
        e = m.encoder
        print(
            f"   inference worker: {e['passes']:.0f} forward passes for {e['requests']:.0f} requests, "
            f"{e['texts'] / e['passes']:.2f} texts per pass (largest so far {e['largest_batch']:.0f})"
        )
    for error in m.errors[:5]:
        print(f"   error: {error}")
    return m, seconds


async def encoder_counters(client: httpx.AsyncClient) -> dict[str, float] | None:
    """The server's inference-worker counters from ``/metrics`` (None: a server without them)."""
    try:
        response = await client.get("/metrics")
    except httpx.HTTPError:
        return None
    found: dict[str, float] = {}
    for line in response.text.splitlines():
        name, _, value = line.partition(" ")
        if name.startswith("souffleur_encoder_") and value:
            found[name.removeprefix("souffleur_encoder_")] = float(value)
    return found if response.status_code == 200 and "passes" in found else None


def cpu_seconds(pid: int | None) -> float | None:
    """User + system CPU time of a process, all its threads (Linux)."""
    if pid is None:
        return None
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def per_utterance(m: Measurements) -> str:
    if m.server_cpu_s is None or not m.utterances:
        return "-"
    return f"{1000 * m.server_cpu_s / m.utterances:.0f}"


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of the server process (Linux)."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def rss_parts(pid: int | None) -> str:
    """The server's RSS split into anonymous (heap) and file-backed (mapped files: libraries, the
    model's mapped weights; shared and reclaimable) memory."""
    if pid is None:
        return ""
    try:
        found = {
            line.split(":")[0]: int(line.split()[1]) / 1024
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if line.startswith(("RssAnon:", "RssFile:"))
        }
    except OSError:
        return ""
    return f"(anonymous {found.get('RssAnon', 0):.0f} MB, file-backed {found.get('RssFile', 0):.0f} MB)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    data_dir: Path | None,
    token: str,
    encoder: str | None = None,
    code: Path = ROOT,
    extra_env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str, tempfile.TemporaryDirectory[str]]:
    """``souffleur serve`` from the code in ``code`` (this checkout, or an exported baseline)."""
    scratch = tempfile.TemporaryDirectory()
    port = free_port()
    env = {
        **os.environ,
        **(extra_env or {}),
        "SOUFFLEUR_API_TOKEN": token,
        "SOUFFLEUR_DATABASE_URL": f"sqlite:///{scratch.name}/load.db",
    }
    env["PYTHONPATH"] = str(code)
    if data_dir:
        env["SOUFFLEUR_DATA_DIR"] = str(data_dir)
    if encoder:
        env.update(backend_env(code, encoder))
    log = open(Path(scratch.name) / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=code, env=env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server exited: {(Path(scratch.name) / 'server.log').read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return process, base, scratch
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not start")


def csv(kind: type[Any]) -> Any:
    def parse(text: str) -> list[Any]:
        return [kind(part) for part in text.replace(" ", ",").split(",") if part]

    return parse


def print_table(rows: list[Row]) -> None:
    print(
        "\nencoder              calls | HTTP p50  p95  p99 ms | socket p50  p95  p99 ms | utterances | utt/s "
        "| errors | server CPU ms/utt | client cores | texts/pass | RSS MB"
    )
    for r in rows:
        rss = f"{r.rss_mb:6.0f}" if r.rss_mb is not None else "     -"
        client = f"{r.m.client_cpu_s / r.seconds:12.2f}" if r.calls else "           -"
        batch = (
            f"{r.m.encoder['texts'] / r.m.encoder['passes']:10.2f}"
            if r.m.encoder and r.m.encoder["passes"]
            else " " * 9 + "-"
        )
        print(
            f"{r.encoder:<20} {r.calls:5d} | {pct(r.m.http_ms)} | {pct(r.m.push_ms)} | {r.m.utterances:10d} | "
            f"{r.m.utterances / r.seconds:5.1f} | {len(r.m.errors):6d} | {per_utterance(r.m):>17} | {client} | "
            f"{batch} | {rss}"
        )


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=csv(int), default=[1, 50], help="concurrency levels, e.g. 1,50,100,200")
    parser.add_argument("--encoder", type=csv(str), default=[None], help="backends side by side: torch,onnx,onnx-int8")
    parser.add_argument("--duration", type=float, help="seconds per level (default: --min-calls calls per level)")
    parser.add_argument("--pace", type=float, default=1.5, help="mean seconds between turns within a call")
    parser.add_argument(
        "--scripts", choices=("all", "dev"), default="all", help="call scripts played: all files of demo/calls, or dev"
    )
    parser.add_argument("--one-call-pace", type=float, default=0.3, help="mean seconds between turns at level 1")
    parser.add_argument(
        "--one-call-utterances", type=int, default=50, help="caller utterances measured at level 1 (0: as other levels)"
    )
    parser.add_argument(
        "--warmup",
        type=int,
        default=20,
        help="caller utterances of one call played against each server before the measured levels, not "
        "measured (the client's and the server's first-use costs; 0: none)",
    )
    parser.add_argument(
        "--min-calls", type=int, default=36, help="at least this many calls per level (slots play calls in a row)"
    )
    parser.add_argument(
        "--partial-lead",
        type=float,
        default=0.0,
        help="seconds: precede each caller final by partial transcripts (half, then all of its words) this far "
        "apart, as a streaming recognizer does (default 0: finals only)",
    )
    parser.add_argument("--server", help="base URL of a running server (default: start one per encoder)")
    parser.add_argument("--token", default="load-test-token", help="service token")
    parser.add_argument(
        "--data-dir", type=Path, help="data folder with a built index (default: settings; per encoder: DIR/<encoder>)"
    )
    parser.add_argument("--baseline", help="git revision to run side by side with this checkout (own servers)")
    parser.add_argument(
        "--variant", action="append", default=[], help="NAME:KEY=VALUE[,KEY=VALUE]: one more server of this checkout"
    )
    parser.add_argument(
        "--replicas", type=int, help="start N replicas behind HAProxy (bench/replicas.py) instead of one server"
    )
    return parser.parse_args()


def server_codes(args: argparse.Namespace) -> list[tuple[str, Path, dict[str, str]]]:
    """(label suffix, code folder, extra environment) of each server: this checkout, the baseline, variants."""
    if args.server:
        return [("", ROOT, {})]
    codes: list[tuple[str, Path, dict[str, str]]] = [("", ROOT, {})]
    if args.baseline:
        codes = [(f" @{args.baseline[:7]}", export(args.baseline), {}), (" (this)", ROOT, {})]
    for variant in args.variant:
        name, _, assignments = variant.partition(":")
        codes.append((f" ({name})", ROOT, dict(a.split("=", 1) for a in assignments.split(",") if a)))
    return codes


def warm_up(servers: list[tuple[str, str]], args: argparse.Namespace, scripts: list[dict[str, Any]]) -> None:
    """One call of ``--warmup`` caller utterances per server, not measured: without it the first level
    measured in a run paid for first uses (the client's lazy imports, the server's first requests): one
    call p95 34-35 ms on the first server against 28-30 ms on identical servers measured after it (round 12)."""
    if args.warmup <= 0:
        return
    for label, base in servers:
        asyncio.run(run_level(base, args.token, 1, args.one_call_pace, scripts, 1, None, args.warmup, report=False))
        print(f"  {label}: warmed up with {args.warmup} caller utterances (not measured)")


def main() -> None:
    args = parse_args()
    scripts = call_scripts(args.scripts)

    def level(base: str, calls: int, pid: int | None) -> tuple[Measurements, float]:
        per_slot = max(1, -(-args.min_calls // calls))
        one = calls == 1 and args.one_call_utterances > 0
        pace = args.one_call_pace if one else args.pace
        target = args.one_call_utterances if one else None
        return asyncio.run(
            run_level(base, args.token, calls, pace, scripts, per_slot, args.duration, target, pid, args.partial_lead)
        )

    if args.replicas and not args.server:
        from replicas import replica_cluster

        with replica_cluster(args.replicas, args.token, args.data_dir) as base:
            print(f"{args.replicas} replica(s) behind {base}")
            cluster_rows: list[Row] = []
            for calls in args.calls:
                m, seconds = level(base, calls, None)
                cluster_rows.append(Row(f"{args.replicas} replicas", calls, m, seconds, None))
            print_table(cluster_rows)
        return
    load = os.getloadavg()
    print(f"{os.cpu_count()} CPUs, load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; {len(scripts)} call scripts")
    codes = server_codes(args)
    rows: list[Row] = []
    for encoder in args.encoder:
        name = encoder or "settings"
        servers: list[tuple[str, str, int | None, Any]] = []  # label, base URL, pid, process
        try:
            for suffix, code, extra_env in codes:
                label = name + suffix
                if args.server:
                    servers.append((label, args.server, None, None))
                    continue
                data_dir = args.data_dir / name if args.data_dir and encoder else args.data_dir
                started = time.perf_counter()
                process, base, scratch = start_server(data_dir, args.token, encoder, code, extra_env)
                start_rss = rss_mb(process.pid)
                ready = time.perf_counter() - started
                parts = rss_parts(process.pid)
                print(f"\n### {label}: server {base} ready in {ready:.1f}s, RSS {start_rss} MB {parts}")
                rows.append(Row(label, 0, Measurements(), 1.0, start_rss))
                servers.append((label, base, process.pid, (process, scratch)))
            warm_up([(label, base) for label, base, _, _ in servers], args, scripts)
            for calls in args.calls:
                for label, base, pid, _ in servers:
                    print(f"\n--- {label}")
                    m, seconds = level(base, calls, pid)
                    rows.append(Row(label, calls, m, seconds, rss_mb(pid)))
                    print(f"  after {calls} calls: RSS {rows[-1].rss_mb} MB {rss_parts(pid)}")
        finally:
            for _label, _base, _pid, held in servers:
                if held is not None:
                    held[0].terminate()
                    held[0].wait(timeout=30)
    load = os.getloadavg()
    print(f"(calls 0 = right after start; load average at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})")
    rows.sort(key=lambda r: (r.encoder.split(" ")[0], r.calls))
    print_table(rows)


if __name__ == "__main__":
    main()
