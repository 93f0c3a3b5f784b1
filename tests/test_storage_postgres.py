"""The storage works on PostgreSQL (``database_url``), not only on the embedded SQLite."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from assistant.wiring import build_call_service
from tests.api_support import api_settings
from tests.postgres import postgres_cluster

pytestmark = pytest.mark.integration


def test_calls_survive_a_restart_on_postgresql(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = api_settings(knowledge_dir, tmp_path / "data")
    with postgres_cluster(Path(tempfile.mkdtemp(prefix="souffleur-pg-"))) as url:
        service = build_call_service(settings, database_url=url)
        call = service.open_call(city="bottrop").call
        first = service.utterance(call.id, "caller", "mein altes Sofa muss zum Sperrmüll, Tel. 0171 2345678")
        assert first is not None and first.pushed[0].article_id == "bottrop/sperrmuell"
        service.feedback(call.id, "bottrop/sperrmuell", "helpful", "passt")
        service.search("Hund anmelden", "bottrop", call_id=call.id)
        service.store.close()

        restarted = build_call_service(settings, database_url=url)
        again = restarted.utterance(call.id, "caller", "also der Sperrmüll mit dem Sofa")
        assert again is not None and not again.pushed, "the pushed article is remembered"
        events = restarted.store.events_since(call.id, 0)
        assert [e.type for e in events][:2] == ["transcript", "suggestions"]
        assert "0171" not in str(events[0].payload) and "[TELEFON]" in str(events[0].payload)
        restarted.end_call(call.id)
        assert restarted.store.get_call(call.id).status == "ended"  # type: ignore[union-attr]
        restarted.store.close()
