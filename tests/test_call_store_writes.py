"""One utterance's unit of work in the store: counters, topic, engine state, suggestions and events."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.storage.call_store import CallStore, UtteranceWrite
from assistant.storage.models import CallRecord, SuggestionRecord, UtteranceRecord

pytestmark = pytest.mark.unit


def test_an_utterance_numbers_its_events_and_stores_state_topic_and_suggestions(tmp_path: Path) -> None:
    store = CallStore(f"sqlite:///{tmp_path / 'calls.db'}")
    store.create_call("c1", "bottrop", "hash", None, None)
    first = UtteranceWrite(
        "caller", "sperrmüll", 0, "suggested", 0.9, "bottrop/sperrmuell", [("bottrop/sperrmuell", 1, 0.9)]
    )
    events = store.record_utterance("c1", first, [("transcript", {"t": 1}), ("suggestions", {"s": 1})], {"n": 1})
    assert [e.seq for e in events] == [1, 2]
    assert store.engine_state("c1") is not None and store.engine_state("c1").event_seq == 2  # type: ignore[union-attr]

    quiet = UtteranceWrite("agent", "gerne", 0, "context")
    assert store.record_utterance("c1", quiet, [], {"n": 2}) == []
    state = store.engine_state("c1")
    assert state is None, "a state written with no event has no event number to match"

    changed = UtteranceWrite("caller", "und der pass", 1, "suggested", topic_changed=True)
    events = store.record_utterance("c1", changed, [("transcript", {}), ("topic", {"topic": 1})], {"n": 3})
    assert [e.seq for e in events] == [3, 4]
    assert [e.seq for e in store.events_since("c1", 0)] == [1, 2, 3, 4]
    with store.engine.connect() as connection:
        call = connection.execute(select(CallRecord)).one()
        assert (call.utterance_seq, call.event_seq, call.topic, call.state_event_seq) == (3, 4, 1, 4)
        assert call.engine_state == {"n": 3}
        seqs = connection.execute(select(UtteranceRecord.seq).order_by(UtteranceRecord.id)).scalars().all()
        assert seqs == [1, 2, 3]
        suggestion = connection.execute(select(SuggestionRecord)).one()
        assert (suggestion.article_id, suggestion.rank, suggestion.topic) == ("bottrop/sperrmuell", 1, 0)
    store.close()


def test_an_utterance_for_an_unknown_call_stores_nothing(tmp_path: Path) -> None:
    store = CallStore(f"sqlite:///{tmp_path / 'calls.db'}")
    with pytest.raises(Exception):  # noqa: B017 - SQLAlchemy's NoResultFound, as before
        store.record_utterance("nope", UtteranceWrite("caller", "x", 0, "trivial"), [("transcript", {})])
    with store.engine.connect() as connection:
        assert connection.execute(select(UtteranceRecord.id)).first() is None
    store.close()
