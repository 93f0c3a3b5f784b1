"""A server that finds its index missing builds it in a child process (``build_index_apart``): the
build's memory leaves with the child, the server opens the finished index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from assistant import wiring
from assistant.settings import Settings
from assistant.wiring import build_call_service, build_index_apart, make_encoder
from corpus.knowledge_base import load_knowledge_base
from embeddings.index.index_store import open_index

pytestmark = [pytest.mark.integration]


def test_the_child_builds_the_index_and_reports_its_progress(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir)
    seen: list[tuple[int, int]] = []
    assert build_index_apart(settings, lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] > 0, "the child's progress reached the parent"
    kb = load_knowledge_base(knowledge_dir)
    index, report = open_index(settings.index_dir, kb, make_encoder(settings), settings.index_settings(), "fail")
    assert report is None and set(index.manifest.articles) == set(kb.articles), "current for this process"


def test_a_server_without_an_index_builds_it_apart_once(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Settings] = []

    def counted(settings: Settings, progress: Callable[[int, int], None] | None = None) -> bool:
        calls.append(settings)
        return build_index_apart(settings, progress)

    monkeypatch.setattr(wiring, "build_index_apart", counted)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir)
    for _ in range(2):  # the second start finds the index current
        service = build_call_service(settings, database_url="sqlite://")
        assert service.retriever.search("Hund anmelden", "bottrop", k=1)
        service.close()
    assert len(calls) == 1

    in_process = Settings(data_dir=tmp_path / "other", knowledge_dir=knowledge_dir, server={"build_index_apart": False})
    build_call_service(in_process, database_url="sqlite://").close()
    assert len(calls) == 1 and (in_process.index_dir / "CURRENT").is_file()


def test_when_the_child_fails_the_server_builds_the_index_itself(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed: list[bool] = []

    def child_failed(settings: Settings, progress: Callable[[int, int], None] | None = None) -> bool:
        failed.append(True)
        return False  # as a child that exited with an error, leaving no index

    monkeypatch.setattr(wiring, "build_index_apart", child_failed)
    settings = Settings(data_dir=tmp_path / "data", knowledge_dir=knowledge_dir)
    service = build_call_service(settings, database_url="sqlite://")
    assert failed == [True] and (settings.index_dir / "CURRENT").is_file()
    assert service.retriever.search("Hund anmelden", "bottrop", k=1)
    service.close()
