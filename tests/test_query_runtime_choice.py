"""Which runtime embeds the queries: ``encoder.query_runtime`` (auto, onnxruntime, openvino-bf16)."""

from __future__ import annotations

import pytest

from assistant.cli.main import short_lived_settings
from assistant.settings import Settings
from embeddings.encoders import onnx_encoder
from embeddings.encoders.onnx_encoder import chosen_query_runtime

pytestmark = pytest.mark.unit


def test_auto_takes_bf16_where_openvino_can_run_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(onnx_encoder._OpenVinoSession, "available", staticmethod(lambda: None))
    assert chosen_query_runtime("auto", "fp32") == "openvino-bf16"
    assert chosen_query_runtime("auto", "int8") == "onnxruntime", "bf16 runs only the fp32 export"
    assert chosen_query_runtime("onnxruntime", "fp32") == "onnxruntime"


def test_auto_falls_back_to_onnx_runtime_quietly_where_it_cannot(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(onnx_encoder._OpenVinoSession, "available", staticmethod(lambda: "this CPU has no bf16"))
    with caplog.at_level("INFO", logger=onnx_encoder.log.name):
        assert chosen_query_runtime("auto", "fp32") == "onnxruntime"
    assert not [r for r in caplog.records if r.levelname == "WARNING"]
    assert chosen_query_runtime("openvino-bf16", "fp32") == "openvino-bf16", "an explicit choice is kept"


def test_a_short_lived_command_runs_auto_on_onnx_runtime_and_keeps_an_explicit_choice() -> None:
    assert Settings().encoder.query_runtime == "auto"
    assert short_lived_settings(Settings()).encoder.query_runtime == "onnxruntime"
    explicit = Settings(encoder={"query_runtime": "openvino-bf16"})
    assert short_lived_settings(explicit).encoder.query_runtime == "openvino-bf16"
    assert short_lived_settings(Settings()).encoder.model == Settings().encoder.model
