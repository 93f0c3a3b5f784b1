"""The HTTP and WebSocket API: the call flow, every error case, tokens and limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.api.security import MissingTokenError
from tests.api_support import AUTH, TOKEN, api_settings, app_client


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module: every test opens calls of its own, so none sees another's state."""
    with app_client(tmp_path_factory.mktemp("api")) as test_client:
        yield test_client


@pytest.fixture
def fresh_client(tmp_path: Path) -> Iterator[TestClient]:
    """An app of the test's own, for what counts over the whole app (metrics)."""
    with app_client(tmp_path) as test_client:
        yield test_client


def open_call(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/calls", json=body or {"city": "bottrop"}, headers=AUTH)
    assert response.status_code == 201, response.text
    data: dict[str, Any] = response.json()
    return data


def sidebar_token(call: dict[str, Any]) -> str:
    return str(call["sidebar_url"]).split("token=")[1]


def say(client: TestClient, call_id: str, text: str, speaker: str = "caller", final: bool = True) -> Any:
    return client.post(
        f"/api/calls/{call_id}/utterances", json={"speaker": speaker, "text": text, "final": final}, headers=AUTH
    )


@pytest.mark.unit
def test_call_flow_pushes_the_city_article_with_its_answer(client: TestClient) -> None:
    call = open_call(client, city="Bottrop", agent_id="agent-7")
    assert call["city"] == "bottrop"
    assert call["sidebar_url"].startswith("http://testserver/sidebar/")
    assert say(client, call["call_id"], "hallo guten tag").json()["outcome"] == "trivial"
    reply = say(client, call["call_id"], "ich will mein altes Sofa entsorgen, Sperrmüll").json()
    assert reply["outcome"] == "suggested"
    top = reply["suggestions"][0]
    assert top["article_id"] == "bottrop/sperrmuell" and top["new"] is True
    assert set(top) >= {"article_id", "title", "city", "service", "score", "answer", "snippet", "url"}
    assert "Sperrmüll" in top["answer"]
    assert all(s["city"] in ("bottrop", "common") for s in reply["suggestions"])
    again = say(client, call["call_id"], "also das Sofa soll zum Sperrmüll").json()
    assert all(not s["new"] for s in again["suggestions"] if s["article_id"] == "bottrop/sperrmuell")
    article = client.get(top["url"].removeprefix("http://testserver"), headers=AUTH).json()
    assert article["title"].startswith("Sperrmüll") and article["sections"]


@pytest.mark.unit
def test_dialed_number_routes_to_the_city(client: TestClient) -> None:
    assert open_call(client, dialed_number="+49 2041 700")["city"] == "bottrop"
    response = client.post("/api/calls", json={"dialed_number": "0800 123"}, headers=AUTH)
    assert response.status_code == 422
    assert "+49 203 94000" in response.json()["detail"]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"city": "essen"}, "duisburg, bottrop, dinslaken"),
        ({}, "Known cities"),
        ({"city": "bottrop", "colour": "red"}, "colour"),
        ({"city": 5}, "city"),
    ],
)
def test_open_call_errors_are_422_with_a_message(client: TestClient, body: dict[str, Any], fragment: str) -> None:
    response = client.post("/api/calls", json=body, headers=AUTH)
    assert response.status_code == 422
    assert fragment in response.json()["detail"]


@pytest.mark.unit
def test_ingest_needs_the_service_token(client: TestClient) -> None:
    assert client.post("/api/calls", json={"city": "bottrop"}).status_code == 401
    call = open_call(client)
    wrong = {"Authorization": "Bearer nope"}
    assert client.post("/api/calls", json={"city": "bottrop"}, headers=wrong).status_code == 401
    body = {"speaker": "caller", "text": "hallo"}
    headers = {"X-Call-Token": sidebar_token(call)}
    assert client.post(f"/api/calls/{call['call_id']}/utterances", json=body, headers=headers).status_code == 401
    assert client.get("/metrics").status_code == 401
    assert client.get("/healthz").status_code == 200


