"""The OpenAPI document tells the truth: schemathesis drives the app in-process (ASGI) with the real
service and content tokens and seeded call ids, and checks not_a_server_error,
status_code_conformance and response_schema_conformance on every case."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from assistant.api.app import create_app
from tests.api_support import AUTH, api_settings
from tests.helpers import write_knowledge

pytestmark = pytest.mark.integration

CONTENT_TOKEN = "content-team-token-for-tests"
EXAMPLES_PER_OPERATION = 110  # 14 operations: more than 1,500 cases
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@dataclass
class Seeded:
    call_ids: list[str] = field(default_factory=list)
    sidebar_tokens: dict[str, str] = field(default_factory=dict)


# Built at import (cheap: no model, no index until the fixture starts the app), as schemathesis needs
# the schema at collection time.
_ROOT = Path(tempfile.mkdtemp(prefix="souffleur-openapi-"))
APP = create_app(api_settings(write_knowledge(_ROOT / "knowledge"), _ROOT / "data", content_token=CONTENT_TOKEN))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
SEEDED = Seeded()


@pytest.fixture(scope="module", autouse=True)
def _started_app() -> Iterator[None]:
    """Start the app (its service) and open three calls: two open, one ended."""
    with TestClient(APP) as client:
        calls = [client.post("/api/calls", json={"city": c}, headers=AUTH).json() for c in ("bottrop", "duisburg")]
        ended = client.post("/api/calls", json={"city": "dinslaken"}, headers=AUTH).json()
        client.post(f"/api/calls/{ended['call_id']}/end", headers=AUTH)
        calls.append(ended)
        SEEDED.call_ids[:] = [c["call_id"] for c in calls]
        SEEDED.sidebar_tokens.update({c["call_id"]: c["sidebar_url"].split("token=")[1] for c in calls})
        yield


def _pick(case: schemathesis.Case, options: list[str]) -> str:
    digest = hashlib.sha256(repr((case.path_parameters, case.query, case.body)).encode()).digest()
    return options[digest[0] % len(options)]


@pytest.mark.slow
@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_matches_its_openapi_document(case: schemathesis.Case) -> None:
    headers: dict[str, str] = {}
    call_id = None
    if case.path_parameters and "call_id" in case.path_parameters:
        call_id = _pick(case, [*SEEDED.call_ids, str(case.path_parameters["call_id"])])  # seeded ids, sometimes unknown
        case.path_parameters["call_id"] = call_id
    if case.query and case.query.get("call_id") is not None:
        call_id = _pick(case, [*SEEDED.call_ids, str(case.query["call_id"])])
        case.query["call_id"] = call_id
    role = _pick(case, ["service", "service", "sidebar", "content", "none"])
    if role == "service":
        headers.update(AUTH)
    elif role == "sidebar" and call_id in SEEDED.sidebar_tokens:
        headers["X-Call-Token"] = SEEDED.sidebar_tokens[call_id]
    elif role == "content" or case.path.startswith("/api/gaps"):
        headers["X-Content-Token"] = CONTENT_TOKEN
    case.call_and_validate(headers=headers, checks=CHECKS, timeout=120)
