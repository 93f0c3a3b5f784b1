"""The fast encoder: a sentence-transformers folder exported once to ONNX and run with ONNX Runtime.

``export_onnx`` (called by ``souffleur model prepare``, needs torch) writes ``model.onnx`` (fp32) and
``model-int8.onnx`` (dynamic int8 weights) into a folder next to the model folder, verifies the fp32
graph against the torch model (cosine >= ``MIN_COSINE`` on probe texts) and records the result in a
marker file. ``OnnxEncoder`` loads that folder with ``tokenizers`` and ``onnxruntime`` only: no torch,
no transformers, so a process that uses it starts in about a second and stays small.

Pooling (mean or CLS, as the model's ``1_Pooling/config.json`` says) and L2 normalization run in numpy.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import hashlib
import importlib.util
import json
import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np

from embeddings.encoders.compact_tokenizer import (
    CompactTokenizer,
    UnsupportedTokenizerError,
    compact_tokenizer_ready,
    prepare_compact_tokenizer,
)
from embeddings.encoders.default_model import MIN_COSINE, PROBE_TEXTS
from embeddings.encoders.encoder import (
    EncoderIdentity,
    IdentifiedEncoder,
    PassageRuntime,
    ProgressCallback,
    QueryRuntime,
    Runtime,
    RuntimeChoice,
    Vectors,
)
from embeddings.encoders.sentence_transformer_encoder import folder_fingerprint

OnnxVariant = Literal["fp32", "int8"]
ONNX_MARKER = "souffleur-onnx.json"
_FILES: dict[OnnxVariant, str] = {"fp32": "model.onnx", "int8": "model-int8.onnx"}
_MAPPED_FILES: dict[OnnxVariant, str] = {"fp32": "model.mapped.onnx", "int8": "model-int8.mapped.onnx"}
PADDING_SLACK = 1.25  # a forward pass holds texts up to this many times its shortest one's tokens ...
PADDING_ALLOWANCE = 8  # ... plus this many


log = logging.getLogger("souffleur.onnx")
# Query lengths whose OpenVINO kernels are prepared at start: a concern window (40 words) stays below.
WARM_QUERY_TOKENS = 128
MAX_PARALLEL_PASSES = 4  # passages: passes side by side at most (on more cores, more threads per pass)
MAX_PARALLEL_QUERY_PASSES = 2  # OpenVINO queries: passes side by side at most (measured on two cores)
# OpenVINO: a pass of at most this many tokens (texts x padded width) costs less than the power-of-two
# parts it replaces (the weights are read once per pass whatever it holds; round 8, `docs/inference.md`,
# `bench/pass_cost.py`), so a group of short texts runs as one pass filled up to a power of two texts.
SMALL_PASS_TOKENS = 128


class OnnxModelMissingError(FileNotFoundError):
    """The ONNX export of a model is not there yet (run ``souffleur model prepare``)."""


@dataclass(frozen=True)
class OnnxExportReport:
    folder: Path
    min_cosine_fp32: float
    min_cosine_int8: float
    seconds: float


def onnx_folder(model_folder: Path) -> Path:
    """Where the export of ``model_folder`` lives: a sibling folder, so the model's fingerprint is untouched."""
    return model_folder.with_name(model_folder.name + "-onnx")


def model_file(folder: Path, variant: OnnxVariant) -> Path:
    """The graph to load: the copy with its weights in a separate file when there is one (ONNX Runtime
    maps that file into memory instead of reading it onto the heap: a 470 MB fp32 export then costs
    the pages that are used, mostly of the embedding table's rows of common tokens, and loads in a
    third of the time; same weights, same outputs), else the export itself."""
    mapped = folder / _MAPPED_FILES[variant]
    if mapped.is_file() and (folder / (_MAPPED_FILES[variant] + ".data")).is_file():
        return mapped
    return folder / _FILES[variant]


