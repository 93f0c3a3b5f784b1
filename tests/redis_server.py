"""A throw-away redis-server (Debian's ``redis-server``, installed by scripts/install-test-services)."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from tests.live_server import free_port


@contextmanager
def redis_server(root: Path) -> Iterator[str]:
    """Start redis-server on a free port (no persistence); yield its URL; stop it."""
    binary = shutil.which("redis-server")
    if binary is None:
        raise AssertionError("redis-server is missing: run scripts/install-test-services")
    root.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [
        binary,
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(root),
    ]
    with (root / "redis.log").open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        client = redis.Redis.from_url(url)
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"redis-server did not start: {(root / 'redis.log').read_text()}") from None
                time.sleep(0.1)
        client.close()
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
