"""The real server process: a call in progress survives a restart, with nothing lost."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.api_support import AUTH, TOKEN
from tests.live_server import free_port, running_server

pytestmark = pytest.mark.integration


def server_env(knowledge_dir: Path, data_dir: Path) -> dict[str, str]:
    return {
        "SOUFFLEUR_KNOWLEDGE_DIR": str(knowledge_dir),
        "SOUFFLEUR_DATA_DIR": str(data_dir),
        "SOUFFLEUR_ENCODER__MODEL": "fake:64",
        "SOUFFLEUR_API_TOKEN": TOKEN,
        "SOUFFLEUR_RETRIEVAL__MIN_CONFIDENCE": "0.1",
    }


def test_a_call_in_progress_continues_after_a_restart(knowledge_dir: Path, tmp_path: Path) -> None:
    env, port, log = server_env(knowledge_dir, tmp_path / "data"), free_port(), tmp_path / "server.log"
    with running_server(env, port, log) as base:
        call = httpx.post(f"{base}/api/calls", json={"city": "bottrop"}, headers=AUTH).json()
        call_id, token = call["call_id"], call["sidebar_url"].split("token=")[1]
        first = httpx.post(
            f"{base}/api/calls/{call_id}/utterances",
            json={"speaker": "caller", "text": "mein altes Sofa muss zum Sperrmüll"},
            headers=AUTH,
        ).json()
        assert first["suggestions"][0]["article_id"] == "bottrop/sperrmuell"
        assert first["suggestions"][0]["new"]
    with running_server(env, port, log) as base:
        again = httpx.post(
            f"{base}/api/calls/{call_id}/utterances",
            json={"speaker": "caller", "text": "also der Sperrmüll mit dem Sofa"},
            headers=AUTH,
        )
        assert again.status_code == 200
        assert not any(s["new"] for s in again.json()["suggestions"]), "already pushed before the restart"
        with connect(f"ws://127.0.0.1:{port}/ws/calls/{call_id}?token={token}") as ws:
            events = [json.loads(ws.recv(timeout=10)) for _ in range(4)]
        assert events[0]["type"] == "hello"
        assert [e["type"] for e in events[1:]] == ["transcript", "suggestions", "transcript"]
        assert events[1]["text"] == "mein altes Sofa muss zum Sperrmüll"
        assert httpx.post(f"{base}/api/calls/{call_id}/end", headers=AUTH).json()["status"] == "ended"


def test_serve_refuses_production_without_token(knowledge_dir: Path, tmp_path: Path) -> None:
    env = server_env(knowledge_dir, tmp_path / "data")
    env.pop("SOUFFLEUR_API_TOKEN")
    env["SOUFFLEUR_ENVIRONMENT"] = "production"
    with (
        pytest.raises(AssertionError, match="SOUFFLEUR_API_TOKEN is not set"),
        running_server(env, free_port(), tmp_path / "server.log", timeout=60),
    ):
        pass


def test_replay_command_plays_call_scripts_into_a_running_server(knowledge_dir: Path, tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    turns = [["agent", "Stadt Bottrop, guten Tag"], ["caller", "mein altes Sofa muss zum Sperrmüll"]]
    calls.write_text(json.dumps({"id": "sofa", "city": "bottrop", "turns": turns}) + "\n")
    env, port = server_env(knowledge_dir, tmp_path / "data"), free_port()
    with running_server(env, port, tmp_path / "server.log") as base:
        command = [sys.executable, "-m", "assistant.cli", "replay", str(calls), "--server", base, "--pace", "0"]
        result = subprocess.run(
            command, check=False, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert f"{base}/sidebar/" in result.stdout
        assert "→ Sperrmüll anmelden in Bottrop" in result.stdout
        missing = [sys.executable, "-m", "assistant.cli", "replay", str(tmp_path / "nope.jsonl"), "--server", base]
        failed = subprocess.run(
            missing, check=False, env={**os.environ, **env}, capture_output=True, text=True, timeout=120
        )
        assert failed.returncode != 0 and "No call script file" in failed.stderr
        assert "Traceback" not in failed.stderr


def test_demo_command_serves_and_plays_the_demo_calls(tmp_path: Path) -> None:
    env = {
        "SOUFFLEUR_DATA_DIR": str(tmp_path / "data"),
        "SOUFFLEUR_ENCODER__MODEL": "fake:64",
        "SOUFFLEUR_SERVER__PORT": str(free_port()),
    }
    command = [sys.executable, "-m", "assistant.cli", "demo", "--once", "--wait", "0", "--pace", "0"]
    result = subprocess.run(
        command, check=False, env={**os.environ, **env}, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("/sidebar/") == 3
    for city in ("bottrop", "duisburg", "dinslaken"):
        assert city in result.stdout


def test_replay_against_no_server_is_a_clear_message(tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    calls.write_text(json.dumps({"id": "a", "city": "bottrop", "turns": [["caller", "hallo"]]}) + "\n")
    base = f"http://127.0.0.1:{free_port()}"
    command = [sys.executable, "-m", "assistant.cli", "replay", str(calls), "--server", base, "--token", "t"]
    result = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f"Cannot reach the Souffleur server at {base}" in result.stderr
    assert "Traceback" not in result.stderr
