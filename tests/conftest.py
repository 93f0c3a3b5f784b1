from __future__ import annotations

from pathlib import Path

import pytest

from assistant.settings import Settings
from assistant.wiring import make_encoder
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from embeddings.encoders.encoder import Encoder
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.index_store import refresh_index
from tests.helpers import write_knowledge

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared"
DEMO_KNOWLEDGE = PROJECT_ROOT / "demo" / "knowledge"


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    return write_knowledge(tmp_path / "knowledge")


@pytest.fixture
def knowledge_base(knowledge_dir: Path) -> KnowledgeBase:
    return load_knowledge_base(knowledge_dir)


@pytest.fixture
def fake_encoder() -> HashingFakeEncoder:
    return HashingFakeEncoder(dimension=64)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test must say whether it is a fast unit test or an integration test."""
    unmarked = [i.nodeid for i in items if not any(i.get_closest_marker(m) for m in ("unit", "integration"))]
    if unmarked:
        raise pytest.UsageError("tests without a unit/integration marker: " + ", ".join(unmarked))


@pytest.fixture(scope="session")
def demo_encoder() -> Encoder:
    """The real default model (integration tests only)."""
    return make_encoder(Settings())


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory: pytest.TempPathFactory, demo_encoder: Encoder) -> Settings:
    """Settings whose data folder holds the demo index, built once per test session."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("demo-data"), knowledge_dir=DEMO_KNOWLEDGE)
    refresh_index(settings.index_dir, load_knowledge_base(DEMO_KNOWLEDGE), demo_encoder, settings.index_settings())
    return settings
