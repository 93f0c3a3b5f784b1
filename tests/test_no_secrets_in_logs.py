"""A real ``souffleur serve`` run with calls, sidebars (HTTP and socket), the gaps page and error
cases leaves no token and no secret of the redaction cases in its log or in any file under the
data folder; the database and token files are readable only by their owner."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from assistant.privacy.redaction import GermanRedactor
from tests.api_support import AUTH, TOKEN
from tests.live_server import free_port, running_server

pytestmark = pytest.mark.integration

CONTENT_TOKEN = "content-team-secret-token-4711"
CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "data" / "redaction_cases.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def _found(secret: str, content: str) -> str | None:
    """Where the secret is in the content (with 40 characters around it), or None. A secret with
    digits ("46535", "12a") counts only where it stands on its own: the same characters inside a
    random id ("…d6d2a12a463e…") or the microseconds of a stored timestamp ("13:39:20.465351", or the
    whole fraction: "22:23:32.889900" for the secret "889900") are chance."""
    escaped = re.escape(secret)
    alone = rf"(?<![0-9a-z])(?<!:\d\d\.){escaped}(?![0-9a-z])"
    pattern = alone if any(c.isdigit() for c in secret) else escaped
    match = re.search(pattern, content, re.IGNORECASE)
    return None if match is None else content[max(0, match.start() - 40) : match.end() + 40]


def test_a_server_run_leaves_no_token_and_no_secret_in_logs_or_files(  # noqa: PLR0915
    knowledge_dir: Path, tmp_path: Path
) -> None:
    data, log, port = tmp_path / "data", tmp_path / "server.log", free_port()
    env = {
        "SOUFFLEUR_KNOWLEDGE_DIR": str(knowledge_dir),
        "SOUFFLEUR_DATA_DIR": str(data),
        "SOUFFLEUR_ENCODER__MODEL": "fake:64",
        "SOUFFLEUR_API_TOKEN": TOKEN,
        "SOUFFLEUR_CONTENT_TOKEN": CONTENT_TOKEN,
        "SOUFFLEUR_RETRIEVAL__MIN_CONFIDENCE": "0.1",
    }
    tokens = [TOKEN, CONTENT_TOKEN, "wrong-token-abcdefgh"]
    with running_server(env, port, log) as base, httpx.Client(base_url=base, timeout=30) as http:
        ws_base = f"ws://127.0.0.1:{port}/ws/calls"
        for number, case in enumerate(CASES):
            call: dict[str, Any] = http.post("/api/calls", json={"city": "bottrop"}, headers=AUTH).json()
            call_id, sidebar = call["call_id"], call["sidebar_url"].split("token=")[1]
            tokens.append(sidebar)
            sidebar_headers = {"X-Call-Token": sidebar}
            assert http.get(f"/sidebar/{call_id}?token={sidebar}").status_code == 200
            http.post(
                f"/api/calls/{call_id}/utterances", json={"speaker": "caller", "text": case["text"]}, headers=AUTH
            )
            http.post(
                f"/api/calls/{call_id}/feedback",
                json={"article_id": "bottrop/sperrmuell", "event": "not_helpful", "reason": case["text"][:500]},
                headers=sidebar_headers,
            )
            http.get("/api/search", params={"q": case["text"][:500], "call_id": call_id}, headers=sidebar_headers)
            if number % 10 == 0:  # sockets: subprotocol, legacy query token, wrong token, unknown call
                protocols = ["souffleur", f"souffleur.token.{sidebar}"]
                with connect(f"{ws_base}/{call_id}", subprotocols=protocols) as ws:  # type: ignore[arg-type]
                    assert json.loads(ws.recv(timeout=10))["type"] == "hello"
                    ws.send(json.dumps({"type": "search", "q": case["text"][:500]}))
                    ws.send("{not json " + case["text"])
                    ws.send(
                        json.dumps(
                            {"type": "feedback", "article_id": "x/y", "event": "helpful", "reason": case["text"][:500]}
                        )
                    )
                with connect(f"{ws_base}/{call_id}?token={sidebar}&after=0") as ws:
                    assert json.loads(ws.recv(timeout=10))["type"] == "hello"
                with connect(f"{ws_base}/{call_id}?token=wrong-token-abcdefgh"):
                    pass
                with connect(f"{ws_base}/nope?token={TOKEN}"):
                    pass
            http.post(f"/api/calls/{call_id}/end", headers=AUTH)
        # error cases
        assert http.get("/api/search?q=perso&city=duisburg&call_id=", headers=AUTH).status_code == 422
        assert (
            http.post(
                "/api/calls", content=b'{"city": "\xff"}', headers={**AUTH, "Content-Type": "application/json"}
            ).status_code
            == 422
        )
        assert http.get("/api/calls/nope", headers={"Authorization": "Bearer wrong-token-abcdefgh"}).status_code == 401
        assert http.get(f"/gaps?token={CONTENT_TOKEN}").status_code == 200
        gaps = http.get("/api/gaps", headers={"X-Content-Token": CONTENT_TOKEN})
        assert gaps.status_code == 200
        gaps_text = gaps.text
    logged = log.read_text(encoding="utf-8", errors="replace")
    assert "Uvicorn running" in logged or "Application startup complete" in logged  # the log was captured
    assert "WebSocket /ws/calls/" in logged  # handshake lines are logged, scrubbed
    for token in tokens:
        assert token not in logged, "a token reached the log"
    files = {path: path.read_bytes().decode("utf-8", errors="replace") for path in data.rglob("*") if path.is_file()}
    # A short secret of one case ("märz") may be ordinary text in another case's redacted form; those
    # are left out, everything else must be nowhere.
    redactor = GermanRedactor()
    redacted_texts = " ".join(redactor.redact(case["text"]) for case in CASES).lower()
    secrets = [s for case in CASES for s in case["secrets"] if s.lower() not in redacted_texts]
    assert len(secrets) > 100
    for path, content in files.items():
        for token in tokens[2:]:
            assert token not in content, f"a sidebar token in {path}"
        for secret in secrets:
            if len(secret) >= 5:  # shorter ones ("12a") occur by chance in binary pages
                where = _found(secret, content)
                assert where is None, f"{secret!r} in {path.name}: {where!r}"
        if path.suffix in (".db", ".db-wal", ".db-shm") or path.name.endswith(("-token", ".db-wal", ".db-shm")):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, f"{path.name} is not owner-only"
    for secret in secrets:
        where = _found(secret, logged)
        assert where is None, f"{secret!r} in the log: {where!r}"
        where = _found(secret, gaps_text)
        assert where is None, f"{secret!r} on the gaps page: {where!r}"
        if sum(c.isdigit() for c in secret) >= 7:  # a long number said with spaces, logged without
            assert _squash(secret) not in _squash(logged)
    assert any(p.name == "souffleur.db" for p in files)
