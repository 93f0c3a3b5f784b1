"""The passage vector cache: a rebuild embeds only passages whose text the model has not embedded."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from corpus.knowledge_base import load_knowledge_base
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.index_store import VECTOR_CACHE, refresh_index
from embeddings.index.passage_index import IndexSettings, PassageIndex
from embeddings.index.vector_cache import PassageVectorCache
from tests.helpers import article_text
from tests.test_index import SETTINGS, SpyEncoder

pytestmark = pytest.mark.unit


def drop_snapshots(folder: Path) -> None:
    """Delete the index but keep the vector cache beside it."""
    for path in folder.iterdir():
        if path.name != VECTOR_CACHE:
            shutil.rmtree(path) if path.is_dir() else path.unlink()


def test_a_rebuild_from_scratch_takes_every_vector_from_the_cache(knowledge_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    first_spy = SpyEncoder()
    first, report = refresh_index(folder, load_knowledge_base(knowledge_dir), first_spy, SETTINGS)
    assert report.embedded_passages == len(first.passages) == len(first_spy.embedded) and report.cached_passages == 0
    drop_snapshots(folder)
    spy = SpyEncoder()
    rebuilt, again = refresh_index(folder, load_knowledge_base(knowledge_dir), spy, SETTINGS)
    assert again.full_rebuild and spy.embedded == []
    assert again.cached_passages == len(rebuilt.passages) and again.embedded_passages == 0
    assert np.array_equal(rebuilt.vectors, first.vectors)
    assert [p.text for p in rebuilt.passages] == [p.text for p in first.passages]


def test_an_edited_article_embeds_only_its_new_passages(knowledge_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    refresh_index(folder, load_knowledge_base(knowledge_dir), SpyEncoder(), SETTINGS)
    path = knowledge_dir / "bottrop" / "hundesteuer.md"
    path.write_text(article_text("Hundesteuer in Bottrop", "hundesteuer", "Neue Regeln für Hundehalter ab 2027."))
    drop_snapshots(folder)  # a full rebuild: only the edited article's text is new to the model
    spy = SpyEncoder()
    index, report = refresh_index(folder, load_knowledge_base(knowledge_dir), spy, SETTINGS)
    assert spy.embedded and all("Hundesteuer in Bottrop" in text for text in spy.embedded)
    assert report.embedded_passages == len(spy.embedded)
    assert report.cached_passages + report.embedded_passages == len(index.passages)
    # The vectors are those the encoder gives for each passage, cached or not.
    direct = HashingFakeEncoder(dimension=64).encode_passages([p.embedding_text for p in index.passages])
    assert np.allclose(index.vectors, direct)


def test_another_model_or_a_resplit_does_not_reuse_foreign_vectors(knowledge_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    kb = load_knowledge_base(knowledge_dir)
    refresh_index(folder, kb, SpyEncoder(), SETTINGS)
    other = HashingFakeEncoder(dimension=32)
    _, report = refresh_index(folder, kb, other, SETTINGS)
    assert report.full_rebuild and report.cached_passages == 0 and report.embedded_passages > 0
    assert len(list((folder / VECTOR_CACHE).glob("*.npz"))) == 2
    # Shorter passages: texts change, only the new ones are embedded (same model as the first build).
    spy = SpyEncoder()
    short = IndexSettings(lexical_analyzer="char4", passage_max_tokens=24)
    index, resplit = refresh_index(folder, kb, spy, short)
    assert resplit.embedded_passages == len(spy.embedded)
    assert resplit.embedded_passages + resplit.cached_passages == len(index.passages)


def test_an_unreadable_cache_is_ignored_and_replaced(knowledge_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "idx"
    encoder = SpyEncoder()
    cache = PassageVectorCache(folder / VECTOR_CACHE, encoder.fingerprint, encoder.dimension)
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(b"not a numpy file")
    index, report = refresh_index(folder, load_knowledge_base(knowledge_dir), encoder, SETTINGS)
    assert report.embedded_passages == len(index.passages)
    reread = PassageVectorCache(folder / VECTOR_CACHE, encoder.fingerprint, encoder.dimension)
    assert len(reread) == len({p.embedding_text for p in index.passages})
    assert PassageIndex.load(folder).vectors.shape == index.vectors.shape


def test_the_cache_keeps_the_most_recent_entries(tmp_path: Path) -> None:
    cache = PassageVectorCache(tmp_path, "fp", 2, max_entries=3)
    cache.store(["a", "b", "c"], np.eye(3, 2, dtype=np.float32))
    cache.store(["d", "a"], np.ones((2, 2), dtype=np.float32))
    cache.save()
    found, missing = PassageVectorCache(tmp_path, "fp", 2).lookup(["a", "b", "c", "d"])
    assert sorted(found) == [0, 2, 3] and missing == [1]
    assert np.array_equal(found[0], [1.0, 1.0])


def test_digests_ending_in_zero_bytes_survive_a_save(tmp_path: Path) -> None:
    import hashlib

    from embeddings.index import vector_cache

    texts = [f"Passage {i}" for i in range(2000)]
    zero_ending = [t for t in texts if hashlib.sha256(t.encode()).digest().endswith(b"\0")]
    assert zero_ending, "the check needs a text whose digest ends in a zero byte"
    cache = vector_cache.PassageVectorCache(tmp_path, "fp", 2)
    cache.store(texts, np.ones((len(texts), 2), dtype=np.float32))
    cache.save()
    found, missing = vector_cache.PassageVectorCache(tmp_path, "fp", 2).lookup(texts)
    assert missing == [] and len(found) == len(texts)