def write_mapped_copies(folder: Path) -> list[Path]:
    """For each export in ``folder`` without one, a copy whose weights are in ``<name>.data``."""
    import onnx

    written = []
    for variant, name in _FILES.items():
        source, target = folder / name, folder / _MAPPED_FILES[variant]
        data = folder / (_MAPPED_FILES[variant] + ".data")
        if not source.is_file() or (target.is_file() and data.is_file()):
            continue
        partial = folder / f".{target.name}.partial"
        model = onnx.load(str(source))
        onnx.save_model(
            model,
            str(partial),
            save_as_external_data=True,
            all_tensors_to_one_file=True,
            location=data.name,
            size_threshold=1024,
        )
        partial.replace(target)  # the data file is complete before the graph that names it appears
        written.append(target)
    return written


def onnx_ready(model_folder: Path) -> bool:
    return (onnx_folder(model_folder) / ONNX_MARKER).is_file()


def _prompts(model_folder: Path) -> tuple[str, str]:
    config = model_folder / "config_sentence_transformers.json"
    prompts: dict[str, str] = json.loads(config.read_text()).get("prompts", {}) if config.is_file() else {}
    return prompts.get("query", ""), prompts.get("passage", prompts.get("document", ""))


def _pooling_mode(model_folder: Path) -> Literal["mean", "cls"]:
    config = model_folder / "1_Pooling" / "config.json"
    if config.is_file() and json.loads(config.read_text()).get("pooling_mode_cls_token"):
        return "cls"
    return "mean"


def _max_tokens(model_folder: Path) -> int:
    config = model_folder / "sentence_bert_config.json"
    if config.is_file():
        return int(json.loads(config.read_text()).get("max_seq_length") or 512)
    return 512


def model_fingerprint(
    model_folder: Path,
    query_prompt: str,
    passage_prompt: str,
    variant: OnnxVariant,
    passage_runtime: PassageRuntime = "onnxruntime",
) -> str:
    """The fp32 export computes the torch model's vectors (cosine >= 0.999), so it shares its fingerprint;
    int8 vectors differ more, so an int8 index is its own. Passages embedded by OpenVINO in bf16 are
    close (cosine >= 0.9999 measured) but not the same numbers: such an index (and its vector cache)
    is its own too."""
    base = folder_fingerprint(model_folder)
    suffix = "" if variant == "fp32" else "|onnx-int8"
    if passage_runtime != "onnxruntime":
        suffix += f"|passages:{passage_runtime}"
    return hashlib.sha256(f"{base}|{query_prompt}|{passage_prompt}{suffix}".encode()).hexdigest()[:16]


OPENVINO_IR = "openvino"  # folder of the export with the fp32 graph in OpenVINO's own format


def openvino_ir(folder: Path) -> Path:
    """The fp32 export as OpenVINO IR (``model.xml`` + ``model.bin``), written on first use: OpenVINO
    maps the ``.bin`` into memory (weights as shared, file-backed pages, like the mapped ONNX copy)
    and compiles it in about a second, where reading the ONNX file takes several."""
    import openvino as ov

    target = folder / OPENVINO_IR / "model.xml"
    if target.is_file() and target.with_suffix(".bin").is_file():
        return target
    model = ov.Core().read_model(str(folder / _FILES["fp32"]))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        # A folder of its own per writer: two processes may convert at once; the last rename wins.
        partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=target.parent))
        try:
            ov.save_model(model, str(partial / "model.xml"), compress_to_fp16=False)
            (partial / "model.bin").replace(target.with_suffix(".bin"))
            (partial / "model.xml").replace(target)  # the weights are complete before the graph that names them
        finally:
            shutil.rmtree(partial, ignore_errors=True)
    except OSError as exc:  # a read-only model folder: compile from the ONNX file every time
        log.warning("cannot write the OpenVINO copy of the export (%s); reading model.onnx instead", exc)
        return folder / _FILES["fp32"]
    return target


_MADV_PAGEOUT = 21  # Linux 5.4+


def release_mapped_pages(path: Path) -> int:
    """Ask the kernel to drop this process's pages of ``path``'s read-only shared mappings; returns the
    bytes advised. OpenVINO maps the IR's weights (``r--s``) and reads every page while compiling, so
    right after compiling the process holds the whole 470 MB file, most of it embedding rows of tokens
    that never occur; dropped, a row is read back from the file when a token needs it (the same
    outputs: the pages are clean copies of the file). Anything else (no Linux, an older kernel) leaves
    the pages where they are."""
    import ctypes

    try:
        maps = Path("/proc/self/maps").read_text().splitlines()
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return 0
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    advised = 0
    for line in maps:
        fields = line.split(maxsplit=5)
        if len(fields) == 6 and fields[5] == str(path.resolve()) and fields[1] == "r--s":
            low, high = (int(x, 16) for x in fields[0].split("-"))
            if libc.madvise(low, high - low, _MADV_PAGEOUT) == 0:
                advised += high - low
    return advised


