"""Shared fixtures (test knowledge base, fake encoder, demo index) and the tier rules: every test is
``unit`` or ``integration``, and unit tests start no subprocess and load no real model."""

from __future__ import annotations

import multiprocessing.util
import os
import platform
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from assistant.settings import Settings
from assistant.wiring import make_encoder
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from embeddings.encoders.encoder import Encoder
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder
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


# A module whose ``pytestmark`` is ``integration`` holds integration tests only (a test cannot be both).
INTEGRATION_MODULE = re.compile(r"^pytestmark\s*=\s*\[?\s*pytest\.mark\.integration\b", re.MULTILINE)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Under ``-m unit``, skip importing the integration-only modules: none of their tests would be
    selected, and their imports (browsers, schemathesis, servers) cost seconds of every unit run.
    The integration tier (``-m "not unit"``) collects them, so the marker rules below still see them."""
    if config.getoption("markexpr", "").strip() != "unit" or collection_path.suffix != ".py":
        return None
    if collection_path.name.startswith("test_") and INTEGRATION_MODULE.search(collection_path.read_text("utf-8")):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test is either a unit test or an integration test; ``slow`` only goes with ``integration``."""

    def marked(item: pytest.Item, name: str) -> bool:
        return item.get_closest_marker(name) is not None

    problems = {
        "tests without a unit/integration marker": [
            i.nodeid for i in items if not marked(i, "unit") and not marked(i, "integration")
        ],
        "tests marked both unit and integration": [
            i.nodeid for i in items if marked(i, "unit") and marked(i, "integration")
        ],
        "slow tests marked unit (make them fast or mark them integration)": [
            i.nodeid for i in items if marked(i, "unit") and marked(i, "slow")
        ],
    }
    found = [f"{what}: {', '.join(ids)}" for what, ids in problems.items() if ids]
    if found:
        raise pytest.UsageError("; ".join(found))


# ``platform.platform()`` (environment lines of reports) asks ``uname -p`` once per process; answer it
# now, before the unit-tier guard below refuses subprocesses.
platform.processor()


def _refuse_in_unit_tests(what: str) -> NoReturn:
    pytest.fail(f"a unit test {what}: mark it `integration` (docs/architecture.md, Testing)", pytrace=False)


@pytest.fixture(autouse=True)
def _unit_tier_guard(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Keep the unit tier honest: no subprocess (so no server, database cluster or browser), no real model.

    Every ``subprocess`` call (run, Popen, check_output, asyncio's) ends in ``Popen._execute_child``, a
    ``multiprocessing`` child started with "spawn" in ``multiprocessing.util.spawnv_passfds``;
    ``pytest.fail`` raises a BaseException, so code that catches ``Exception`` cannot swallow it.
    """
    if request.node.get_closest_marker("unit") is None:
        yield
        return

    def no_subprocess(*args: object, **kwargs: object) -> NoReturn:
        _refuse_in_unit_tests(f"started a subprocess {[a for a in args if not isinstance(a, subprocess.Popen)][:1]}")

    def no_model(*args: object, **kwargs: object) -> NoReturn:
        _refuse_in_unit_tests("loaded the real model (use the fake encoder, model `fake:64`)")

    monkeypatch.setattr(subprocess.Popen, "_execute_child", no_subprocess)
    monkeypatch.setattr(multiprocessing.util, "spawnv_passfds", no_subprocess)  # a "spawn" child process
    for name in ("system", "posix_spawn", "posix_spawnp", "fork"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, no_subprocess)
    monkeypatch.setattr(SentenceTransformerEncoder, "__init__", no_model)
    yield


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
