"""Integration: the ONNX Runtime export of the default model against the torch model it came from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.settings import Settings
from assistant.wiring import make_encoder
from embeddings.encoders.default_model import MIN_COSINE, PROBE_TEXTS, ensure_default_model
from embeddings.encoders.encoder import Runtime
from embeddings.encoders.onnx_encoder import OnnxEncoder, export_onnx
from embeddings.encoders.sentence_transformer_encoder import SentenceTransformerEncoder

pytestmark = pytest.mark.integration

TEXTS = [
    *PROBE_TEXTS,
    "ich muss meinen sperrmüll anmelden wie geht das",
    "Welche Unterlagen brauche ich für die Ummeldung nach einem Umzug innerhalb der Stadt?",
    "hallo",
]


@pytest.fixture(scope="module")
def model_folder() -> Path:
    folder = ensure_default_model(Settings().encoder.cache_dir)
    export_onnx(folder)  # once; later runs find the marker
    return folder


@pytest.fixture(scope="module")
def torch_encoder(model_folder: Path) -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder(str(model_folder))


def test_fp32_export_reproduces_torch(model_folder: Path, torch_encoder: SentenceTransformerEncoder) -> None:
    onnx = OnnxEncoder(model_folder, "fp32")
    queries = np.sum(onnx.encode_queries(TEXTS) * torch_encoder.encode_queries(TEXTS), axis=1)
    passages = np.sum(onnx.encode_passages(TEXTS) * torch_encoder.encode_passages(TEXTS), axis=1)
    assert float(min(queries.min(), passages.min())) >= MIN_COSINE
    assert onnx.fingerprint == torch_encoder.fingerprint  # an index built by either serves both
    assert onnx.dimension == torch_encoder.dimension and onnx.max_tokens == torch_encoder.max_tokens
    for text in TEXTS:
        assert onnx.count_tokens(text) == torch_encoder.count_tokens(text)


def test_int8_export_stays_close_and_has_its_own_fingerprint(
    model_folder: Path, torch_encoder: SentenceTransformerEncoder
) -> None:
    int8 = OnnxEncoder(model_folder, "int8")
    cosines = np.sum(int8.encode_queries(TEXTS) * torch_encoder.encode_queries(TEXTS), axis=1)
    assert float(cosines.min()) >= 0.98
    assert int8.fingerprint != torch_encoder.fingerprint


def test_onnx_backend_loads_without_torch(model_folder: Path) -> None:
    code = (
        "import sys\n"
        "from assistant.settings import Settings\n"
        "from assistant.wiring import make_encoder\n"
        "e = make_encoder(Settings(encoder={'backend': 'onnx-int8'}))\n"
        "e.encode_queries(['perso abgelaufen'])\n"
        "print(type(e).__name__, 'torch' in sys.modules)\n"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["OnnxEncoder", "False"]


def test_settings_pick_the_backend(model_folder: Path) -> None:
    assert isinstance(make_encoder(Settings(encoder={"backend": "onnx"})), OnnxEncoder)
    assert isinstance(make_encoder(Settings(encoder={"backend": "torch"})), SentenceTransformerEncoder)


def test_openvino_bf16_passages_stay_close_and_have_their_own_fingerprint(model_folder: Path) -> None:
    from embeddings.encoders.onnx_encoder import _OpenVinoSession

    if why := _OpenVinoSession.available():
        pytest.skip(why)
    fp32 = OnnxEncoder(model_folder, "fp32")
    bf16 = OnnxEncoder(model_folder, "fp32", passage_runtime="openvino-bf16")
    assert bf16.passage_runtime == "openvino-bf16" and bf16.fingerprint != fp32.fingerprint
    cosines = np.sum(fp32.encode_passages(TEXTS) * bf16.encode_passages(TEXTS), axis=1)
    assert cosines.min() >= MIN_COSINE
    assert np.array_equal(fp32.encode_queries(TEXTS), bf16.encode_queries(TEXTS))  # queries stay on ONNX Runtime


def test_openvino_bf16_queries_stay_close_and_keep_the_index(model_folder: Path) -> None:
    from embeddings.encoders.onnx_encoder import _OpenVinoSession

    if why := _OpenVinoSession.available():
        pytest.skip(why)
    fp32 = OnnxEncoder(model_folder, "fp32")
    bf16 = OnnxEncoder(model_folder, "fp32", query_runtime="openvino-bf16")
    assert bf16.query_runtime == "openvino-bf16" and bf16.fingerprint == fp32.fingerprint  # same passages
    cosines = np.sum(fp32.encode_queries(TEXTS) * bf16.encode_queries(TEXTS), axis=1)
    assert cosines.min() >= MIN_COSINE
    assert np.array_equal(fp32.encode_passages(TEXTS), bf16.encode_passages(TEXTS))  # passages stay on ONNX Runtime


def test_the_default_query_runtime_is_bf16_where_the_cpu_has_it_and_onnx_runtime_for_one_search() -> None:
    from assistant.cli.main import short_lived_settings
    from embeddings.encoders.onnx_encoder import _OpenVinoSession

    expected = "onnxruntime" if _OpenVinoSession.available() else "openvino-bf16"
    served = make_encoder(Settings())
    assert isinstance(served, OnnxEncoder) and served.query_runtime == expected
    assert served.passage_runtime == expected  # passages in bf16 where the CPU has it (round 12)
    fp32 = make_encoder(Settings(encoder={"passage_runtime": "onnxruntime"}))
    assert isinstance(fp32, OnnxEncoder) and fp32.passage_runtime == "onnxruntime"
    searched_fp32 = make_encoder(short_lived_settings(Settings(encoder={"passage_runtime": "onnxruntime"})))
    assert searched_fp32.fingerprint == fp32.fingerprint  # a search chooses the passages' runtime as the server does
    searched = make_encoder(short_lived_settings(Settings()))
    assert isinstance(searched, OnnxEncoder) and searched.query_runtime == "onnxruntime"
    assert searched.fingerprint == served.fingerprint  # the same index either way


def test_the_cpu_flag_check_agrees_with_openvino() -> None:
    """``_OpenVinoSession.available`` reads /proc/cpuinfo instead of importing OpenVINO; OpenVINO must
    see bf16 units exactly where the flags name them, or a server and a search could choose different
    passage runtimes (and index fingerprints)."""
    from embeddings.encoders.onnx_encoder import BF16_CPU_FLAGS, _cpu_flags

    ov = pytest.importorskip("openvino")
    flags = _cpu_flags()
    if flags is None:
        pytest.skip("no /proc/cpuinfo flags here")
    assert bool(flags & BF16_CPU_FLAGS) == ("BF16" in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"))


@pytest.mark.parametrize("runtime", ["onnxruntime", "openvino-bf16"])
def test_passages_in_passes_side_by_side_are_those_of_one_pass_at_a_time(model_folder: Path, runtime: Runtime) -> None:
    """Passages run in passes side by side, one thread each, one per core (round 7): the same vectors,
    bit for bit and in the same order, as one pass at a time."""
    from embeddings.encoders.onnx_encoder import _OpenVinoSession

    if runtime != "onnxruntime" and (why := _OpenVinoSession.available()):
        pytest.skip(why)
    encoder = OnnxEncoder(model_folder, "fp32", threads=2, batch_size=2, passage_runtime=runtime)
    assert encoder._passage_session().parallel == 2
    texts = [f"{text} {i}" for i, text in enumerate(TEXTS * 3)]
    one = encoder._encode(texts, "passage: ", encoder._session(runtime, 2, 1))
    ticks: list[int] = []
    assert np.array_equal(encoder.encode_passages(texts, progress=ticks.append), one)
    assert sum(ticks) == len(texts)


def test_openvino_queries_run_in_two_passes_side_by_side_with_the_same_vectors(model_folder: Path) -> None:
    """OpenVINO queries run up to two passes side by side, one thread each (round 7: a turn's window and
    gist, the worker's length buckets); the vectors are bit for bit those of one pass at a time, and the
    warm-up prepares each stream."""
    from embeddings.encoders.onnx_encoder import _OpenVinoSession

    if why := _OpenVinoSession.available():
        pytest.skip(why)
    encoder = OnnxEncoder(model_folder, "fp32", threads=2, query_runtime="openvino-bf16")
    assert encoder._query_key() == ("openvino-bf16", 1, 2)
    assert OnnxEncoder(model_folder, "fp32", threads=1, query_runtime="openvino-bf16")._query_key() == (
        "openvino-bf16",
        1,
        1,
    )
    texts = ["kurz", *(f"{text} {i}" for i, text in enumerate(TEXTS * 2))]  # several lengths: several passes
    one = encoder._encode(texts, "query: ", encoder._session("openvino-bf16", 1, 1))
    assert np.array_equal(encoder.encode_queries(texts), one)


def test_openvino_short_queries_in_one_filled_pass_have_the_vectors_they_have_alone(model_folder: Path) -> None:
    """Round 8: three to seven gists of one padded width run as one pass filled up to a power of two
    texts (``forward_passes``), not in power-of-two parts; a text's row does not depend on the others."""
    from embeddings.encoders.onnx_encoder import _OpenVinoSession

    if why := _OpenVinoSession.available():
        pytest.skip(why)
    encoder = OnnxEncoder(model_folder, "fp32", threads=2, query_runtime="openvino-bf16")
    gists = ["reisepass abgelaufen", "sperrmüll anmelden sofa", "hundesteuer abmelden", "wohnung ummelden"]
    gists += ["personalausweis kind", "parkausweis anwohner", "kita platz"]
    alone = np.concatenate([encoder.encode_queries([g]) for g in gists])
    for count in (3, 5, 7):
        assert np.array_equal(encoder.encode_queries(gists[:count]), alone[:count])


def test_an_index_build_loads_no_query_session_and_lets_the_passage_session_go(model_folder: Path) -> None:
    """`souffleur index` embeds no query: no session at start; the passage session (one per core)
    is let go after the passages, while a server's query session stays, also where queries and passages
    run alike (bf16 on both: the query session does not take on the memory of the passages' shapes)."""
    builder = OnnxEncoder(model_folder, "fp32", threads=2, embeds_queries=False)
    assert builder._sessions == {}
    vectors = builder.encode_passages(TEXTS)
    assert vectors.shape == (len(TEXTS), builder.dimension) and builder._sessions == {}
    server = OnnxEncoder(model_folder, "fp32", threads=2)
    assert list(server._sessions) == [("queries", *server._query_key())]
    assert np.array_equal(server.encode_passages(TEXTS), vectors)
    assert list(server._sessions) == [("queries", *server._query_key())]
    alike = OnnxEncoder(model_folder, "fp32", threads=2, passage_runtime="openvino-bf16", query_runtime="openvino-bf16")
    query_session = alike._query_session()
    alike.encode_passages(TEXTS)
    assert list(alike._sessions.values()) == [query_session]


def test_passages_run_at_most_four_passes_side_by_side(model_folder: Path) -> None:
    encoder = OnnxEncoder(model_folder, "fp32", threads=8, embeds_queries=False)
    assert encoder._passage_key() == ("onnxruntime", 2, 4)  # 8 threads: 4 passes of 2 threads
    assert OnnxEncoder(model_folder, "fp32", threads=3, embeds_queries=False)._passage_key() == ("onnxruntime", 1, 3)