def write_openvino_copy(folder: Path) -> None:
    """The OpenVINO IR of the export, where OpenVINO can run bf16 here (else nothing)."""
    if _OpenVinoSession.available() is None:
        openvino_ir(folder)


class _OpenVinoSession:
    """The fp32 export compiled by OpenVINO for the CPU in bf16, with ONNX Runtime's ``run`` signature so
    the encoder's forward pass is shared. On a CPU with bf16 units (AMX, AVX-512 BF16) a pass costs a
    third to two thirds of ONNX Runtime's fp32 CPU time (``bench/openvino_bench.py``); the vectors agree
    to cosine >= 0.9999 but are not the same numbers.

    OpenVINO prepares its kernels for each input shape it meets (30 to 100 ms of CPU the first time,
    then cached), so inputs are padded to a multiple of ``length_step`` tokens and a batch runs in
    parts of a power of two texts (``power_of_two_parts``): few shapes, and a text's vector depends
    only on its padded length (up to ~1e-3 per component between paddings)."""

    length_step = 8

    def __init__(self, folder: Path, threads: int | None, streams: int = 1) -> None:
        import openvino as ov

        core = ov.Core()
        config: dict[str, Any] = {"PERFORMANCE_HINT": "LATENCY", "INFERENCE_PRECISION_HINT": "bf16"}
        if streams > 1:  # passes side by side, each on its own threads (``parallel`` infer requests)
            config.update({"PERFORMANCE_HINT": "THROUGHPUT", "NUM_STREAMS": streams})
        if threads:
            config["INFERENCE_NUM_THREADS"] = threads
        source = openvino_ir(folder)
        self._compiled = core.compile_model(str(source), "CPU", config)
        release_mapped_pages(source.with_suffix(".bin"))
        self._names = {name for port in self._compiled.inputs for name in port.get_names()}
        self.parallel = streams
        # One infer request per stream, each serving one pass at a time (ONNX Runtime's run is thread-safe).
        self._requests: queue.SimpleQueue[Any] = queue.SimpleQueue()
        for _ in range(streams):
            self._requests.put(self._compiled.create_infer_request())

    @staticmethod
    def available() -> str | None:
        """Why OpenVINO bf16 cannot run here (``None`` when it can). Asked by every process whose index
        fingerprint depends on it (`souffleur search` too), so it does not import OpenVINO (half a second)
        where the CPU's flags answer: OpenVINO runs bf16 on x86 CPUs with AVX512-BF16 or AMX-BF16."""
        if importlib.util.find_spec("openvino") is None:
            return "openvino is not installed (pip install openvino==2026.4.1)"
        flags = _cpu_flags()
        if flags is not None:
            return None if flags & BF16_CPU_FLAGS else "this CPU has no bf16 support"
        import openvino as ov

        if "BF16" not in ov.Core().get_property("CPU", "OPTIMIZATION_CAPABILITIES"):
            return "this CPU has no bf16 support"
        return None

    def run(self, _outputs: object, feeds: dict[str, Any]) -> list[Any]:
        request = self._requests.get()
        try:
            result = request.infer({k: v for k, v in feeds.items() if k in self._names})
            return [np.array(result[self._compiled.output(0)])]  # a copy: the request reuses its buffer
        finally:
            self._requests.put(request)


def _cores() -> int:
    """The cores this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


BF16_CPU_FLAGS = frozenset({"avx512_bf16", "amx_bf16"})  # /proc/cpuinfo's names of x86 bf16 units


@functools.cache
def _cpu_flags() -> frozenset[str] | None:
    """The x86 CPU's feature flags from ``/proc/cpuinfo`` (``None`` elsewhere: then OpenVINO is asked)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("flags"):
            return frozenset(line.partition(":")[2].split())
    return None


