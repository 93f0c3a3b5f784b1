"""The API under hostile or careless input: the socket answers every malformed message and stays
open, refuses bad tokens after accepting (close codes a browser sees), and HTTP errors are 4xx."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from tests.api_support import AUTH, TOKEN, app_client


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One app for the module: every test opens calls of its own, so none sees another's state."""
    with app_client(tmp_path_factory.mktemp("hardening")) as test_client:
        yield test_client


def open_call(client: TestClient) -> dict[str, Any]:
    response = client.post("/api/calls", json={"city": "bottrop"}, headers=AUTH)
    assert response.status_code == 201
    data: dict[str, Any] = response.json()
    return data


def sidebar_token(call: dict[str, Any]) -> str:
    return str(call["sidebar_url"]).split("token=")[1]


def receive_until(ws: Any, kind: str) -> dict[str, Any]:
    for _ in range(20):
        message: dict[str, Any] = ws.receive_json()
        if message["type"] == kind:
            return message
    raise AssertionError(f"no {kind} message")


MALFORMED = [
    pytest.param("[" * 5000 + "]" * 5000, "nested too deeply", 422, id="deeply-nested"),
    pytest.param('{"type": "ping", "n": ' + "9" * 4301 + "}", "not valid JSON", 422, id="4301-digit-number"),
    pytest.param('{"type": "search", "q": "Hund \\ud800"}', "surrogate", 422, id="lone-surrogate"),
    pytest.param('{"type": "resume", "after": 99999999999999999999999}', "after", 422, id="resume-overflow"),
    pytest.param('{"type": "resume", "after": -1}', "after", 422, id="resume-negative"),
    pytest.param('{"type": "search", "q": ""}', "q", 422, id="empty-search"),
    pytest.param('{"type": "search", "q": "' + "x" * 70_000 + '"}', "larger than", 413, id="frame-over-64k"),
    pytest.param('{"type": ["utterance"]}', "unknown message type", 422, id="type-not-a-string"),
    pytest.param('{"text": "hallo", "speaker": "caller", "final": "vielleicht"}', "final", 422, id="final-not-bool"),
    pytest.param("null", "JSON object", 422, id="null"),
]


@pytest.mark.unit
@pytest.mark.parametrize(("message", "fragment", "status"), MALFORMED)
def test_every_malformed_message_gets_an_error_and_the_socket_stays_open(
    client: TestClient, message: str, fragment: str, status: int
) -> None:
    call = open_call(client)
    with client.websocket_connect(f"/ws/calls/{call['call_id']}", headers=AUTH) as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_text(message)
        error = receive_until(ws, "error")
        assert fragment in error["message"] and error["status"] == status
        ws.send_json({"type": "ping", "ref": 1})
        assert receive_until(ws, "pong")["ref"] == 1


@pytest.mark.unit
def test_an_utterance_with_a_lone_surrogate_is_422_over_http(client: TestClient) -> None:
    call = open_call(client)
    body = b'{"speaker": "caller", "text": "Sperrm\\u00fcll \\udc80"}'
    response = client.post(
        f"/api/calls/{call['call_id']}/utterances", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422 and response.json()["detail"].startswith("text:")


@pytest.mark.unit
def test_a_non_utf8_body_is_422(client: TestClient) -> None:
    response = client.post(
        "/api/calls", content=b'{"city": "\xff"}', headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 422


@pytest.mark.unit
def test_an_out_of_range_after_gets_an_error_and_every_event(client: TestClient) -> None:
    call = open_call(client)
    client.post(f"/api/calls/{call['call_id']}/utterances", json={"speaker": "caller", "text": "hallo"}, headers=AUTH)
    with client.websocket_connect(f"/ws/calls/{call['call_id']}?after=99999999999999999999999", headers=AUTH) as ws:
        ws.receive_json()
        assert "after" in receive_until(ws, "error")["message"]
        assert receive_until(ws, "transcript")["seq"] == 1


@pytest.mark.unit
def test_the_token_as_subprotocol_opens_the_sidebar_socket(client: TestClient) -> None:
    call = open_call(client)
    protocols = ["souffleur", f"souffleur.token.{sidebar_token(call)}"]
    with client.websocket_connect(f"/ws/calls/{call['call_id']}", subprotocols=protocols) as ws:
        assert ws.accepted_subprotocol == "souffleur"
        assert ws.receive_json()["role"] == "sidebar"


@pytest.mark.unit
@pytest.mark.parametrize("case", ["wrong-token", "no-token", "other-calls-token", "unknown-call"])
def test_bad_tokens_and_unknown_calls_are_closed_after_accepting(client: TestClient, case: str) -> None:
    first, second = open_call(client), open_call(client)
    target, protocols = second["call_id"], ["souffleur"]
    if case == "wrong-token":
        protocols.append("souffleur.token.wrong")
    elif case == "other-calls-token":
        protocols.append(f"souffleur.token.{sidebar_token(first)}")
    elif case == "unknown-call":
        target, protocols = "nope", [*protocols, f"souffleur.token.{TOKEN}"]
    with client.websocket_connect(f"/ws/calls/{target}", subprotocols=protocols) as ws:
        assert ws.accepted_subprotocol == "souffleur"  # accepted: a browser sees the close code
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == (4404 if case == "unknown-call" else 1008)


@pytest.mark.unit
def test_empty_call_id_in_search_is_a_clear_422(client: TestClient) -> None:
    response = client.get("/api/search?q=perso&city=duisburg&call_id=", headers=AUTH)
    assert response.status_code == 422 and "call_id" in response.json()["detail"]


@pytest.mark.unit
def test_without_a_token_unknown_and_existing_calls_look_the_same(client: TestClient) -> None:
    call = open_call(client)
    assert client.get(f"/api/calls/{call['call_id']}").status_code == 401
    assert client.get("/api/calls/does-not-exist").status_code == 401
    assert client.get("/api/calls/does-not-exist", headers=AUTH).status_code == 404
    assert client.get("/api/calls/does-not-exist", headers={"X-Call-Token": sidebar_token(call)}).status_code == 401


@pytest.mark.unit
def test_openapi_declares_the_security_schemes_and_error_bodies(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert {"HTTPBearer", "APIKeyHeader"} <= {s.split("-")[0] for s in schemes} | set(schemes)
    gaps = spec["paths"]["/api/gaps"]["get"]["responses"]
    assert {"200", "401", "422", "503"} <= set(gaps)
    assert gaps["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    assert "401" in spec["paths"]["/metrics"]["get"]["responses"]
