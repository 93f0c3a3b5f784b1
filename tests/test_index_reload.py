"""Hot index reload on the single-process default (issue 12, item 6): an article edited while calls
run is served by the running server within seconds of ``souffleur index``, with no failed request."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from assistant.settings import Settings
from tests.api_support import AUTH, TOKEN
from tests.conftest import DEMO_KNOWLEDGE, PROJECT_ROOT
from tests.live_server import free_port, running_server

pytestmark = pytest.mark.integration

NEW_SENTENCE = "Neu seit Dezember: Den Sperrmüll melden Sie auch in der App BOT-Abfallplaner an."
TURNS = [
    "guten tag ich habe da eine frage",
    "mein altes sofa muss weg, wie geht das mit dem sperrmüll",
    "kostet das was",
    "und wann kommen die dann",
]


@pytest.mark.slow
def test_an_article_edited_while_calls_run_is_served_within_seconds(demo_settings: Settings, tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(DEMO_KNOWLEDGE, knowledge)
    data = tmp_path / "data"
    shutil.copytree(demo_settings.index_dir, data / "index")
    env = {
        "SOUFFLEUR_KNOWLEDGE_DIR": str(knowledge),
        "SOUFFLEUR_DATA_DIR": str(data),
        "SOUFFLEUR_API_TOKEN": TOKEN,
        "SOUFFLEUR_SERVER__INDEX_POLL_SECONDS": "1",
        # The probe reads the highlighted sentence of a search. With the demo's answer examples, "Sperrmüll
        # App anmelden" is answered like the remembered "kann ich dat im internet anmelden" (the online
        # registration), not with the new sentence: this test is about the index, not about the examples.
        "SOUFFLEUR_SUGGESTIONS__ANSWER_EXAMPLES": "false",
    }
    failures: list[str] = []
    done = threading.Event()
    calls = 0

    with running_server(env, free_port(), tmp_path / "server.log") as base:
        client = httpx.Client(base_url=base, headers=AUTH, timeout=30)

        def answer_mentions_app() -> bool:
            reply = client.get("/api/search", params={"q": "Sperrmüll App anmelden", "city": "bottrop", "k": 3})
            hits = reply.json()["suggestions"] if reply.status_code == 200 else []
            article = client.get("/api/articles/bottrop/sperrmuell").json()
            in_article = any("BOT-Abfallplaner" in s["text"] for s in article["sections"])
            return in_article and any("BOT-Abfallplaner" in h["answer"] + h["snippet"] for h in hits)

        assert not answer_mentions_app()

        def caller() -> None:
            nonlocal calls
            with httpx.Client(base_url=base, headers=AUTH, timeout=30) as own:
                while not done.is_set():
                    opened = own.post("/api/calls", json={"city": "bottrop"})
                    if opened.status_code != 201:
                        failures.append(f"open {opened.status_code}")
                        continue
                    call_id = opened.json()["call_id"]
                    for text in TURNS:
                        reply = own.post(f"/api/calls/{call_id}/utterances", json={"speaker": "caller", "text": text})
                        if reply.status_code != 200:
                            failures.append(f"utterance {reply.status_code}")
                        time.sleep(0.3)
                    if own.post(f"/api/calls/{call_id}/end").status_code != 200:
                        failures.append("end")
                    calls += 1

        with ThreadPoolExecutor(8) as pool:
            callers = [pool.submit(caller) for _ in range(8)]
            try:  # a failing assertion must stop the callers, or the pool waits for them forever
                time.sleep(2)
                _add_sentence(knowledge / "bottrop" / "sperrmuell.md", NEW_SENTENCE)
                served_after = _index_and_wait({**os.environ, **env}, answer_mentions_app)
            finally:
                done.set()
            for future in callers:
                future.result()
        client.close()
    assert failures == []
    assert calls > 0
    print(f"served {served_after:.1f} s after `souffleur index` finished; {calls} calls ran meanwhile")


def _add_sentence(article: Path, sentence: str) -> None:
    """Append a sentence to the article's first section."""
    text = article.read_text(encoding="utf-8")
    heading = text.index("\n## ", text.index("---", 3))
    end = text.find("\n## ", heading + 4)
    end = len(text) if end < 0 else end
    article.write_text(text[:end].rstrip() + f"\n\n{sentence}\n" + text[end:], encoding="utf-8")


def _index_and_wait(env: dict[str, str], served: Callable[[], bool]) -> float:
    """Run `souffleur index`, then wait until the running server serves the change; the seconds it took."""
    _souffleur_index(env)
    published = time.monotonic()
    while not served():
        assert time.monotonic() - published < 15, "the running server did not pick up the new index"
        time.sleep(0.2)
    return time.monotonic() - published


def _souffleur_index(env: dict[str, str]) -> None:
    command = [sys.executable, "-m", "assistant.cli", "index"]
    built = subprocess.run(command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stdout + built.stderr