def _why_not_openvino(variant: OnnxVariant) -> str | None:
    """Why OpenVINO bf16 cannot run ``variant`` here (``None`` when it can)."""
    return "only the fp32 export" if variant != "fp32" else _OpenVinoSession.available()


def chosen_runtime(choice: RuntimeChoice, variant: OnnxVariant, what: str = "queries") -> Runtime:
    """The runtime a setting asks for (``what``: queries or passages); ``auto`` is OpenVINO bf16 where it
    can run (the fp32 export, ``openvino`` installed, a CPU with bf16 units: about 40 % less CPU per live
    query and 2.5 times less per passage, vectors at cosine >= 0.9999 to fp32), else ONNX Runtime
    without a warning. Passages in bf16 give the index its own fingerprint, so every process that
    opens the index must choose alike: the choice depends only on the machine and the settings."""
    if choice != "auto":
        return choice
    if why := _why_not_openvino(variant):
        log.info("%s run on ONNX Runtime: %s", what, why)
        return "onnxruntime"
    return "openvino-bf16"


def usable_runtime(runtime: Runtime, variant: OnnxVariant, what: str) -> Runtime:
    """``runtime`` if it can run here, else ONNX Runtime (with a warning saying why)."""
    if runtime == "onnxruntime":
        return runtime
    if why := _why_not_openvino(variant):
        log.warning("%s stay on ONNX Runtime: %s", what, why)
        return "onnxruntime"
    return runtime


class _OnnxRuntimeSession:
    """The export on ONNX Runtime (the weights mapped from the file when there is a mapped copy). Its
    outputs do not depend on padding, so inputs are padded only to the longest text of a pass."""

    length_step = 1

    def __init__(self, path: Path, threads: int | None, parallel: int = 1) -> None:
        import onnxruntime as ort

        self.parallel = parallel  # passes side by side (``run`` is thread-safe), each on ``threads`` threads

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # After each pass ONNX Runtime's threads spin for more work by default: on a small machine that
        # takes the cores from the request threads that would hand them the next query.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])
        self._names = {i.name for i in self._session.get_inputs()}

    def run(self, _outputs: object, feeds: dict[str, Any]) -> list[Any]:
        return list(self._session.run(None, {k: v for k, v in feeds.items() if k in self._names}))


