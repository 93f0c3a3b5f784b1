"""Known gaps marked on the gaps page: a content team marks a gap topic as a known gap (stored, redacted),
the engine shows ``maybe`` instead of ``answer`` for a like concern of the city at once, other replicas
learn it (and a removal) at their next index poll, a reload of the knowledge folder's files or of the index
keeps it, and ``souffleur corpus export-gaps`` writes the marked ones as known-gaps.jsonl lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.live.call_service import CallService, KnownGapNotFoundError
from assistant.live.index_reload import IndexWatcher, swap_index
from assistant.settings import Settings
from assistant.wiring import build_call_service
from corpus.answer_examples import ANSWER_EXAMPLES_FILE
from corpus.known_gaps import KNOWN_GAPS_FILE
from embeddings.retrieval.retriever import HybridRetriever
from tests.api_support import api_settings
from tests.helpers import write_knowledge, write_lines

pytestmark = pytest.mark.unit

CONTENT_TOKEN = "redaktion-test-token"
CONTENT = {"X-Content-Token": CONTENT_TOKEN}
ARTICLE = "bottrop/sperrmuell"
ASKED = "ich will mein altes Sofa entsorgen, Sperrmüll"  # an 'answer' card for bottrop/sperrmuell, as it is
# The questions of a gap topic as the gaps page joins them (a phone number in one, to be redacted).
TOPIC_QUESTIONS = "mein altes sofa soll weg, zum sperrmüll, wie entsorge ich das. meine nummer ist 0170 1234567"


def _settings(root: Path, **overrides: object) -> Settings:
    knowledge = root / "knowledge"
    if not knowledge.exists():
        write_knowledge(knowledge)
    return api_settings(knowledge, root / "data", content_token=CONTENT_TOKEN, **overrides)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(_settings(tmp_path))) as started:
        yield started


def _service(client: TestClient) -> CallService:
    service: CallService = client.app.state.service  # type: ignore[attr-defined]
    return service


def _tier(service: CallService, text: str = ASKED, city: str = "bottrop") -> str:
    """The tier of the sperrmuell card for ``text``, said first in a new call of ``city``."""
    call = service.open_call(city=city).call
    outcome = service.utterance(call.id, "caller", text)
    assert outcome is not None
    return next(s.tier for s in outcome.suggestions if s.article_id == ARTICLE)


def _mark(client: TestClient, headers: dict[str, str] | None = None, **body: Any) -> Any:
    sent = {"city": "bottrop", "question": TOPIC_QUESTIONS, "label": "Sofa zum Sperrmüll", **body}
    return client.post("/api/gaps/known", json=sent, headers=CONTENT if headers is None else headers)


def test_a_topic_marked_as_known_gap_is_stored_redacted_listed_and_removed(client: TestClient) -> None:
    assert client.get("/api/gaps/known", headers=CONTENT).json() == []
    added = _mark(client)
    assert added.status_code == 201, added.text
    gap = added.json()
    assert set(gap) == {"id", "city", "label", "question", "created_at", "answered_like", "answered_without_gap"}
    assert gap["answered_like"] == []  # no article of the folder answered a like question before
    assert gap["city"] == "bottrop" and gap["label"] == "Sofa zum Sperrmüll"
    assert "wie entsorge ich das" in gap["question"] and "1234567" not in gap["question"]  # redacted
    other = _mark(client, city="Duisburg", question="wo kann ich meinen hund  anmelden", label="Hund").json()
    assert other["city"] == "duisburg" and other["question"] == "wo kann ich meinen hund anmelden"
    listed = client.get("/api/gaps/known", headers=CONTENT).json()
    assert [g["id"] for g in listed] == [gap["id"], other["id"]] and listed[0] == gap
    assert [g["id"] for g in client.get("/api/gaps/known?city=duisburg", headers=CONTENT).json()] == [other["id"]]
    assert client.delete(f"/api/gaps/known/{gap['id']}", headers=CONTENT).status_code == 204
    assert [g["id"] for g in client.get("/api/gaps/known", headers=CONTENT).json()] == [other["id"]]
    again = client.delete(f"/api/gaps/known/{gap['id']}", headers=CONTENT)
    assert again.status_code == 404 and "unknown or already removed" in again.json()["detail"]
    unknown = client.delete("/api/gaps/known/999", headers=CONTENT)
    assert unknown.status_code == 404 and "No known gap with id 999" in unknown.json()["detail"]
    removed = _service(client).store.known_gaps()
    assert [g.id for g in removed] == [other["id"]]  # the removed one is kept in the table, marked removed


def test_marking_a_gap_an_article_answered_before_names_the_article_and_the_question(tmp_path: Path) -> None:
    """The check: a gap like a question an article answered (an answer example of the folder) says so, for
    the city's and the common articles only; an article may answer the matter after all."""
    knowledge = tmp_path / "knowledge"
    write_knowledge(knowledge)
    answered = "mein altes sofa soll weg wie entsorge ich das beim sperrmüll"
    sentence = "Sperrmüll wird nach Anmeldung kostenlos abgeholt."
    write_lines(knowledge / ANSWER_EXAMPLES_FILE, {"article": ARTICLE, "question": answered, "sentences": [sentence]})
    with TestClient(create_app(_settings(tmp_path))) as started:
        gap = _mark(started).json()
        assert [(a["article_id"], a["title"], a["question"]) for a in gap["answered_like"]] == [
            (ARTICLE, "Sperrmüll anmelden in Bottrop", answered)
        ]
        assert 0.3 <= gap["answered_like"][0]["likeness"] <= 1
        assert _mark(started, city="duisburg").json()["answered_like"] == []  # a Bottrop article: not Duisburg's
        assert _mark(started, question="wo kann ich meinen hund anmelden").json()["answered_like"] == []
        listed = started.get("/api/gaps/known?city=bottrop", headers=CONTENT).json()
        assert listed[0]["answered_like"] == gap["answered_like"]


