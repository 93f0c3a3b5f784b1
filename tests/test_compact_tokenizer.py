"""The SentencePiece copy of a Unigram tokenizer gives the ids of ``tokenizers``; forward passes group
texts by length. A small Unigram vocabulary built here, no model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tokenizers import Regex, Tokenizer, models, normalizers, pre_tokenizers, processors

from embeddings.encoders.compact_tokenizer import (
    PIPELINE_FILE,
    SPM_FILE,
    CompactTokenizer,
    UnsupportedTokenizerError,
    compact_tokenizer_ready,
    prepare_compact_tokenizer,
)
from embeddings.encoders.onnx_encoder import length_batches

pytestmark = pytest.mark.unit

SPECIAL = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
PIECES = [
    ("▁", -2.0),
    ("▁hallo", -3.0),
    ("▁welt", -3.5),
    ("▁sperr", -4.0),
    ("müll", -4.2),
    ("▁sperrmüll", -5.0),
    ("▁an", -3.1),
    ("melden", -4.4),
    ("▁anmelden", -6.5),
    ("en", -3.3),
    ("er", -3.4),
    (":", -3.0),
    ("query", -5.5),
    ("▁query", -5.0),
]
CHARS = "abcdefghijklmnopqrstuvwxyzäöüß0123456789.,?"
TEXTS = [
    "hallo welt",
    "query: ich will meinen sperrmüll anmelden",
    "  zwei  leerzeichen  ",
    "groß UND klein",  # upper case letters are not in the vocabulary: unknown pieces
    "ﬁnal ①",  # NFKC turns the ligature and the circled digit into letters and digits
    "kontroll\x01zeichen",
    "mit <s> und </s> im text",
    "",
]


def _tokenizer_json(tmp_path: Path, unigram: bool = True) -> Path:
    vocab = [*SPECIAL, *PIECES, *[(c, -8.0) for c in CHARS], *[("▁" + c, -7.0) for c in CHARS]]
    model = models.Unigram(vocab, unk_id=3, byte_fallback=False) if unigram else models.BPE()
    tokenizer = Tokenizer(model)
    tokenizer.normalizer = normalizers.Sequence(
        [normalizers.Replace(Regex("[\x01\x02]"), ""), normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=False)
    tokenizer.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", special_tokens=[("<s>", 0), ("</s>", 2)]
    )
    tokenizer.add_special_tokens(["<s>", "<pad>", "</s>", "<unk>"])
    path = tmp_path / "tokenizer.json"
    tokenizer.save(str(path))
    return path


def _reference(path: Path, texts: list[str]) -> list[list[int]]:
    tokenizer = Tokenizer.from_file(str(path))
    return [e.ids for e in tokenizer.encode_batch(texts)]


def test_the_sentencepiece_copy_gives_the_same_ids(tmp_path: Path) -> None:
    source = _tokenizer_json(tmp_path)
    folder = tmp_path / "onnx"
    assert prepare_compact_tokenizer(source, folder, TEXTS) == len(TEXTS)
    assert compact_tokenizer_ready(folder)
    compact = CompactTokenizer(folder)
    expected = _reference(source, TEXTS)
    assert compact.encode_batch(TEXTS) == expected
    assert expected[1][:1] == [0] and expected[1][-1] == 2
    assert 3 in expected[3], "the check covers unknown pieces"
    assert compact.count(TEXTS[0]) == len(expected[0])


def test_a_tokenizer_it_cannot_reproduce_is_refused_and_nothing_is_kept(tmp_path: Path) -> None:
    source = _tokenizer_json(tmp_path, unigram=False)
    folder = tmp_path / "onnx"
    with pytest.raises(UnsupportedTokenizerError):
        prepare_compact_tokenizer(source, folder, TEXTS)
    assert not compact_tokenizer_ready(folder)


def test_a_copy_that_disagrees_on_a_check_text_is_deleted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _tokenizer_json(tmp_path)
    folder = tmp_path / "onnx"
    monkeypatch.setattr(CompactTokenizer, "encode_batch", lambda self, texts: [[0, 2] for _ in texts])
    with pytest.raises(UnsupportedTokenizerError, match="differ"):
        prepare_compact_tokenizer(source, folder, TEXTS)
    assert not (folder / SPM_FILE).exists() and not (folder / PIPELINE_FILE).exists()


def test_an_unchecked_copy_is_not_used(tmp_path: Path) -> None:
    from embeddings.encoders.compact_tokenizer import write_sentencepiece

    folder = tmp_path / "onnx"
    write_sentencepiece(_tokenizer_json(tmp_path), folder)
    assert not compact_tokenizer_ready(folder)
    assert "checked_texts" not in json.loads((folder / PIPELINE_FILE).read_text())


def test_length_batches_keep_short_texts_out_of_long_passes() -> None:
    # a 12-token turn and its 60-token window: two passes, not one padded to 60 tokens
    assert length_batches([60, 12], batch_size=32) == [[1], [0]]
    # similar lengths share a pass, shortest first, at most batch_size each
    assert length_batches([10, 11, 12, 13, 14], batch_size=2) == [[0, 1], [2, 3], [4]]
    batches = length_batches([5, 200, 7, 190, 6, 90], batch_size=16)
    assert batches == [[0, 4, 2], [5], [3, 1]]
    assert sorted(i for b in batches for i in b) == list(range(6))
