"""Shared set-up for API tests: a live service on the small test knowledge base and fake encoder."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.api.app import create_app
from assistant.settings import Settings
from tests.helpers import write_knowledge

TOKEN = "test-service-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def api_settings(knowledge_dir: Path, data_dir: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "knowledge_dir": knowledge_dir,
        "data_dir": data_dir,
        "encoder": {"model": "fake:64"},
        "api_token": TOKEN,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def app_client(root: Path, **overrides: object) -> Iterator[TestClient]:
    """The app with its service started, on the test knowledge base written into ``root``."""
    app = create_app(api_settings(write_knowledge(root / "knowledge"), root / "data", **overrides))
    with TestClient(app) as client:
        yield client