def test_marking_a_gap_names_the_article_shown_as_its_answer_without_the_gap(client: TestClient) -> None:
    """The other check: the article the engine shows as 'answer' for the gap's question when no gap is
    recorded (what the gap keeps from being shown), with its sentence; nothing for a matter no article
    answers confidently. The marked gap itself does not hide the article from its own check."""
    gap = _mark(client).json()
    shown = gap["answered_without_gap"]
    assert [(a["article_id"], a["title"]) for a in shown] == [(ARTICLE, "Sperrmüll anmelden in Bottrop")]
    assert shown[0]["answer"] == "Sperrmüll wird nach Anmeldung kostenlos abgeholt." and shown[0]["score"] >= 0.75
    assert _tier(_service(client)) == "maybe"  # the gap is in use: a like concern gets no 'answer' card
    assert _mark(client, question="wer fällt den baum im garten", label="Baum").json()["answered_without_gap"] == []
    duisburg = _mark(client, city="duisburg").json()["answered_without_gap"]
    assert [a["article_id"] for a in duisburg] == ["duisburg/sperrmuell"]  # the city's own article
    listed = client.get("/api/gaps/known?city=bottrop", headers=CONTENT).json()
    assert listed[0]["answered_without_gap"] == shown


def test_the_known_gaps_need_the_content_token(client: TestClient) -> None:
    wrong = {"X-Content-Token": "falsch"}
    assert _mark(client, headers={}).status_code == 401
    assert _mark(client, headers=wrong).status_code == 401
    assert _mark(client, headers={"Authorization": "Bearer test-service-token"}).status_code == 401
    assert client.get("/api/gaps/known").status_code == 401
    assert client.delete("/api/gaps/known/1", headers=wrong).status_code == 401
    assert _service(client).store.known_gaps() == []
    assert _mark(client, headers={"Authorization": f"Bearer {CONTENT_TOKEN}"}).status_code == 201


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"city": "essen"}, "Unknown city 'essen'. Known cities: duisburg, bottrop, dinslaken"),
        ({"question": ""}, "question: String should have at least 1 character"),
        ({"question": "  … ?! "}, "A known gap needs a question"),
        ({"question": "wort " * 1000}, "question: String should have at most 4000 characters"),
        ({"label": "x" * 201}, "label: String should have at most 200 characters"),
        ({"extra": 1}, "extra: Extra inputs are not permitted"),
    ],
)
def test_a_gap_that_cannot_be_marked_is_a_422_with_the_reason(
    client: TestClient, body: dict[str, Any], message: str
) -> None:
    refused = _mark(client, **body)
    assert refused.status_code == 422 and message in refused.json()["detail"]
    assert _service(client).store.known_gaps() == []