@pytest.mark.unit
def test_unknown_and_ended_calls(client: TestClient) -> None:
    assert say(client, "nope", "hallo").status_code == 404
    assert client.post("/api/calls/nope/end", headers=AUTH).status_code == 404
    call = open_call(client)
    assert client.post(f"/api/calls/{call['call_id']}/end", headers=AUTH).json()["status"] == "ended"
    assert say(client, call["call_id"], "hallo").status_code == 409
    assert client.post(f"/api/calls/{call['call_id']}/end", headers=AUTH).status_code == 409


@pytest.mark.unit
@pytest.mark.parametrize(
    ("payload", "status"),
    [
        (b"{not json", 422),
        (b'{"speaker": "caller"}', 422),
        (b'{"speaker": "citizen", "text": "hallo"}', 422),
        (b'{"speaker": "caller", "text": ""}', 422),
        (b'{"speaker": "caller", "text": "hallo", "final": "maybe"}', 422),
        (b"[]", 422),
    ],
)
def test_malformed_utterances_are_422(client: TestClient, payload: bytes, status: int) -> None:
    call = open_call(client)
    headers = {**AUTH, "Content-Type": "application/json"}
    response = client.post(f"/api/calls/{call['call_id']}/utterances", content=payload, headers=headers)
    assert response.status_code == status
    assert response.json()["detail"]


@pytest.mark.unit
def test_size_limits(client: TestClient) -> None:
    call = open_call(client)
    assert say(client, call["call_id"], "Sperrmüll " * 300).status_code == 413
    huge = b'{"speaker": "caller", "text": "' + b"a" * 70_000 + b'"}'
    headers = {**AUTH, "Content-Type": "application/json"}
    assert client.post(f"/api/calls/{call['call_id']}/utterances", content=huge, headers=headers).status_code == 413


@pytest.mark.unit
def test_feedback_with_the_sidebar_token_only_for_its_own_call(client: TestClient) -> None:
    first, second = open_call(client), open_call(client)
    body = {"article_id": "bottrop/sperrmuell", "event": "helpful"}
    own = {"X-Call-Token": sidebar_token(first)}
    assert client.post(f"/api/calls/{first['call_id']}/feedback", json=body, headers=own).status_code == 204
    assert client.post(f"/api/calls/{second['call_id']}/feedback", json=body, headers=own).status_code == 401
    bad = {"article_id": "bottrop/sperrmuell", "event": "loved"}
    assert client.post(f"/api/calls/{first['call_id']}/feedback", json=bad, headers=own).status_code == 422
    unknown = {"article_id": "bottrop/nope", "event": "helpful"}
    response = client.post(f"/api/calls/{first['call_id']}/feedback", json=unknown, headers=own)
    assert response.status_code == 422 and "bottrop/nope" in response.json()["detail"]
    assert client.get(f"/api/calls/{second['call_id']}", headers=own).status_code == 401


@pytest.mark.unit
def test_manual_search_is_scoped_to_the_call_city(client: TestClient) -> None:
    call = open_call(client, city="dinslaken")
    headers = {"X-Call-Token": sidebar_token(call)}
    response = client.get(f"/api/search?q=Hund+anmelden&call_id={call['call_id']}", headers=headers)
    assert response.status_code == 200
    results = response.json()["suggestions"]
    assert results[0]["article_id"] == "dinslaken/hundesteuer"
    assert all(r["city"] in ("dinslaken", "common") for r in results)
    other_city = client.get(f"/api/search?q=Hund&city=bottrop&call_id={call['call_id']}", headers=headers)
    assert other_city.status_code == 422
    assert client.get("/api/search?q=Hund&city=bottrop", headers=headers).status_code == 401
    assert client.get("/api/search?q=Hund&city=essen", headers=AUTH).status_code == 422
    assert client.get("/api/search?q=&city=bottrop", headers=AUTH).status_code == 422
    assert client.get("/api/search?q=%20%20&city=bottrop", headers=AUTH).status_code == 422
    assert client.get("/api/search?q=Hund&city=bottrop&k=500", headers=AUTH).status_code == 422
    foreign = client.get(f"/api/articles/bottrop/hundesteuer?call_id={call['call_id']}", headers=headers)
    assert foreign.status_code == 404
    assert client.get("/api/articles/nope/nope", headers=AUTH).status_code == 404


