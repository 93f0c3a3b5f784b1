"""The gaps page API: content token, strict page policy, filter errors, production without a token."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.api.app import create_app
from assistant.live.call_service import CallService
from assistant.settings import Settings
from assistant.wiring import build_call_service
from tests.helpers import write_knowledge


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        encoder={"model": "fake:64"},
        knowledge_dir=write_knowledge(tmp_path / "knowledge"),
        data_dir=tmp_path / "data",
        gaps={"catalog_file": tmp_path / "none.csv"},
    )


@pytest.fixture
def service(settings: Settings, tmp_path: Path) -> CallService:
    service = build_call_service(settings, database_url=f"sqlite:///{tmp_path / 'calls.db'}")
    call = service.open_call(city="dinslaken").call
    service.utterance(call.id, "caller", "mein bibliotheksausweis ist abgelaufen, wie verlängere ich den")
    service.end_call(call.id)
    return service


def content_token(settings: Settings) -> str:
    return (settings.data_dir / "content-token").read_text().strip()


@pytest.mark.unit
def test_the_page_is_served_with_a_strict_policy_and_its_assets(settings: Settings, service: CallService) -> None:
    client = TestClient(create_app(settings, service))
    page = client.get("/gaps")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/static/gaps.js" defer></script>' in page.text and "<script>" not in page.text
    assert "Wissenslücken" in page.text and 'lang="de"' in page.text
    assert client.get("/static/gaps.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/static/gaps.css").headers["content-type"].startswith("text/css")
    script = client.get("/static/gaps.js").text
    assert "innerHTML" not in script and "X-Content-Token" in script and "sessionStorage" in script


@pytest.mark.unit
def test_the_data_needs_the_content_token(settings: Settings, service: CallService) -> None:
    client = TestClient(create_app(settings, service))
    token = content_token(settings)
    api_token = (settings.data_dir / "api-token").read_text().strip()
    assert client.get("/api/gaps").status_code == 401
    assert client.get("/api/gaps", headers={"X-Content-Token": "falsch"}).status_code == 401
    assert client.get("/api/gaps", headers={"X-Content-Token": api_token}).status_code == 401
    answer = client.get("/api/gaps", headers={"X-Content-Token": token})
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["topics"][0]["city"] == "dinslaken" and data["topics"][0]["city_name"] == "Dinslaken"
    assert data["cities"][0] == {"key": "duisburg", "name": "Duisburg"}
    assert set(data) >= {"health", "topic_asymmetries", "service_asymmetries", "missing_articles", "signals"}
    bearer = client.get("/api/gaps?city=duisburg&since=2020-01-01", headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200 and bearer.json()["topics"] == [] and bearer.json()["city"] == "duisburg"


@pytest.mark.unit
@pytest.mark.parametrize(("query", "message"), [("city=hamburg", "Unknown city"), ("since=gestern", "since")])
def test_bad_filters_are_422_with_a_reason(settings: Settings, service: CallService, query: str, message: str) -> None:
    client = TestClient(create_app(settings, service))
    answer = client.get(f"/api/gaps?{query}", headers={"X-Content-Token": content_token(settings)})
    assert answer.status_code == 422 and message in answer.json()["detail"]


@pytest.mark.unit
def test_production_without_a_content_token_switches_the_page_off(settings: Settings, service: CallService) -> None:
    production = settings.model_copy(update={"environment": "production", "api_token": SecretStr("dienst")})
    client = TestClient(create_app(production, service))
    page = client.get("/gaps")
    assert page.status_code == 503 and "nicht eingerichtet" in page.text
    assert client.get("/api/gaps", headers={"X-Content-Token": "x"}).status_code == 503
    assert not (settings.data_dir / "content-token").exists()
    configured = production.model_copy(update={"content_token": SecretStr("redaktion")})
    client = TestClient(create_app(configured, service))
    assert client.get("/api/gaps", headers={"X-Content-Token": "redaktion"}).status_code == 200
