"""Which runtime embeds queries and passages: ``encoder.query_runtime`` and ``encoder.passage_runtime``
(auto, onnxruntime, openvino-bf16), and what a change of the passage runtime does to a saved index."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assistant.cli.main import short_lived_settings
from assistant.settings import Settings
from corpus.knowledge_base import load_knowledge_base
from embeddings.encoders import onnx_encoder
from embeddings.encoders.encoder import Runtime
from embeddings.encoders.onnx_encoder import chosen_runtime, model_fingerprint
from embeddings.index.index_store import open_index
from tests.test_index import SETTINGS, SpyEncoder

pytestmark = pytest.mark.unit


def test_auto_takes_bf16_where_openvino_can_run_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_encoder._OpenVinoSession, "available", staticmethod(lambda: None))
    for what in ("queries", "passages"):
        assert chosen_runtime("auto", "fp32", what) == "openvino-bf16"
        assert chosen_runtime("auto", "int8", what) == "onnxruntime", "bf16 runs only the fp32 export"
        assert chosen_runtime("onnxruntime", "fp32", what) == "onnxruntime"


def test_auto_falls_back_to_onnx_runtime_quietly_where_it_cannot(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(onnx_encoder._OpenVinoSession, "available", staticmethod(lambda: "this CPU has no bf16"))
    with caplog.at_level("INFO", logger=onnx_encoder.log.name):
        assert chosen_runtime("auto", "fp32", "queries") == "onnxruntime"
        assert chosen_runtime("auto", "fp32", "passages") == "onnxruntime"
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert chosen_runtime("openvino-bf16", "fp32") == "openvino-bf16", "an explicit choice is kept"


def test_a_short_lived_command_runs_auto_queries_on_onnx_runtime_and_keeps_the_passage_choice() -> None:
    assert Settings().encoder.query_runtime == "auto" and Settings().encoder.passage_runtime == "auto"
    assert short_lived_settings(Settings()).encoder.query_runtime == "onnxruntime"
    # The passage runtime is part of the index's fingerprint: `souffleur search` must choose as the server does.
    assert short_lived_settings(Settings()).encoder.passage_runtime == "auto"
    fp32 = Settings(encoder={"passage_runtime": "onnxruntime"})
    assert short_lived_settings(fp32).encoder.passage_runtime == "onnxruntime"
    explicit = Settings(encoder={"query_runtime": "openvino-bf16"})
    assert short_lived_settings(explicit).encoder.query_runtime == "openvino-bf16"
    assert short_lived_settings(Settings()).encoder.model == Settings().encoder.model


@pytest.mark.parametrize(
    ("flags", "why"),
    [("fpu sse avx512f avx512_bf16", None), ("fpu amx_tile amx_bf16", None), ("fpu sse avx2 avx512f", "no bf16")],
)
def test_the_bf16_check_reads_the_cpu_flags_without_importing_openvino(
    monkeypatch: pytest.MonkeyPatch, flags: str, why: str | None
) -> None:
    monkeypatch.setattr("importlib.util.find_spec", lambda name: object())
    monkeypatch.setattr(onnx_encoder, "_cpu_flags", lambda: frozenset(flags.split()))
    found = onnx_encoder._OpenVinoSession.available()
    assert found is None if why is None else why in str(found)
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    assert "not installed" in str(onnx_encoder._OpenVinoSession.available())


class RuntimeEncoder(SpyEncoder):
    """The fake encoder with the fingerprint an ONNX encoder of ``model`` has with this passage runtime."""

    def __init__(self, model: Path, passage_runtime: Runtime) -> None:
        super().__init__()
        fingerprint = model_fingerprint(model, "query: ", "passage: ", "fp32", passage_runtime)
        self.identity = dataclasses.replace(self.identity, fingerprint=fingerprint)


def test_passages_on_auto_rebuild_the_index_and_switching_back_reuses_the_cache(
    monkeypatch: pytest.MonkeyPatch, knowledge_dir: Path, tmp_path: Path
) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text('{"hidden_size": 64}')
    folder, kb = tmp_path / "idx", load_knowledge_base(knowledge_dir)
    fp32_passages = RuntimeEncoder(model, chosen_runtime("onnxruntime", "fp32", "passages"))
    built, _ = open_index(folder, kb, fp32_passages, SETTINGS)
    assert fp32_passages.embedded

    monkeypatch.setattr(onnx_encoder._OpenVinoSession, "available", staticmethod(lambda: None))
    bf16_passages = RuntimeEncoder(model, chosen_runtime("auto", "fp32", "passages"))  # bf16 units: bf16 passages
    assert bf16_passages.fingerprint != fp32_passages.fingerprint
    rebuilt, report = open_index(folder, kb, bf16_passages, SETTINGS)
    assert report is not None and report.full_rebuild and report.cached_passages == 0
    assert sorted(bf16_passages.embedded) == sorted(fp32_passages.embedded), "every passage embedded again"
    assert rebuilt.manifest.model_fingerprint == bf16_passages.fingerprint
    assert open_index(folder, kb, bf16_passages, SETTINGS)[1] is None, "then it serves as it is"

    back = RuntimeEncoder(model, chosen_runtime("onnxruntime", "fp32", "passages"))  # the setting set back
    assert back.fingerprint == fp32_passages.fingerprint
    again, report = open_index(folder, kb, back, SETTINGS)
    assert report is not None and report.embedded_passages == 0 and back.embedded == []
    assert again.manifest.model_fingerprint == fp32_passages.fingerprint and (again.vectors == built.vectors).all()
