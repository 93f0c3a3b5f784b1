"""The live path reads no more than it needs: a call opened by this process starts with the engine's
memory of an empty call (restoring it from storage would give the same), and a call another replica
opened is still restored from storage. ``/metrics`` shows how the inference worker batches."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest

from assistant.live.call_service import CallService
from assistant.storage.call_store import CallStore
from assistant.wiring import build_call_service
from tests.api_support import AUTH, api_settings, app_client

pytestmark = pytest.mark.unit


def _service(knowledge_dir: Path, data: Path) -> CallService:
    return build_call_service(api_settings(knowledge_dir, data))


def test_the_first_turn_of_a_call_opened_here_reads_no_engine_state(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service(knowledge_dir, tmp_path / "data")
    other = _service(knowledge_dir, tmp_path / "data")  # another replica on the same database
    here = service.open_call(city="bottrop").call
    elsewhere = other.open_call(city="bottrop").call
    restored: list[str] = []
    original = CallStore.engine_state

    def counted(store: CallStore, call_id: str) -> object:
        restored.append(call_id)
        return original(store, call_id)

    monkeypatch.setattr(CallStore, "engine_state", counted)
    first = service.utterance(here.id, "caller", "ich will mein altes Sofa entsorgen, Sperrmüll")
    assert first is not None and first.pushed[0].article_id == "bottrop/sperrmuell"
    assert restored == []

    def no_rebuild(*_args: object) -> NoReturn:
        raise AssertionError("an empty call needs no rebuild from its turns")

    monkeypatch.setattr(CallStore, "session_state", no_rebuild)
    with pytest.raises(AssertionError):
        service.utterance(elsewhere.id, "caller", "ich will mein altes Sofa entsorgen, Sperrmüll")
    assert restored == [elsewhere.id], "a call opened by another replica is restored from storage"
    service.close()
    other.close()


def _gauge(text: str, name: str) -> float:
    return float(next(line.split()[1] for line in text.splitlines() if line.startswith(f"{name} ")))


def test_metrics_show_how_many_texts_the_inference_worker_embedded_per_pass(tmp_path: Path) -> None:
    with app_client(tmp_path) as client:
        before = client.get("/metrics", headers=AUTH).text
        call = client.post("/api/calls", json={"city": "bottrop"}, headers=AUTH).json()
        said = {"speaker": "caller", "text": "ich will mein altes Sofa entsorgen, Sperrmüll", "final": True}
        assert client.post(f"/api/calls/{call['call_id']}/utterances", json=said, headers=AUTH).status_code == 200
        after = client.get("/metrics", headers=AUTH).text
    names = ("souffleur_encoder_passes", "souffleur_encoder_requests", "souffleur_encoder_texts")
    grown = {name: _gauge(after, name) - _gauge(before, name) for name in names}
    expected = {"souffleur_encoder_passes": 1.0, "souffleur_encoder_requests": 1.0, "souffleur_encoder_texts": 2.0}
    assert grown == expected, "one caller turn: one request, its window and its gist in one worker pass"
    assert _gauge(after, "souffleur_encoder_largest_batch") >= 1
