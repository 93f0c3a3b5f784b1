"""Agents' answer marks: the sentence an agent marks as the one that answered (feedback ``answered``) is
stored with the caller's question and highlighted for like questions from then on, in this call and in
others, and after a restart; a mark that cannot be learned from is a 422 that says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.live.call_service import CallService
from assistant.live.index_reload import IndexWatcher
from assistant.wiring import build_call_service
from tests.api_support import AUTH, api_settings
from tests.helpers import write_knowledge
from tests.test_api import open_call, receive_until, say, sidebar_token

pytestmark = pytest.mark.unit

ARTICLE = "duisburg/personalausweis"
ANSWERED_BY = "Das zuständige Amt der Stadt hilft weiter."
QUESTION = "personalausweis, an wen wend ich mich da wenn ich nich weiterkomm"


# The fake encoder's vectors carry no meaning: the sentence's likeness by meaning would pick by chance
# among the article's sentences, so these tests of what a mark teaches leave it out.
WITHOUT_SENTENCE_MEANING = {"sentence_meaning": False}


def _client(root: Path, **overrides: object) -> TestClient:
    knowledge = root / "knowledge"
    if not knowledge.exists():
        write_knowledge(knowledge)
    suggestions = {**WITHOUT_SENTENCE_MEANING, **overrides.pop("suggestions", {})}  # type: ignore[dict-item]
    return TestClient(create_app(api_settings(knowledge, root / "data", suggestions=suggestions, **overrides)))


def _highlight(client: TestClient, question: str) -> str:
    reply = client.get("/api/search", params={"q": question, "city": "duisburg", "k": 10}, headers=AUTH).json()
    card = next(s for s in reply["suggestions"] if s["article_id"] == ARTICLE)
    return str(card["answer"])


def _mark(client: TestClient, call: dict[str, Any], sentence: str | None, article: str = ARTICLE) -> Any:
    body: dict[str, Any] = {"article_id": article, "event": "answered"}
    if sentence is not None:
        body["sentence"] = sentence
    headers = {"X-Call-Token": sidebar_token(call)}
    return client.post(f"/api/calls/{call['call_id']}/feedback", json=body, headers=headers)


def test_a_marked_sentence_is_highlighted_for_like_questions_also_after_a_restart(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        before = _highlight(client, QUESTION)
        assert before != ANSWERED_BY
        call = open_call(client, city="duisburg")
        assert say(client, call["call_id"], QUESTION).status_code == 200
        assert _mark(client, call, "  das zuständige Amt der Stadt\nhilft weiter ").status_code == 204
        assert _highlight(client, "und an wen wend ich mich denn da") == ANSWERED_BY
    with _client(tmp_path) as restarted:  # the mark is stored: a new server learns it at start
        assert _highlight(restarted, "und an wen wend ich mich denn da") == ANSWERED_BY
        assert _highlight(restarted, "was kostet der personalausweis") != ANSWERED_BY  # an unlike question
    with _client(tmp_path, suggestions={"learn_answers": False}) as unlearned:
        assert _highlight(unlearned, "und an wen wend ich mich denn da") != ANSWERED_BY


def test_marks_that_cannot_be_learned_are_refused_with_the_reason(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        call = open_call(client, city="duisburg")
        silent = _mark(client, call, ANSWERED_BY)
        assert silent.status_code == 422 and "has not asked anything" in silent.json()["detail"]
        say(client, call["call_id"], QUESTION)
        missing = _mark(client, call, None)
        assert missing.status_code == 422 and "needs the sentence" in missing.json()["detail"]
        foreign = _mark(client, call, "Dieser Satz steht in keinem Artikel.")
        assert foreign.status_code == 422 and f"not in the text of '{ARTICLE}'" in foreign.json()["detail"]
        assert _mark(client, call, ANSWERED_BY, "duisburg/nope").status_code == 422
        assert _highlight(client, QUESTION) != ANSWERED_BY  # nothing was learned


def test_a_mark_over_the_sidebar_socket(tmp_path: Path) -> None:
    with _client(tmp_path) as client:
        call = open_call(client, city="duisburg")
        say(client, call["call_id"], QUESTION)
        with client.websocket_connect(f"/ws/calls/{call['call_id']}?token={sidebar_token(call)}") as ws:
            ws.receive_json()
            ws.send_json({"type": "feedback", "article_id": ARTICLE, "event": "answered", "ref": 1})
            assert "needs the sentence" in receive_until(ws, "error")["message"]
            mark = {"type": "feedback", "article_id": ARTICLE, "event": "answered", "sentence": ANSWERED_BY}
            ws.send_json({**mark, "ref": 2})
            assert receive_until(ws, "ack")["ref"] == 2
        assert _highlight(client, "und an wen wend ich mich denn da") == ANSWERED_BY


def test_a_mark_made_on_another_replica_is_learned_at_the_next_poll(tmp_path: Path) -> None:
    settings = api_settings(
        write_knowledge(tmp_path / "knowledge"), tmp_path / "data", suggestions=WITHOUT_SENTENCE_MEANING
    )
    first, second = build_call_service(settings), build_call_service(settings)  # one database
    watcher = IndexWatcher(settings, second)
    question = "und an wen wend ich mich denn da"

    def highlighted(service: CallService) -> str:
        hits = service.search(question, "duisburg", k=10).suggestions
        return next(h.answer for h in hits if h.article_id == ARTICLE)

    try:
        call = first.open_call(city="duisburg").call
        first.utterance(call.id, "caller", QUESTION)
        first.feedback(call.id, ARTICLE, "answered", sentence=ANSWERED_BY)
        assert highlighted(first) == ANSWERED_BY != highlighted(second)
        assert not watcher.check()  # no new index; the mark is learned on the way
        assert highlighted(second) == ANSWERED_BY
        assert second.learn_new_marks() == 0  # each mark once
        # A rebuilt answer memory (a new index, changed examples) learns every mark again, once.
        second.rebuild_answers(lambda gaps: second.engine.use_examples((), gaps))
        assert highlighted(second) == ANSWERED_BY
        assert len(second.engine.extractor._remembered[ARTICLE]) == 1
    finally:
        first.close()
        second.close()
