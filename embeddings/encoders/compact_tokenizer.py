"""A small-memory stand-in for a Unigram ``tokenizer.json``: the same token ids from SentencePiece.

The ``tokenizers`` library holds the 250,002-piece XLM-R Unigram vocabulary of the default model in
a hash-map trie of about 280 MB per instance and needs about a second to parse its 16 MB JSON; the
live server and ``souffleur search`` hold one. SentencePiece runs the same Unigram Viterbi search on
a double-array trie of a few MB that loads in a fraction of a second.

``write_sentencepiece`` converts a ``tokenizer.json`` whose pipeline it can reproduce exactly
(regex ``Replace`` and Unicode normalizers, a ``Metaspace`` pre-tokenizer that does not split, a
Unigram model without byte fallback, a ``<s> A </s>`` template) into ``tokenizer.spm``: every
vocabulary entry keeps its id and score, and the normalizers run in Python before SentencePiece
(which is told to leave the text alone). Anything else raises ``UnsupportedTokenizerError`` and the
encoder keeps using ``tokenizers``. ``souffleur model prepare`` writes the file next to the ONNX
export and checks that both give the same ids on probe texts; ``bench/tokenizer_check.py`` compares
them on every passage and query of the demo and the external benchmarks.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

SPM_FILE = "tokenizer.spm"
PIPELINE_FILE = "tokenizer.spm.json"
_METASPACE = "\u2581"
_NORMAL_FORMS = ("NFC", "NFD", "NFKC", "NFKD")


class UnsupportedTokenizerError(ValueError):
    """The tokenizer.json uses a step this conversion cannot reproduce exactly."""


def _normalizer_steps(spec: dict[str, Any] | None) -> list[dict[str, Any]]:
    if spec is None:
        return []
    if spec.get("type") == "Sequence":
        return [step for inner in spec["normalizers"] for step in _normalizer_steps(inner)]
    kind = spec.get("type")
    if kind == "Replace":
        pattern = spec["pattern"]
        if "Regex" in pattern:
            # Rust regex writes code points as \x{hex}; Python wants \U and eight digits.
            regex = re.sub(r"\\x\{([0-9a-fA-F]+)\}", lambda m: f"\\U{int(m.group(1), 16):08x}", pattern["Regex"])
        else:
            regex = re.escape(pattern["String"])
        return [{"type": "Replace", "regex": regex, "content": spec["content"]}]
    if kind in _NORMAL_FORMS:
        return [{"type": kind}]
    raise UnsupportedTokenizerError(f"normalizer {kind}")


def _check_supported(config: dict[str, Any]) -> None:
    model = config.get("model", {})
    if model.get("type") != "Unigram" or model.get("byte_fallback"):
        raise UnsupportedTokenizerError(f"model {model.get('type')} (byte fallback {model.get('byte_fallback')})")
    pre = config.get("pre_tokenizer") or {}
    if pre.get("type") != "Metaspace" or pre.get("split") or pre.get("prepend_scheme") != "always":
        raise UnsupportedTokenizerError(f"pre-tokenizer {pre}")
    if pre.get("replacement") != _METASPACE:
        raise UnsupportedTokenizerError(f"metaspace replacement {pre.get('replacement')!r}")
    post = config.get("post_processor") or {}
    single = post.get("single", [])
    shape = [next(iter(part)) for part in single]
    if post.get("type") != "TemplateProcessing" or shape != ["SpecialToken", "Sequence", "SpecialToken"]:
        raise UnsupportedTokenizerError(f"post-processor {post.get('type')}")


def compact_tokenizer_ready(folder: Path) -> bool:
    """Whether ``folder`` holds a converted tokenizer that passed its check."""
    pipeline = folder / PIPELINE_FILE
    return (folder / SPM_FILE).is_file() and pipeline.is_file() and "checked_texts" in pipeline.read_text("utf-8")


def prepare_compact_tokenizer(tokenizer_json: Path, folder: Path, check_texts: Sequence[str]) -> int:
    """Convert ``tokenizer_json`` into ``folder`` and keep the result only if it gives the ids of
    ``tokenizers`` on every check text; returns how many texts were checked. Raises
    ``UnsupportedTokenizerError`` (nothing kept) otherwise."""
    from tokenizers import Tokenizer

    write_sentencepiece(tokenizer_json, folder)
    reference = Tokenizer.from_file(str(tokenizer_json))
    reference.no_truncation()
    reference.no_padding()
    expected = [e.ids for e in reference.encode_batch(list(check_texts))]
    got = CompactTokenizer(folder).encode_batch(check_texts)
    differing = [t for t, a, b in zip(check_texts, expected, got, strict=True) if a != b]
    if differing:
        (folder / SPM_FILE).unlink(missing_ok=True)
        (folder / PIPELINE_FILE).unlink(missing_ok=True)
        raise UnsupportedTokenizerError(f"SentencePiece ids differ on {len(differing)} texts, e.g. {differing[0]!r}")
    pipeline = json.loads((folder / PIPELINE_FILE).read_text("utf-8"))
    pipeline["checked_texts"] = len(check_texts)
    (folder / PIPELINE_FILE).write_text(json.dumps(pipeline, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(check_texts)


def write_sentencepiece(tokenizer_json: Path, folder: Path) -> Path:
    """Convert ``tokenizer_json`` into ``folder/tokenizer.spm`` (+ its pipeline); returns the model path."""
    from sentencepiece import sentencepiece_model_pb2 as spm_model

    config = json.loads(tokenizer_json.read_text(encoding="utf-8"))
    _check_supported(config)
    steps = _normalizer_steps(config.get("normalizer"))
    vocab: list[list[Any]] = config["model"]["vocab"]
    unk_id = int(config["model"]["unk_id"])
    special = {int(t["id"]): str(t["content"]) for t in config.get("added_tokens", []) if t.get("special")}
    template = config["post_processor"]["single"]
    tokens = config["post_processor"]["special_tokens"]
    bos = int(tokens[template[0]["SpecialToken"]["id"]]["ids"][0])
    eos = int(tokens[template[2]["SpecialToken"]["id"]]["ids"][0])

    proto = spm_model.ModelProto()
    proto.trainer_spec.model_type = spm_model.TrainerSpec.UNIGRAM
    proto.trainer_spec.unk_id = unk_id
    proto.trainer_spec.bos_id = -1
    proto.trainer_spec.eos_id = -1
    proto.trainer_spec.pad_id = -1
    proto.trainer_spec.byte_fallback = False
    # The normalizers and the metaspace run in Python: SentencePiece must not touch the text.
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = False
    proto.normalizer_spec.remove_extra_whitespaces = False
    proto.normalizer_spec.escape_whitespaces = False
    for token_id, (piece, score) in enumerate(vocab):
        entry = proto.pieces.add()
        entry.piece = piece
        entry.score = float(score)
        if token_id == unk_id:
            entry.type = spm_model.ModelProto.SentencePiece.UNKNOWN
        elif token_id in special:
            entry.type = spm_model.ModelProto.SentencePiece.CONTROL
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / SPM_FILE
    target.write_bytes(proto.SerializeToString())
    pipeline = {"normalizers": steps, "bos": bos, "eos": eos, "special": {v: k for k, v in special.items()}}
    (folder / PIPELINE_FILE).write_text(json.dumps(pipeline, ensure_ascii=False, indent=1), encoding="utf-8")
    return target


class CompactTokenizer:
    """Token ids of ``tokenizer.json`` (with ``<s>``/``</s>``, untruncated) from ``tokenizer.spm``."""

    def __init__(self, folder: Path) -> None:
        import sentencepiece

        pipeline = json.loads((folder / PIPELINE_FILE).read_text(encoding="utf-8"))
        self._processor = sentencepiece.SentencePieceProcessor(model_file=str(folder / SPM_FILE))
        self._steps: list[Callable[[str], str]] = [_step(s) for s in pipeline["normalizers"]]
        self._bos, self._eos = int(pipeline["bos"]), int(pipeline["eos"])
        special: dict[str, int] = pipeline["special"]
        # Special tokens written in the text are matched before normalization, as ``tokenizers`` does.
        self._special = special
        self._special_split = re.compile("(" + "|".join(re.escape(s) for s in special) + ")") if special else None

    def normalize(self, text: str) -> str:
        for step in self._steps:
            text = step(text)
        return text

    def _pieces_text(self, text: str) -> str:
        spaced = self.normalize(text).replace(" ", _METASPACE)
        return spaced if spaced.startswith(_METASPACE) else _METASPACE + spaced

    def encode_batch(self, texts: Sequence[str]) -> list[list[int]]:
        """The ids of each text, ``<s>`` first and ``</s>`` last."""
        if self._special_split is None or not any(s in t for t in texts for s in self._special):
            bodies = self._processor.encode([self._pieces_text(t) for t in texts])
            return [[self._bos, *body, self._eos] for body in bodies]
        return [self._encode_with_specials(t) for t in texts]

    def _encode_with_specials(self, text: str) -> list[int]:
        assert self._special_split is not None
        ids = [self._bos]
        for part in self._special_split.split(text):
            if part in self._special:
                ids.append(self._special[part])
            elif part:
                ids.extend(self._processor.encode(self._pieces_text(part)))
        ids.append(self._eos)
        return ids

    def count(self, text: str) -> int:
        return len(self.encode_batch([text])[0])


def _step(spec: dict[str, Any]) -> Callable[[str], str]:
    if spec["type"] == "Replace":
        pattern, content = re.compile(spec["regex"]), str(spec["content"])
        return lambda text: pattern.sub(lambda _match: content, text)
    form = spec["type"]
    return lambda text: unicodedata.normalize(form, text)
