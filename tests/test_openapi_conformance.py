"""The OpenAPI document tells the truth: schemathesis drives the app in-process (ASGI) with the real
service and content tokens and seeded call ids, and checks not_a_server_error,
status_code_conformance and response_schema_conformance on every case."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from assistant.api.app import create_app
from tests.api_support import AUTH, api_settings
from tests.helpers import write_knowledge

CONTENT_TOKEN = "content-team-token-for-tests"
EXAMPLES_PER_OPERATION = 110  # 10 operations: more than 1,000 cases
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


def build_app(root: Path) -> tuple[FastAPI, TestClient, list[str], dict[str, str]]:
    knowledge = write_knowledge(root / "knowledge")
    app = create_app(api_settings(knowledge, root / "data", content_token=CONTENT_TOKEN))
    client = TestClient(app)
    client.__enter__()
    calls = [client.post("/api/calls", json={"city": c}, headers=AUTH).json() for c in ("bottrop", "duisburg")]
    ended = client.post("/api/calls", json={"city": "dinslaken"}, headers=AUTH).json()
    client.post(f"/api/calls/{ended['call_id']}/end", headers=AUTH)
    calls.append(ended)
    ids = [c["call_id"] for c in calls]
    sidebar = {c["call_id"]: c["sidebar_url"].split("token=")[1] for c in calls}
    return app, client, ids, sidebar


_ROOT = Path(__import__("tempfile").mkdtemp(prefix="souffleur-openapi-"))
APP, CLIENT, CALL_IDS, SIDEBAR_TOKENS = build_app(_ROOT)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _close_client() -> Iterator[None]:
    yield
    CLIENT.__exit__(None, None, None)


def _pick(case: schemathesis.Case, options: list[str]) -> str:
    digest = hashlib.sha256(repr((case.path_parameters, case.query, case.body)).encode()).digest()
    return options[digest[0] % len(options)]


@pytest.mark.integration
@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_matches_its_openapi_document(case: schemathesis.Case) -> None:
    headers: dict[str, str] = {}
    call_id = None
    if case.path_parameters and "call_id" in case.path_parameters:
        call_id = _pick(case, [*CALL_IDS, str(case.path_parameters["call_id"])])  # seeded ids, sometimes unknown
        case.path_parameters["call_id"] = call_id
    if case.query and case.query.get("call_id") is not None:
        call_id = _pick(case, [*CALL_IDS, str(case.query["call_id"])])
        case.query["call_id"] = call_id
    role = _pick(case, ["service", "service", "sidebar", "content", "none"])
    if role == "service":
        headers.update(AUTH)
    elif role == "sidebar" and call_id in SIDEBAR_TOKENS:
        headers["X-Call-Token"] = SIDEBAR_TOKENS[call_id]
    elif role == "content" or case.path == "/api/gaps":
        headers["X-Content-Token"] = CONTENT_TOKEN
    case.call_and_validate(headers=headers, checks=CHECKS, timeout=120)
