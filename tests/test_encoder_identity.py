"""One implementation of the encoders' identity (model id, fingerprint, dimension, token limit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from embeddings.encoders.encoder import Encoder, EncoderIdentity, IdentifiedEncoder
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.encoders.inference_worker import InferenceWorker
from embeddings.encoders.onnx_encoder import OnnxEncoder, model_fingerprint
from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder

pytestmark = pytest.mark.unit


def test_the_fake_encoder_keeps_its_identity() -> None:
    # The values of the hand-written properties this replaced: index manifests of fake indexes still match.
    assert EncoderIdentity.of(HashingFakeEncoder(64)) == EncoderIdentity("fake-hashing-64", "67aba57099521595", 64, 512)
    assert HashingFakeEncoder(32).fingerprint == "f762a95ecbece23b"
    assert HashingFakeEncoder(16, max_tokens=100, seed="x").fingerprint == "a5a6d5b1f88e5a6a"


def test_the_worker_answers_with_its_encoders_identity() -> None:
    encoder = HashingFakeEncoder(48, max_tokens=128)
    with InferenceWorker(encoder) as worker:
        assert isinstance(worker, Encoder)
        assert worker.identity == EncoderIdentity.of(encoder)
        assert (worker.model_id, worker.fingerprint, worker.dimension, worker.max_tokens) == (
            encoder.model_id,
            encoder.fingerprint,
            48,
            128,
        )
        assert worker.encode_queries([]).shape == (0, 48) == worker.no_vectors().shape


@pytest.mark.parametrize("encoder", [HashingFakeEncoder, OnnxEncoder, SentenceTransformerEncoder, InferenceWorker])
def test_every_encoder_takes_its_identity_from_the_one_base(encoder: type[object]) -> None:
    assert issubclass(encoder, IdentifiedEncoder)
    assert {"model_id", "fingerprint", "dimension", "max_tokens"}.isdisjoint(vars(encoder))


def test_passages_from_another_runtime_make_an_index_of_their_own(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text("{}")
    fp32 = model_fingerprint(tmp_path, "query: ", "passage: ", "fp32")
    assert fp32 == model_fingerprint(tmp_path, "query: ", "passage: ", "fp32", "onnxruntime")
    bf16 = model_fingerprint(tmp_path, "query: ", "passage: ", "fp32", "openvino-bf16")
    assert len({fp32, bf16, model_fingerprint(tmp_path, "query: ", "passage: ", "int8")}) == 3


def test_openvino_falls_back_to_onnx_runtime_where_it_cannot_run(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from embeddings.encoders import onnx_encoder

    monkeypatch.setattr(onnx_encoder._OpenVinoSession, "available", staticmethod(lambda: "openvino is not installed"))
    with caplog.at_level("WARNING", logger="souffleur.onnx"):
        assert onnx_encoder.usable_runtime("openvino-bf16", "fp32", "queries") == "onnxruntime"
    assert "queries stay on ONNX Runtime: openvino is not installed" in caplog.text
    monkeypatch.setattr(onnx_encoder._OpenVinoSession, "available", staticmethod(lambda: None))
    assert onnx_encoder.usable_runtime("openvino-bf16", "fp32", "passages") == "openvino-bf16"
    assert onnx_encoder.usable_runtime("openvino-bf16", "int8", "passages") == "onnxruntime"  # fp32 export only
    assert onnx_encoder.usable_runtime("onnxruntime", "int8", "queries") == "onnxruntime"


def test_releasing_mapped_pages_keeps_the_data(tmp_path: Path) -> None:
    import mmap

    from embeddings.encoders.onnx_encoder import release_mapped_pages

    weights = tmp_path / "model.bin"
    data = bytes(range(256)) * 4096 * 4  # 4 MiB
    weights.write_bytes(data)
    with weights.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        assert mapped[:] == data  # every page touched
        assert release_mapped_pages(weights) >= len(data)  # the read-only shared mapping was advised
        assert mapped[:] == data  # read back from the file
    assert release_mapped_pages(tmp_path / "not-mapped.bin") == 0


@pytest.mark.parametrize("size", [0, 1, 2, 3, 7, 8, 13, 16, 31, 32])
def test_a_batch_runs_in_power_of_two_parts(size: int) -> None:
    from embeddings.encoders.onnx_encoder import power_of_two_parts

    batch = list(range(100, 100 + size))
    parts = power_of_two_parts(batch)
    assert [i for part in parts for i in part] == batch  # every item once, in order
    lengths = [len(part) for part in parts]
    assert all(n & (n - 1) == 0 for n in lengths) and lengths == sorted(set(lengths), reverse=True)


def _tiny_onnx_export(folder: Path) -> None:
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["y"])],
        "tiny",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    )
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(folder / "model.onnx"))


def test_the_openvino_copy_is_written_once(tmp_path: Path) -> None:
    pytest.importorskip("openvino")
    from embeddings.encoders.onnx_encoder import openvino_ir

    _tiny_onnx_export(tmp_path)
    written = openvino_ir(tmp_path)
    assert written == tmp_path / "openvino" / "model.xml" and written.with_suffix(".bin").is_file()
    assert sorted(p.name for p in written.parent.iterdir()) == ["model.bin", "model.xml"]  # no partial folder left
    stamp = written.stat().st_mtime_ns
    assert openvino_ir(tmp_path) == written and written.stat().st_mtime_ns == stamp  # not written again


def test_an_unwritable_model_folder_compiles_from_the_onnx_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    pytest.importorskip("openvino")
    from embeddings.encoders import onnx_encoder

    _tiny_onnx_export(tmp_path)

    def refuse(**_kwargs: object) -> str:
        raise PermissionError("read-only file system")

    monkeypatch.setattr(onnx_encoder.tempfile, "mkdtemp", refuse)
    with caplog.at_level("WARNING", logger="souffleur.onnx"):
        assert onnx_encoder.openvino_ir(tmp_path) == tmp_path / "model.onnx"
    assert "cannot write the OpenVINO copy" in caplog.text
    assert not (tmp_path / "openvino" / "model.xml").exists()
