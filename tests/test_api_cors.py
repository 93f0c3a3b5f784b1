"""The API with CORS enabled: an allowed origin gets the CORS headers, any other origin none."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from assistant.api.app import create_app
from tests.api_support import AUTH, api_settings

pytestmark = pytest.mark.unit

ALLOWED = "https://agent.call-duisburg.example"
STRANGER = "https://evil.example"


@pytest.fixture
def client(knowledge_dir: Path, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(api_settings(knowledge_dir, tmp_path / "data", server={"cors_origins": [ALLOWED]}))
    with TestClient(app) as test_client:
        yield test_client


def preflight(client: TestClient, origin: str) -> dict[str, str]:
    response = client.options(
        "/api/calls",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    return {k.lower(): v for k, v in response.headers.items()}


def test_allowed_origin_gets_the_cors_headers(client: TestClient) -> None:
    headers = preflight(client, ALLOWED)
    assert headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in headers["access-control-allow-methods"]
    assert "authorization" in headers["access-control-allow-headers"].lower()
    response = client.post("/api/calls", json={"city": "bottrop"}, headers={**AUTH, "Origin": ALLOWED})
    assert response.status_code == 201
    assert response.headers["access-control-allow-origin"] == ALLOWED


def test_other_origins_get_no_cors_headers(client: TestClient) -> None:
    headers = preflight(client, STRANGER)
    assert "access-control-allow-origin" not in headers
    response = client.post("/api/calls", json={"city": "bottrop"}, headers={**AUTH, "Origin": STRANGER})
    assert response.status_code == 201  # CORS is the browser's check; the token still decides
    assert "access-control-allow-origin" not in response.headers


def test_without_configured_origins_no_origin_gets_cors_headers(knowledge_dir: Path, tmp_path: Path) -> None:
    with TestClient(create_app(api_settings(knowledge_dir, tmp_path / "data"))) as plain:
        assert "access-control-allow-origin" not in preflight(plain, ALLOWED)
        response = plain.get("/healthz", headers={"Origin": ALLOWED})
        assert "access-control-allow-origin" not in response.headers