class OnnxEncoder(IdentifiedEncoder):
    """Encodes the export of a sentence-transformers folder with ONNX Runtime (same vectors as
    ``SentenceTransformerEncoder`` on the same folder), or with OpenVINO in bf16 for queries and/or
    passages (``query_runtime``, ``passage_runtime``; close, not the same numbers). Each runtime's
    session is created when it is first needed: an OpenVINO query session with ``threads`` threads
    (default one: a single query gains little from a second thread and the service's other threads
    need the core), a passage session with ``threads`` (default: all cores)."""

    def __init__(
        self,
        model_folder: Path,
        variant: OnnxVariant = "fp32",
        threads: int | None = None,
        batch_size: int = 16,
        require_verified: bool = True,
        compact_tokenizer: bool = True,
        passage_runtime: PassageRuntime = "onnxruntime",
        query_runtime: QueryRuntime = "onnxruntime",
        embeds_queries: bool = True,
    ) -> None:
        folder = onnx_folder(model_folder)
        if require_verified and not (folder / ONNX_MARKER).is_file():
            raise OnnxModelMissingError(
                f"No ONNX export of {model_folder} yet. Run: souffleur model prepare"
                " (or set encoder.backend=torch: SOUFFLEUR_ENCODER__BACKEND=torch)"
            )
        self._folder, self._variant, self._threads = folder, variant, threads
        self._sessions: dict[tuple[str, Runtime, int | None, int], Any] = {}  # by (role, runtime, threads, parallel)
        self._session_lock = threading.Lock()
        self._pools: dict[int, ThreadPoolExecutor] = {}  # threads that run passes side by side, by count
        self.passage_runtime = usable_runtime(passage_runtime, variant, "passages")
        self.query_runtime = usable_runtime(query_runtime, variant, "queries")
        # A process that embeds queries loads its model at start, not at the first query; ONNX Runtime
        # loads a session mostly without the GIL, so it loads beside the tokenizer (whose load holds it).
        with ThreadPoolExecutor(1) as loader:
            loading = loader.submit(self._query_session) if embeds_queries else None
            # One tokenizer without truncation or padding: counting needs the full length, ``_forward``
            # truncates and pads itself. The SentencePiece copy written by ``souffleur model prepare``
            # gives the same ids in ~70 MB; ``tokenizers`` holds the XLM-R vocabulary in ~280 MB.
            self._tokenizer: _Tokenizer
            if compact_tokenizer and compact_tokenizer_ready(folder):
                self._tokenizer = CompactTokenizer(folder)
            else:
                self._tokenizer = _HuggingFaceTokenizer(model_folder / "tokenizer.json")
            self._pad_id = int(json.loads((model_folder / "config.json").read_text()).get("pad_token_id", 0))
            self._query_prompt, self._passage_prompt = _prompts(model_folder)
            self._pooling = _pooling_mode(model_folder)
            self.identity = EncoderIdentity(
                model_id=f"{model_folder}#onnx-{variant}",
                fingerprint=model_fingerprint(
                    model_folder, self._query_prompt, self._passage_prompt, variant, self.passage_runtime
                ),
                dimension=int(json.loads((model_folder / "config.json").read_text())["hidden_size"]),
                max_tokens=_max_tokens(model_folder),
            )
            self._batch_size = batch_size
        if loading is not None:
            loading.result()  # its error, if any
            if self.query_runtime != "onnxruntime":
                self._warm_query_shapes()

    def _warm_query_shapes(self, longest: int = WARM_QUERY_TOKENS, texts: tuple[int, ...] = (1, 2)) -> None:
        """OpenVINO prepares its kernels the first time it meets an input shape (5 to 15 ms of a live
        query's latency, 130 ms for the very first): run each padded query length up to ``longest``
        tokens, alone and in pairs (and short ones four and eight at a time, ``forward_passes``), once at
        start (about a second), so live calls do not pay for it."""
        session = self._query_session()
        for width in range(session.length_step, longest + 1, session.length_step):
            # ... and the filled passes of short texts (``forward_passes``): four or eight of them.
            small = tuple(c for c in (4, 8) if c * width <= SMALL_PASS_TOKENS)
            for count in (*texts, *small):
                for _ in range(session.parallel):  # each infer request in turn (they take turns)
                    self._forward([[self._pad_id] * width] * count, session)

    def _session(self, runtime: Runtime, threads: int | None, parallel: int = 1, role: str = "queries") -> Any:
        """The session of ``runtime`` running ``parallel`` passes side by side on ``threads`` threads each
        (``None``: ONNX Runtime's default, all cores), made at its first use. Passages get a session of
        their own (``role``) even where the settings are the same as the queries': a runtime keeps memory
        for every input shape it has met, and an index build meets passages up to 256 tokens in batches
        (round 12: a server that built the demo index in bf16 on its query session held 1.37 GB after
        start, against 0.52 GB when it opens a built index)."""
        key = (role, runtime, threads, parallel)
        with self._session_lock:
            if key not in self._sessions:
                if runtime == "onnxruntime":
                    path = model_file(self._folder, self._variant)
                    self._sessions[key] = _OnnxRuntimeSession(path, threads, parallel)
                else:
                    total = threads * parallel if threads else None
                    self._sessions[key] = _OpenVinoSession(self._folder, total, parallel)
            return self._sessions[key]

    def _query_session(self) -> Any:
        return self._session(*self._query_key())

    def _query_key(self) -> tuple[Runtime, int | None, int]:
        """ONNX Runtime: one pass at a time on ``threads`` (default: its own). OpenVINO: up to
        ``MAX_PARALLEL_QUERY_PASSES`` passes side by side, one thread each, one per core (or per
        ``threads``): a caller turn's window and gist are two passes of different lengths, and the
        worker's batches under load split into passes by length, so a second stream uses the core that
        one single-threaded pass at a time left to Python (round 7: one call p50 57 -> 37 ms, 100 calls
        p95 1,509 -> 437 ms, `docs/inference.md`); the vectors are the same as one pass at a time."""
        if self.query_runtime == "onnxruntime":
            return self.query_runtime, self._threads, 1
        parallel = min(self._threads or _cores(), MAX_PARALLEL_QUERY_PASSES)
        return self.query_runtime, max((self._threads or parallel) // parallel, 1), parallel

    def _passage_session(self) -> Any:
        """Passages (many texts at once) run in passes side by side, one thread each, one per core (or
        ``threads``): on two cores a pass on one thread costs less CPU than the same pass split over two,
        and the vectors are bit for bit those of one pass at a time (both runtimes)."""
        return self._session(*self._passage_key(), role="passages")

    def _passage_key(self) -> tuple[Runtime, int, int]:
        """(runtime, threads per pass, passes side by side): one thread per pass, at most
        ``MAX_PARALLEL_PASSES`` passes (each holds its activations), the other cores split among them."""
        threads = self._threads or _cores()
        parallel = min(threads, MAX_PARALLEL_PASSES)
        return self.passage_runtime, threads // parallel, parallel

    @property
    def tokenizer_name(self) -> str:
        return type(self._tokenizer).__name__

    def count_tokens(self, text: str) -> int:
        return len(self._tokenizer.encode_batch([text])[0])

    def _forward(self, rows: Sequence[list[int]], session: Any) -> Vectors:
        width = padded_width(max(len(r) for r in rows), session.length_step, self.max_tokens)
        ids = np.full((len(rows), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = row
            mask[i, : len(row)] = 1
        feeds: dict[str, Any] = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = np.asarray(session.run(None, feeds)[0], dtype=np.float32)
        if self._pooling == "cls":
            pooled = hidden[:, 0, :]
        else:
            weights = mask[:, :, None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return np.asarray(pooled / np.maximum(norms, 1e-12), dtype=np.float32)

    def _encode(
        self, texts: Sequence[str], prompt: str, session: Any, progress: ProgressCallback | None = None
    ) -> Vectors:
        if not texts:
            return self.no_vectors()
        rows = self._tokenizer.encode_batch([prompt + t for t in texts])
        # Too long: keep the first tokens and the closing special token, as the tokenizer's truncation does.
        rows = [r if len(r) <= self.max_tokens else [*r[: self.max_tokens - 1], r[-1]] for r in rows]
        out = np.zeros((len(rows), self.dimension), dtype=np.float32)
        batches = length_batches([len(r) for r in rows], self._batch_size)
        step = session.length_step
        chunks = [c for b in batches for c in forward_passes(b, [len(rows[i]) for i in b], step, self.max_tokens)]

        def forward(chunk: list[int]) -> Vectors:
            # OpenVINO: filled up to a power of two texts with copies of the last one (``forward_passes``);
            # a text's vector does not depend on the other texts of its pass.
            filled = [*chunk, *[chunk[-1]] * (power_of_two_above(len(chunk)) - len(chunk))] if step > 1 else chunk
            return self._forward([rows[i] for i in filled], session)[: len(chunk)]

        pool = self._pass_pool(session.parallel) if session.parallel > 1 and len(chunks) > 1 else None
        for chunk, vectors in zip(chunks, pool.map(forward, chunks) if pool else map(forward, chunks), strict=True):
            out[chunk] = vectors
            if progress is not None:
                progress(len(chunk))
        return out

    def _pass_pool(self, parallel: int) -> ThreadPoolExecutor:
        """The threads that run ``parallel`` passes side by side, kept from one call to the next: a caller
        turn's window and gist are two passes, and a pool made per call cost about 0.19 ms of CPU and
        0.55 ms of wall time (starting and joining its threads) against 0.04 and 0.06 ms (round 8)."""
        with self._session_lock:
            pool = self._pools.get(parallel)
            if pool is None:
                pool = self._pools[parallel] = ThreadPoolExecutor(parallel, thread_name_prefix="souffleur-pass")
            return pool

    def encode_queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, self._query_prompt, self._query_session())

    def encode_passages(self, texts: Sequence[str], progress: ProgressCallback | None = None) -> Vectors:
        """Passages in passes side by side (``_passage_session``); the session is let go afterwards, and
        its memory given back to the system (index builds are rare, and a server keeps only its query
        session's memory)."""
        try:
            return self._encode(texts, self._passage_prompt, self._passage_session(), progress)
        finally:
            with self._session_lock:
                released = self._sessions.pop(("passages", *self._passage_key()), None)
            if released is not None:
                del released
                give_back_free_memory()


def give_back_free_memory() -> None:
    """Returns the C heap's free pages to the system (glibc's ``malloc_trim``), so that memory a released
    session freed leaves the process's RSS; nothing where the C library has no such call."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def length_batches(lengths: Sequence[int], batch_size: int, slack: float = PADDING_SLACK) -> list[list[int]]:
    """Positions grouped into forward passes: shortest first, at most ``batch_size`` each, and a new
    pass whenever a text is longer than ``slack`` times the pass's shortest (plus a few tokens), so
    that a short query is not padded to a long one's length (a 12-token turn next to a 60-token window
    would cost a 60-token pass)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:
        current = batches[-1] if batches else None
        if (
            current is None
            or len(current) >= batch_size
            or lengths[i] > slack * lengths[current[0]] + PADDING_ALLOWANCE
        ):
            batches.append([i])
        else:
            current.append(i)
    return batches


def padded_width(longest: int, step: int, max_tokens: int) -> int:
    """The width of a pass whose longest text has ``longest`` tokens: a multiple of ``step`` (OpenVINO
    prepares kernels per shape), at most the model's limit."""
    return max(longest, min(-(-longest // step) * step, max_tokens))


def power_of_two_above(count: int) -> int:
    """The smallest power of two that is at least ``count`` (1 for 1)."""
    return 1 << max(count - 1, 0).bit_length()


def forward_passes(batch: list[int], lengths: Sequence[int], step: int, max_tokens: int) -> list[list[int]]:
    """The forward passes of one length group (``lengths``: its texts' token counts). ONNX Runtime
    (``step`` 1): one. OpenVINO, which prepares kernels per input shape: power-of-two parts (few
    shapes), except for a group of short texts that fits one pass of at most ``SMALL_PASS_TOKENS``
    tokens once filled up to a power of two texts: there a pass costs mostly the reading of the
    weights, so three gists of 16 tokens cost one pass instead of two. A text's vector depends only on
    its pass's padded width, not on the other rows (checked bit for bit), so where the parts had the
    same width nothing changes; a short text grouped with a longer one may now be padded to the
    longer one's width (as texts already were within a part and within a length group). A group of
    one text (a lone request's window, its gist) runs exactly as before."""
    if step == 1:
        return [batch]
    width = padded_width(max(lengths), step, max_tokens)
    if len(batch) > 1 and power_of_two_above(len(batch)) * width <= SMALL_PASS_TOKENS:
        return [batch]
    return power_of_two_parts(batch)


def power_of_two_parts(batch: list[int]) -> list[list[int]]:
    """``batch`` in consecutive parts of 16, 8, 4, 2, 1 ... items (the binary digits of its size, largest
    first): with the padded lengths, a runtime that prepares kernels per input shape meets few shapes."""
    parts, start = [], 0
    size = 1 << max(len(batch).bit_length() - 1, 0)
    while start < len(batch):
        if len(batch) - start >= size:
            parts.append(batch[start : start + size])
            start += size
        size >>= 1
    return parts


class _Tokenizer(Protocol):
    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]: ...


class _HuggingFaceTokenizer:
    """``tokenizers`` without truncation or padding."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch(list(texts))]


def export_onnx(model_folder: Path, force: bool = False) -> OnnxExportReport:
    """Export ``model_folder`` (a sentence-transformers folder) to ONNX fp32 and int8 and verify it.

    Needs torch and transformers (only here). Raises ``RuntimeError`` when fp32 does not reproduce torch.
    """
    folder = onnx_folder(model_folder)
    marker = folder / ONNX_MARKER
    if marker.is_file() and not force:
        info = json.loads(marker.read_text())
        if not compact_tokenizer_ready(folder):
            prepare_tokenizer(model_folder)
        write_mapped_copies(folder)
        write_openvino_copy(folder)
        return OnnxExportReport(folder, info["min_cosine_fp32"], info["min_cosine_int8"], info["seconds"])
    started = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    marker.unlink(missing_ok=True)
    _export_graph(model_folder, folder / _FILES["fp32"])
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # Per-channel scales keep the int8 vectors close (min cosine 0.994 on dev queries, 0.981 per tensor).
    quantize_dynamic(folder / _FILES["fp32"], folder / _FILES["int8"], weight_type=QuantType.QInt8, per_channel=True)
    prepare_tokenizer(model_folder)
    write_mapped_copies(folder)
    write_openvino_copy(folder)
    cos32, cos8 = _compare_with_torch(model_folder)
    seconds = round(time.perf_counter() - started, 1)
    if cos32 < MIN_COSINE:
        raise RuntimeError(f"The ONNX export of {model_folder} does not match torch: min cosine {cos32:.5f}")
    marker.write_text(
        json.dumps(
            {"source": str(model_folder), "min_cosine_fp32": cos32, "min_cosine_int8": cos8, "seconds": seconds},
            indent=2,
        )
    )
    return OnnxExportReport(folder, cos32, cos8, seconds)


# Beyond the probe texts: what transcripts and articles contain (compounds, umlauts, numbers, lists,
# Markdown tables, odd spacing, characters outside the vocabulary).
TOKENIZER_CHECK_TEXTS = (
    "ja hallo ähm ich hab da mal ne frage wegen dem sperrmüll",
    "Personalausweis beantragen: Gebühr 37,00 Euro (unter 24 Jahren 22,80 Euro).",
    "- **Unterlagen:** Geburtsurkunde, biometrisches Passfoto\n- Termin im Bürgerbüro",
    "| Leistung | Gebühr |\n|----------|--------|\n| Anwohnerparkausweis | 30,70 € |",
    "  zwei  Leerzeichen\tund Tab\nund Zeilenumbruch  ",
    "Straße Öffnungszeiten Übergangsregelung § 12 Abs. 3 Nr. 4 StVO",
    "émoji 😀 ﬁnal ① ＡＢＣ 日本語 Ǆ",
)


def prepare_tokenizer(model_folder: Path) -> bool:
    """Write the SentencePiece copy of the model's tokenizer next to the export (see
    ``compact_tokenizer``); ``False`` (and ``tokenizers`` stays in use) when it cannot give the same ids."""
    query_prompt, passage_prompt = _prompts(model_folder)
    texts = [*PROBE_TEXTS, *TOKENIZER_CHECK_TEXTS]
    checks = [prompt + text for prompt in ("", query_prompt, passage_prompt) for text in texts]
    try:
        prepare_compact_tokenizer(model_folder / "tokenizer.json", onnx_folder(model_folder), checks)
    except (UnsupportedTokenizerError, FileNotFoundError, KeyError) as exc:
        log.warning("keeping the tokenizers library for %s: %s", model_folder, exc)
        return False
    return True


def _export_graph(model_folder: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    model = AutoModel.from_pretrained(str(model_folder))
    model.eval()

    class _Hidden(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # type: ignore[no-any-return]

    ids = torch.tensor([[0, 100, 200, 300, 2], [0, 100, 2, 1, 1]], dtype=torch.int64)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0]], dtype=torch.int64)
    with torch.no_grad():
        torch.onnx.export(
            _Hidden(model),
            (ids, mask),
            str(target),
            input_names=["input_ids", "attention_mask"],
            output_names=["last_hidden_state"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "last_hidden_state": {0: "batch", 1: "sequence"},
            },
            opset_version=17,
            dynamo=False,
        )


def _compare_with_torch(model_folder: Path) -> tuple[float, float]:
    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_folder), device="cpu")
    query_prompt, passage_prompt = _prompts(model_folder)
    texts = list(PROBE_TEXTS)
    ref = np.concatenate(
        [
            reference.encode(texts, prompt=query_prompt, normalize_embeddings=True),
            reference.encode(texts, prompt=passage_prompt, normalize_embeddings=True),
        ]
    )
    result = []
    for variant in ("fp32", "int8"):
        encoder = OnnxEncoder(model_folder, variant, require_verified=False)
        ours = np.concatenate([encoder.encode_queries(texts), encoder.encode_passages(texts)])
        result.append(float(np.min(np.sum(ours * ref, axis=1))))
    return result[0], result[1]