@pytest.mark.unit
def test_metrics_count_requests_and_suggestions(fresh_client: TestClient) -> None:
    call = open_call(fresh_client)
    say(fresh_client, call["call_id"], "Sperrmüll Sofa entsorgen")
    text = fresh_client.get("/metrics", headers=AUTH).text
    assert "souffleur_suggestion_seconds_bucket" in text
    assert 'souffleur_utterances_total{city="bottrop",outcome="suggested"} 1.0' in text
    assert 'route="/api/calls/{call_id}/utterances"' in text


@pytest.mark.unit
def test_cors_is_closed_by_default(client: TestClient) -> None:
    response = client.options(
        "/api/calls", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
    )
    assert "access-control-allow-origin" not in response.headers


@pytest.mark.unit
def test_sidebar_page_needs_its_call_token(client: TestClient) -> None:
    call = open_call(client)
    page = client.get(call["sidebar_url"].removeprefix("http://testserver"))
    assert page.status_code == 200 and 'lang="de"' in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get(f"/sidebar/{call['call_id']}?token=wrong").status_code == 403
    assert client.get("/static/sidebar.js").status_code == 200
    assert client.get("/static/../settings.py").status_code == 404


@pytest.mark.unit
def test_production_mode_refuses_to_start_without_a_token(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = api_settings(knowledge_dir, tmp_path / "data", api_token=None, environment="production")
    with pytest.raises(MissingTokenError, match="SOUFFLEUR_API_TOKEN"):
        create_app(settings)


@pytest.mark.unit
def test_development_mode_generates_a_private_token(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = api_settings(knowledge_dir, tmp_path / "data", api_token=None)
    create_app(settings)
    token_file = tmp_path / "data" / "api-token"
    assert token_file.stat().st_mode & 0o777 == 0o600
    assert len(token_file.read_text().strip()) >= 32
    assert token_file.read_text().strip() != TOKEN


# ---- WebSocket ----------------------------------------------------------------------------------
def receive_until(ws: Any, kind: str, limit: int = 20) -> dict[str, Any]:
    for _ in range(limit):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} event")


@pytest.mark.unit
def test_websocket_ingest_pushes_to_the_sidebar_socket(client: TestClient) -> None:
    call = open_call(client)
    call_id = call["call_id"]
    with (
        client.websocket_connect(f"/ws/calls/{call_id}?token={sidebar_token(call)}") as sidebar,
        client.websocket_connect(f"/ws/calls/{call_id}?token={TOKEN}") as ingest,
    ):
        assert sidebar.receive_json()["role"] == "sidebar"
        assert ingest.receive_json()["role"] == "ingest"
        ingest.send_json({"speaker": "caller", "text": "Sperrmüll, das alte Sofa muss weg", "ref": 1})
        ack = receive_until(ingest, "ack")
        assert ack["ref"] == 1 and ack["outcome"] == "suggested"
        assert receive_until(sidebar, "transcript")["text"] == "Sperrmüll, das alte Sofa muss weg"
        pushed = receive_until(sidebar, "suggestions")
        assert pushed["suggestions"][0]["article_id"] == "bottrop/sperrmuell"
        assert pushed["seq"] >= 2


@pytest.mark.unit
@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ("{broken", "not valid JSON"),
        ("[1, 2]", "JSON object"),
        ('{"type": "dance"}', "unknown message type"),
        ('{"type": "utterance", "speaker": "caller"}', "text"),
        ('{"type": "feedback", "article_id": "x", "event": "loved"}', "event"),
        ('{"type": "feedback", "article_id": "x/y", "event": "helpful"}', "Unknown article"),
        ('{"type": "search", "q": "Hund", "k": 99}', "k: Input should be less than or equal to 20"),
    ],
)
def test_invalid_websocket_messages_get_an_error_and_the_socket_stays_open(
    client: TestClient, message: str, fragment: str
) -> None:
    call = open_call(client)
    with client.websocket_connect(f"/ws/calls/{call['call_id']}?token={TOKEN}") as ws:
        ws.receive_json()
        ws.send_text(message)
        error = receive_until(ws, "error")
        assert fragment in error["message"]
        ws.send_json({"type": "ping", "ref": "still-there"})
        assert receive_until(ws, "pong")["ref"] == "still-there"


