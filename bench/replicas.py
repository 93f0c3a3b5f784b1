"""N replicas of ``souffleur serve`` behind HAProxy, for load tests (``bench/live_load.py --replicas N``).

    .venv/bin/python bench/replicas.py --replicas 3          # start them, print the URL, wait for Ctrl+C

With one replica: one ``souffleur serve`` on a temporary SQLite file and in-process events (the
embedded default). With more: a throw-away PostgreSQL cluster and redis-server (Debian packages, see
scripts/install-test-services), N replicas on them, all serving the same index folder, and HAProxy
(Debian package ``haproxy``) balancing every HTTP request round-robin and each WebSocket for its
lifetime, with ``/readyz`` health checks, as in deploy/haproxy.cfg.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import free_port  # noqa: E402
from tests.postgres import postgres_cluster  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402


@dataclass(frozen=True)
class Replica:
    base: str
    process: subprocess.Popen[bytes]


def haproxy_config(port: int, replicas: list[str]) -> str:
    """Round-robin per request, WebSockets held open, replicas taken out when /readyz fails."""
    servers = "\n".join(
        f"    server r{i} {url.removeprefix('http://')} check inter 1s fall 2 rise 1" for i, url in enumerate(replicas)
    )
    return f"""global
    maxconn 4096

defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    timeout tunnel 2h
    option http-server-close

frontend souffleur
    bind 127.0.0.1:{port}
    default_backend replicas

backend replicas
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    retry-on conn-failure
    option redispatch
{servers}
"""


def wait_ready(base: str, process: subprocess.Popen[bytes], log: Path, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{base} exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{base} did not become ready")


@contextmanager
def _process(command: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def replica_cluster(n: int, token: str, data_dir: Path | None = None) -> Iterator[str]:
    """Start ``n`` replicas (and for n > 1 PostgreSQL, Redis and HAProxy); yield the URL to send to."""
    scratch = Path(tempfile.mkdtemp(prefix="souffleur-replicas-"))
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "SOUFFLEUR_API_TOKEN": token}
    if data_dir:
        env["SOUFFLEUR_DATA_DIR"] = str(data_dir)
    try:
        with ExitStack() as stack:
            if n == 1:
                env["SOUFFLEUR_DATABASE_URL"] = f"sqlite:///{scratch}/load.db"
            else:
                # Its own folder: PostgreSQL runs as the postgres user, who cannot enter ``scratch``.
                pg_root = Path(tempfile.mkdtemp(prefix="souffleur-pg-"))
                env["SOUFFLEUR_DATABASE_URL"] = stack.enter_context(postgres_cluster(pg_root))
                env["SOUFFLEUR_REDIS_URL"] = stack.enter_context(redis_server(scratch / "redis"))
            bases = []
            for i in range(n):
                port = free_port()
                log = scratch / f"replica-{i}.log"
                command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
                process = stack.enter_context(_process(command, env, log))
                base = f"http://127.0.0.1:{port}"
                wait_ready(base, process, log)  # one after another: the first may build a stale index
                bases.append(base)
            if n == 1:
                yield bases[0]
                return
            haproxy = shutil.which("haproxy") or "/usr/sbin/haproxy"
            if not Path(haproxy).exists():
                raise SystemExit("haproxy is missing: apt-get install haproxy")
            port = free_port()
            config = scratch / "haproxy.cfg"
            config.write_text(haproxy_config(port, bases))
            process = stack.enter_context(_process([haproxy, "-f", str(config), "-db"], env, scratch / "haproxy.log"))
            wait_ready(f"http://127.0.0.1:{port}", process, scratch / "haproxy.log", timeout=30)
            yield f"http://127.0.0.1:{port}"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--token", default="load-test-token")
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    with replica_cluster(args.replicas, args.token, args.data_dir) as base:
        print(f"{args.replicas} replica(s) behind {base} (service token {args.token!r}); Ctrl+C stops them")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
