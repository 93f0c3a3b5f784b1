"""A throw-away PostgreSQL cluster (Debian's server binaries, installed by scripts/install-test-services)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.live_server import free_port


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise AssertionError("PostgreSQL server binaries are missing: run scripts/install-test-services")
    return found[-1]


def _as_owner(command: list[str], user: str | None) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run it as the ``postgres`` user."""
    return ["runuser", "-u", user, "--", *command] if user else command


@contextmanager
def postgres_cluster(root: Path) -> Iterator[str]:
    """Start a cluster under ``root``; yield a SQLAlchemy URL of an empty database; stop it."""
    user = "postgres" if os.geteuid() == 0 else None
    data, sockets = root / "pgdata", root / "sockets"
    for folder in (root, data, sockets):
        folder.mkdir(parents=True, exist_ok=True)
        if user:
            entry = pwd.getpwnam(user)
            os.chown(folder, entry.pw_uid, entry.pw_gid)
    port = free_port()

    def run(command: list[str]) -> None:
        subprocess.run(_as_owner(command, user), check=True, capture_output=True, timeout=120)

    run([_bin("initdb"), "-D", str(data), "-U", "souffleur", "-A", "trust"])
    options = f"-p {port} -k {sockets} -c listen_addresses=''"
    run([_bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(root / "log"), "start"])
    try:
        run([_bin("createdb"), "-h", str(sockets), "-p", str(port), "-U", "souffleur", "calls"])
        yield f"postgresql+psycopg://souffleur@/calls?host={sockets}&port={port}"
    finally:
        subprocess.run(_as_owner([_bin("pg_ctl"), "-D", str(data), "-m", "fast", "stop"], user), check=False)
        shutil.rmtree(root, ignore_errors=True)
