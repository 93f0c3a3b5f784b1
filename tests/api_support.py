"""Shared set-up for API tests: a live service on the small test knowledge base and fake encoder."""

from __future__ import annotations

from pathlib import Path

from assistant.settings import Settings

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