@pytest.mark.unit
def test_sidebar_socket_cannot_ingest_but_can_search(client: TestClient) -> None:
    call = open_call(client, city="duisburg")
    with client.websocket_connect(f"/ws/calls/{call['call_id']}?token={sidebar_token(call)}") as ws:
        ws.receive_json()
        ws.send_json({"type": "utterance", "speaker": "caller", "text": "Sperrmüll"})
        assert receive_until(ws, "error")["status"] == 403
        ws.send_json({"type": "search", "q": "Hund anmelden"})
        results = receive_until(ws, "search_results")["suggestions"]
        assert results[0]["article_id"] == "duisburg/hundesteuer"


@pytest.mark.unit
def test_socket_refuses_wrong_tokens_and_unknown_calls(client: TestClient) -> None:
    first, second = open_call(client), open_call(client)
    from starlette.websockets import WebSocketDisconnect

    url = f"/ws/calls/{second['call_id']}?token={sidebar_token(first)}"
    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(url) as ws:
        ws.receive_json()
    assert refused.value.code == 1008
    with pytest.raises(WebSocketDisconnect) as unknown, client.websocket_connect(f"/ws/calls/nope?token={TOKEN}") as ws:
        ws.receive_json()
    assert unknown.value.code == 4404


@pytest.mark.unit
def test_reconnecting_sidebar_gets_what_it_missed(client: TestClient) -> None:
    call = open_call(client)
    call_id, token = call["call_id"], sidebar_token(call)
    say(client, call_id, "guten tag")
    with client.websocket_connect(f"/ws/calls/{call_id}?token={token}") as ws:
        ws.receive_json()
        first = receive_until(ws, "transcript")
    say(client, call_id, "Sperrmüll: das Sofa muss weg")
    client.post(f"/api/calls/{call_id}/end", headers=AUTH)
    with client.websocket_connect(f"/ws/calls/{call_id}?token={token}&after={first['seq']}") as ws:
        hello = ws.receive_json()
        assert hello["status"] == "ended"
        missed = [ws.receive_json() for _ in range(3)]
    assert [m["type"] for m in missed] == ["transcript", "suggestions", "call_ended"]
    assert [m["seq"] for m in missed] == [first["seq"] + 1, first["seq"] + 2, first["seq"] + 3]


@pytest.mark.unit
def test_partial_utterances_only_reach_the_live_transcript(client: TestClient) -> None:
    call = open_call(client)
    call_id = call["call_id"]
    with client.websocket_connect(f"/ws/calls/{call_id}?token={sidebar_token(call)}") as ws:
        ws.receive_json()
        reply = say(client, call_id, "Sperrmüll Sofa", final=False).json()
        assert reply == {"outcome": "partial", "topic": None, "topic_changed": False, "suggestions": []}
        event = receive_until(ws, "transcript")
        assert event["final"] is False and event["seq"] is None
    service = client.app.state.service  # type: ignore[attr-defined]
    assert service.store.events_since(call_id, 0) == []


@pytest.mark.unit
def test_blocking_request_work_runs_on_the_configured_number_of_threads(tmp_path: Path) -> None:
    from anyio import to_thread

    with app_client(tmp_path, server={"request_threads": 3}) as test_client:
        tokens = test_client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)  # type: ignore[union-attr]
        assert tokens == 3
        call = open_call(test_client)
        assert say(test_client, call["call_id"], "Sperrmüll Sofa entsorgen").json()["outcome"] == "suggested"


@pytest.mark.unit
def test_an_unknown_call_is_404_before_a_too_long_utterance_is_413(client: TestClient) -> None:
    long_text = "x" * 5000
    assert say(client, "no-such-call", long_text).status_code == 404
    call = open_call(client)
    assert say(client, call["call_id"], long_text).status_code == 413
    assert say(client, "no-such-call", "Sperrmüll").status_code == 404
