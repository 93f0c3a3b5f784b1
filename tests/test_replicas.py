"""Several replicas on one database: migrations, one unit of work per utterance, event numbers with
several writers, a call continued by another process, hot index reload, readiness (all on SQLite, with
the fake encoder; the multi-process test on PostgreSQL and Redis is tests/test_replicas_integration.py)."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from assistant.api.app import create_app
from assistant.live.call_service import CallService
from assistant.live.index_reload import IndexWatcher
from assistant.storage.call_store import CallStore, make_engine
from assistant.storage.models import UtteranceRecord, utcnow
from assistant.storage.schema import INITIAL_REVISION, current_revision, head_revision, upgrade
from assistant.wiring import build_call_service, make_encoder
from corpus.knowledge_base import load_knowledge_base
from embeddings.index.index_store import refresh_index
from tests.api_support import AUTH, TOKEN, api_settings
from tests.helpers import article_text


def _service(knowledge_dir: Path, data: Path, **overrides: object) -> CallService:
    return build_call_service(api_settings(knowledge_dir, data, **overrides))


@pytest.mark.unit
def test_a_fresh_database_is_created_by_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'calls.db'}"
    CallStore(url).close()
    engine = make_engine(url)
    assert current_revision(engine) == head_revision()
    columns = {c["name"] for c in inspect(engine).get_columns("calls")}
    assert {"event_seq", "utterance_seq", "engine_state", "state_event_seq"} <= columns
    engine.dispose()


@pytest.mark.unit
def test_a_database_from_before_migrations_is_stamped_upgraded_and_numbered_on(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, INITIAL_REVISION)  # exactly the schema create_all made
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
        connection.execute(
            text(
                "INSERT INTO calls (id, city, sidebar_token_hash, status, topic, started_at) "
                "VALUES ('old', 'bottrop', 'x', 'active', 0, :at)"
            ),
            {"at": utcnow()},
        )
        for seq in (1, 2, 3):
            connection.execute(
                text("INSERT INTO events (call_id, seq, type, payload, at) VALUES ('old', :seq, 't', '{}', :at)"),
                {"seq": seq, "at": utcnow()},
            )
    engine.dispose()
    store = CallStore(url)
    assert current_revision(store.engine) == head_revision()
    assert store.append_event("old", "call_ended", {}) == 4
    assert [e.seq for e in store.events_since("old", 0)] == [1, 2, 3, 4]
    store.close()


@pytest.mark.unit
def test_event_numbers_are_unique_with_several_writers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'calls.db'}"
    stores = [CallStore(url), CallStore(url)]  # two "replicas"
    stores[0].create_call("c1", "bottrop", "x", None, None)

    def write(store: CallStore) -> None:
        for _ in range(25):
            store.append_event("c1", "transcript", {})

    threads = [threading.Thread(target=write, args=(stores[i % 2],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [e.seq for e in stores[1].events_since("c1", 0)] == list(range(1, 101))
    for store in stores:
        store.close()


@pytest.mark.unit
def test_a_failed_write_stores_nothing_of_the_utterance(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service(knowledge_dir, tmp_path / "data")
    call = service.open_call(city="bottrop").call

    def broken(*_args: Any) -> Any:
        raise RuntimeError("disk full")

    monkeypatch.setattr(CallStore, "_insert_events", broken)
    with pytest.raises(RuntimeError):
        service.utterance(call.id, "caller", "ich will mein altes Sofa entsorgen, Sperrmüll")
    monkeypatch.undo()
    with service.store.engine.connect() as connection:
        assert connection.execute(select(UtteranceRecord.id)).first() is None
    assert service.store.events_since(call.id, 0) == []
    again = service.utterance(call.id, "caller", "ich will mein altes Sofa entsorgen, Sperrmüll")
    assert again is not None and [s.article_id for s in again.pushed][:1] == ["bottrop/sperrmuell"]
    assert [e.seq for e in service.store.events_since(call.id, 0)] == [1, 2]
    service.store.close()


@pytest.mark.unit
def test_a_call_alternating_between_two_processes_keeps_one_memory(knowledge_dir: Path, tmp_path: Path) -> None:
    first = _service(knowledge_dir, tmp_path / "data")
    second = _service(knowledge_dir, tmp_path / "data")  # same SQLite file: another replica
    call = first.open_call(city="bottrop").call
    pushed = first.utterance(call.id, "caller", "ich will mein altes Sofa entsorgen, Sperrmüll")
    assert pushed is not None and pushed.pushed[0].article_id == "bottrop/sperrmuell"
    again = second.utterance(call.id, "caller", "also das Sofa soll zum Sperrmüll")
    assert again is not None and not again.pushed, "the other replica knows what was shown"
    # The first replica's cached memory is now behind the call: it must restore, not reuse it.
    first.utterance(call.id, "agent", "wann soll der Sperrmüll kommen?")
    state = first.store.engine_state(call.id)
    assert state is not None and [t for _, t in state.state["turns"]][-1] == "wann soll der Sperrmüll kommen?"
    assert len(state.state["turns"]) == 3
    events = second.store.events_since(call.id, 0)
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert [e.type for e in events] == ["transcript", "suggestions", "transcript", "transcript"]
    second.end_call(call.id)
    assert first.store.events_since(call.id, 4)[0].type == "call_ended"
    first.store.close()
    second.store.close()


@pytest.mark.unit
def test_the_sidebar_fills_a_gap_in_the_live_events_from_storage(knowledge_dir: Path, tmp_path: Path) -> None:
    app = create_app(api_settings(knowledge_dir, tmp_path / "data"))
    with TestClient(app) as client:
        call = client.post("/api/calls", json={"city": "bottrop"}, headers=AUTH).json()
        service: CallService = app.state.service
        with client.websocket_connect(f"/ws/calls/{call['call_id']}?token={TOKEN}") as socket:
            assert socket.receive_json()["type"] == "hello"
            # Two events stored by "another replica" whose messages never arrive here, then a third.
            service.store.append_event(call["call_id"], "transcript", {"n": 1})
            service.store.append_event(call["call_id"], "transcript", {"n": 2})
            service.hub.publish(call["call_id"], "transcript", {"n": 3})
            received = [socket.receive_json() for _ in range(3)]
        assert [(m["seq"], m["n"]) for m in received] == [(1, 1), (2, 2), (3, 3)]


@pytest.mark.unit
def test_health_and_readiness(knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(api_settings(knowledge_dir, tmp_path / "data"))
    with TestClient(app) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        ready = client.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"] == {"model": "ok", "index": "ok", "database": "ok", "events": "ok"}

        def down() -> None:
            raise ConnectionError("no database")

        monkeypatch.setattr(app.state.service.store, "ping", down)
        not_ready = client.get("/readyz")
        assert not_ready.status_code == 503
        assert not_ready.json()["checks"]["database"] == "unreachable (ConnectionError)"


@pytest.mark.unit
def test_a_published_index_is_served_without_a_restart(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = api_settings(knowledge_dir, tmp_path / "data")
    service = build_call_service(settings)
    watcher = IndexWatcher(settings, service)
    assert not watcher.check()
    (knowledge_dir / "bottrop" / "kita.md").write_text(
        article_text("Kita-Platz Bottrop", "kita", "Einen Kita-Platz vergibt das Jugendamt über den Kita-Navigator."),
        encoding="utf-8",
    )
    old = service.retriever
    hits = service.search("Kita-Navigator Kita-Platz", "bottrop").suggestions
    assert "bottrop/kita" not in [h.article_id for h in hits]
    refresh_index(
        settings.index_dir, load_knowledge_base(knowledge_dir), make_encoder(settings), settings.index_settings()
    )
    assert watcher.check() and watcher.reloads == 1
    assert service.retriever is not old and service.engine.retriever is service.retriever
    for snapshot in settings.index_dir.glob("snap-*"):  # the loaded snapshot may be deleted
        shutil.rmtree(snapshot)
    hits = service.search("Kita-Navigator Kita-Platz", "bottrop").suggestions
    assert hits[0].article_id == "bottrop/kita"
    assert "Jugendamt" in hits[0].answer
    assert "bottrop/kita" in service.knowledge.articles
    service.store.close()


@pytest.mark.unit
def test_an_unreachable_fan_out_fails_no_utterance(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    service = _service(knowledge_dir, tmp_path / "data")
    call = service.open_call(city="bottrop").call

    def down(*_args: Any) -> None:
        raise ConnectionError("redis is down")

    monkeypatch.setattr(service.hub.fanout, "publish", down)
    outcome = service.utterance(call.id, "caller", "ich will mein altes Sofa entsorgen, Sperrmüll")
    assert outcome is not None and outcome.pushed
    assert [e.type for e in service.store.events_since(call.id, 0)] == ["transcript", "suggestions"]
    service.store.close()
