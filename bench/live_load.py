"""Load test of the live service: many concurrent calls replayed against a running server.

    .venv/bin/python bench/live_load.py [--calls 1 50] [--pace 2.0] [--server URL --token T]

Without ``--server`` it starts ``souffleur serve`` itself (default model, demo knowledge base, a
temporary database) and stops it afterwards. Each simulated call opens a sidebar WebSocket with its
call token and sends the turns of a demo call script over HTTP, one every ``pace`` seconds (with
jitter). Measured per final caller utterance: the HTTP reply latency, and for utterances that push
suggestions, the time until the sidebar socket receives the ``suggestions`` event. Prints p50, p95
and p99 and the throughput for each concurrency level.
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
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
CALLS = ROOT / "demo" / "calls" / "dev.jsonl"


@dataclass
class Measurements:
    http_ms: list[float] = field(default_factory=list)
    push_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    utterances: int = 0


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
    async with connect(f"{ws_base}/ws/calls/{call['call_id']}?token={token}", max_size=2**20) as sidebar:
        await sidebar.recv()  # hello

        async def listen() -> None:
            async for raw in sidebar:
                event = json.loads(raw)
                if event["type"] == "suggestions" and "t" in sent_at:
                    m.push_ms.append((time.perf_counter() - sent_at["t"]) * 1000)
                if event["type"] == "call_ended":
                    return

        listener = asyncio.create_task(listen())
        await asyncio.sleep(rng.uniform(0, pace))
        for speaker, text in script["turns"]:
            await asyncio.sleep(pace * rng.uniform(0.5, 1.5))
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


async def call_slot(
    client: httpx.AsyncClient,
    ws_base: str,
    scripts: list[dict[str, Any]],
    slot: int,
    calls_per_slot: int,
    pace: float,
    m: Measurements,
) -> None:
    """One agent position: ``calls_per_slot`` calls one after another."""
    for n in range(calls_per_slot):
        index = slot * calls_per_slot + n
        await one_call(client, ws_base, scripts[index % len(scripts)], pace, index, m)


async def run_level(
    base: str, token: str, n_calls: int, pace: float, scripts: list[dict[str, Any]], calls_per_slot: int
) -> None:
    ws_base = base.replace("http", "ws", 1)
    m = Measurements()
    limits = httpx.Limits(max_connections=n_calls + 10)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(call_slot(client, ws_base, scripts, i, calls_per_slot, pace, m) for i in range(n_calls)))
        seconds = time.perf_counter() - started
    total = n_calls * calls_per_slot
    print(f"\n== {n_calls} concurrent call(s), {total} calls in all, pace {pace:.1f}s per turn, {seconds:.1f}s")
    print(f"   caller utterance -> HTTP reply        {percentiles(m.http_ms)}")
    print(f"   caller utterance -> WebSocket push    {percentiles(m.push_ms)}")
    print(f"   throughput: {m.utterances / seconds:.1f} caller utterances/s; errors: {len(m.errors)}")
    for error in m.errors[:5]:
        print(f"   error: {error}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(
    data_dir: Path | None, token: str
) -> tuple[subprocess.Popen[bytes], str, tempfile.TemporaryDirectory[str]]:
    scratch = tempfile.TemporaryDirectory()
    port = free_port()
    env = {**os.environ, "SOUFFLEUR_API_TOKEN": token, "SOUFFLEUR_DATABASE_URL": f"sqlite:///{scratch.name}/load.db"}
    if data_dir:
        env["SOUFFLEUR_DATA_DIR"] = str(data_dir)
    log = open(Path(scratch.name) / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=log
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, nargs="+", default=[1, 50], help="concurrency levels")
    parser.add_argument("--pace", type=float, default=2.0, help="mean seconds between turns within a call")
    parser.add_argument(
        "--min-calls", type=int, default=36, help="at least this many calls per level (slots play calls in a row)"
    )
    parser.add_argument("--server", help="base URL of a running server (default: start one)")
    parser.add_argument("--token", default="load-test-token", help="service token")
    parser.add_argument("--data-dir", type=Path, help="data folder with a built index (default: settings)")
    parser.add_argument(
        "--replicas", type=int, help="start N replicas behind HAProxy (bench/replicas.py) instead of one server"
    )
    args = parser.parse_args()
    if args.replicas and not args.server:
        from replicas import replica_cluster

        with replica_cluster(args.replicas, args.token, args.data_dir) as base:
            print(f"{args.replicas} replica(s) behind {base}")
            scripts = [json.loads(line) for line in CALLS.read_text().splitlines() if line.strip()]
            for level in args.calls:
                per_slot = max(1, -(-args.min_calls // level))
                asyncio.run(run_level(base, args.token, level, args.pace, scripts, per_slot))
        return
    scripts = [json.loads(line) for line in CALLS.read_text().splitlines() if line.strip()]
    process = None
    if args.server:
        base = args.server
    else:
        process, base, _scratch = start_server(args.data_dir, args.token)
    print(f"server {base}; {os.cpu_count()} CPUs; {len(scripts)} call scripts")
    try:
        for level in args.calls:
            per_slot = max(1, -(-args.min_calls // level))
            asyncio.run(run_level(base, args.token, level, args.pace, scripts, per_slot))
    finally:
        if process is not None:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    main()