def test_bad_filters_and_ids_are_422(client: TestClient) -> None:
    listed = client.get("/api/gaps/known?city=essen", headers=CONTENT)
    assert listed.status_code == 422 and "Known cities" in listed.json()["detail"]
    assert client.delete("/api/gaps/known/0", headers=CONTENT).status_code == 422
    assert client.delete("/api/gaps/known/eins", headers=CONTENT).status_code == 422


def test_a_concern_like_a_marked_gap_gets_maybe_instead_of_answer_until_it_is_removed(client: TestClient) -> None:
    service = _service(client)
    assert _tier(service) == "answer"
    gap = _mark(client).json()
    assert _tier(service) == "maybe"  # at once, on this replica
    assert _tier(service, "wann wird der sperrmüll abgeholt") == "answer"  # an unlike concern
    client.delete(f"/api/gaps/known/{gap['id']}", headers=CONTENT)
    assert _tier(service) == "answer"


def test_the_city_scopes_a_marked_gap(client: TestClient) -> None:
    service = _service(client)
    _mark(client, city="dinslaken")
    assert _tier(service) == "answer"  # marked for another city


def test_with_known_gaps_switched_off_marked_gaps_are_stored_but_not_used(tmp_path: Path) -> None:
    with TestClient(create_app(_settings(tmp_path, suggestions={"known_gaps": False}))) as client:
        assert _mark(client).status_code == 201
        assert _tier(_service(client)) == "answer"
        assert len(_service(client).engine.known_gaps) == 0


def test_another_replica_learns_a_marked_gap_and_its_removal_at_its_next_poll(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    first, second = build_call_service(settings), build_call_service(settings)  # one database
    watcher = IndexWatcher(settings, second)
    try:
        gap = first.add_known_gap("bottrop", "Sofa", TOPIC_QUESTIONS)
        assert _tier(first) == "maybe" and _tier(second) == "answer"
        assert not watcher.check()  # no new index; the marked gap is learned on the way
        assert _tier(second) == "maybe"
        assert not second.learn_stored_gaps()  # nothing changed since
        first.remove_known_gap(gap.id)
        with pytest.raises(KnownGapNotFoundError):
            second.remove_known_gap(gap.id)
        watcher.check()
        assert _tier(second) == "answer"
        first.add_known_gap("bottrop", "Sofa", TOPIC_QUESTIONS)
        third = build_call_service(settings)  # a replica started later uses the stored ones from the start
        try:
            assert _tier(third) == "maybe"
        finally:
            third.close()
    finally:
        first.close()
        second.close()


def test_reloads_of_the_knowledge_folder_s_files_and_of_the_index_keep_the_marked_gaps(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    service = build_call_service(settings)
    watcher = IndexWatcher(settings, service)
    try:
        service.add_known_gap("bottrop", "Sofa", TOPIC_QUESTIONS)
        assert len(service.engine.known_gaps) == 1
        known = settings.knowledge_dir / KNOWN_GAPS_FILE
        known.write_text(json.dumps({"question": "wo melde ich meinen kampfhund an", "city": "bottrop"}) + "\n")
        assert watcher.check()  # the file's gaps changed: the engine is rebuilt with them
        assert len(service.engine.known_gaps) == 2 and _tier(service) == "maybe"
        known.unlink()
        assert watcher.check() and len(service.engine.known_gaps) == 1 and _tier(service) == "maybe"
        assert isinstance(service.retriever, HybridRetriever)
        swap_index(service, service.retriever.index, service.knowledge, settings)  # a new index snapshot
        assert len(service.engine.known_gaps) == 1 and _tier(service) == "maybe"
    finally:
        service.close()
