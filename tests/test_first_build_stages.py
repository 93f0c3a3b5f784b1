"""`bench/first_build.py --stages`: a build's wall time split into stages from its profile (no build run here)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.unit

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def first_build(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))
    module = importlib.import_module("first_build")
    monkeypatch.delitem(sys.modules, "first_build")
    return module


def test_stages_add_up_to_the_wall_time(first_build: ModuleType) -> None:
    root = "/code/"
    cumulative = {
        (root + "assistant/cli/main.py", "index_command"): 30.0,
        (root + "assistant/wiring.py", "make_encoder"): 1.0,
        (root + "corpus/knowledge_base.py", "load_knowledge_base"): 0.25,
        (root + "corpus/passages.py", "split_all"): 0.5,
        (root + "embeddings/encoders/onnx_encoder.py", "encode_passages"): 25.0,
        (root + "embeddings/index/lexical_index.py", "build"): 1.25,
        (root + "embeddings/index/passage_index.py", "save"): 0.5,
        (root + "embeddings/index/dense_index.py", "build"): 9.0,  # another file's ``build``: not BM25
        (root + "corpus/passages.py", "count_tokens"): 0.4,  # inside ``split``: not counted twice
    }
    stages = first_build.stage_seconds(cumulative, total=32.0)
    assert stages == {
        "start": 2.0,
        "model load": 1.0,
        "knowledge base": 0.25,
        "split": 0.5,
        "forward passes": 25.0,
        "BM25": 1.25,
        "save": 0.5,
        "rest": 1.5,
    }
    assert sum(stages.values()) == pytest.approx(32.0)
    assert tuple(stages) == first_build.SHOWN


def test_a_stage_an_older_commit_lacks_counts_as_nothing(first_build: ModuleType) -> None:
    cumulative = {("/old/assistant/cli/main.py", "index_command"): 10.0, ("/old/x.py", "encode_passages"): 3.0}
    stages = first_build.stage_seconds(cumulative, total=11.0)
    assert stages["start"] == 1.0 and stages["forward passes"] == 0.0 and stages["rest"] == 10.0
