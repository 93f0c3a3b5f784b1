"""The persisted search index: passages, their vectors, FAISS partitions per city, BM25, manifest.

Layout of the index folder::

    CURRENT                 name of the live snapshot (replaced atomically)
    snap-<time>/manifest.json
    snap-<time>/articles.json, passages.jsonl, vectors.npy
    snap-<time>/dense/<city>.faiss (+ .rows.npy)
    snap-<time>/lexical/      the BM25 index (bm25s arrays, vocabulary, document frequencies)

A snapshot is written completely before ``CURRENT`` points to it, so a reader never sees a
half-written index. Dense search runs only over the FAISS partitions of the requested cities, and
lexical scores are masked to their rows: another city's passage cannot come back from a search.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus.knowledge_base import KnowledgeBase
from corpus.models import Article, Passage
from corpus.passages import PassageSplitter
from embeddings.encoders.encoder import Encoder
from embeddings.index.dense_index import FaissDenseIndex
from embeddings.index.lexical_index import Bm25LexicalIndex
from embeddings.index.text_analysis import make_analyzer
from embeddings.index.vector_cache import PassageVectorCache

FORMAT_VERSION = 1
CURRENT_FILE = "CURRENT"
FloatArray = npt.NDArray[np.float32]
BoolArray = npt.NDArray[np.bool_]


class IndexError_(Exception):
    """Base for index problems a user must act on (named to avoid shadowing the builtin)."""


class StaleIndexError(IndexError_):
    """The saved index does not match the configured model or the current corpus."""


class MissingIndexError(IndexError_):
    """No index has been built in the folder yet."""


@dataclass(frozen=True)
class ArticleRecord:
    """What search results need to know about an article without reading the knowledge folder."""

    id: str
    city: str
    title: str
    service: str
    fingerprint: str


@dataclass(frozen=True)
class IndexSettings:
    """Everything besides the model and corpus that changes the index content."""

    lexical_analyzer: str = "char4"
    passage_max_tokens: int = 256
    approximate_above: int = 50_000


@dataclass
class Manifest:
    format_version: int
    model_id: str
    model_fingerprint: str
    dimension: int
    corpus_fingerprint: str
    settings: dict[str, Any]
    articles: dict[str, str]
    passage_count: int
    versions: dict[str, str]
    built_at: str
    build_seconds: float
    embedded_articles: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RefreshReport:
    added: list[str]
    updated: list[str]
    removed: list[str]
    unchanged: int
    full_rebuild: bool
    reason: str
    seconds: float
    embedded_passages: int = 0  # passages of the added and updated articles run through the model ...
    cached_passages: int = 0  # ... and those whose vectors came from the vector cache

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.full_rebuild)


def corpus_fingerprint(articles: Iterable[Article]) -> str:
    import hashlib

    digest = hashlib.sha256()
    for article in sorted(articles, key=lambda a: a.id):
        digest.update(f"{article.id}={article.fingerprint};".encode())
    return digest.hexdigest()[:16]


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version(), "index_format": str(FORMAT_VERSION)}
    for package in ("souffleur", "faiss-cpu", "bm25s", "sentence-transformers", "numpy"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return versions


class PassageIndex:
    """Passages with vectors, searchable per city scope, dense and lexical."""

    def __init__(
        self,
        articles: dict[str, ArticleRecord],
        passages: list[Passage],
        vectors: FloatArray,
        manifest: Manifest,
        dense: dict[str, FaissDenseIndex] | None = None,
        lexical: Bm25LexicalIndex | None = None,
    ) -> None:
        self.articles = articles
        self.passages = passages
        self.vectors = vectors
        self.manifest = manifest
        settings = IndexSettings(**manifest.settings)
        self.settings = settings
        rows_by_city: dict[str, list[int]] = {}
        for row, passage in enumerate(passages):
            rows_by_city.setdefault(passage.city, []).append(row)
        self._rows_by_city = {c: np.asarray(r, dtype=np.int64) for c, r in rows_by_city.items()}
        self.dense = dense or {
            city: FaissDenseIndex.build(vectors, rows, settings.approximate_above)
            for city, rows in self._rows_by_city.items()
        }
        if lexical is None or len(lexical) != len(passages):
            lexical = Bm25LexicalIndex(make_analyzer(settings.lexical_analyzer))
            lexical.build([self.lexical_text(p) for p in passages])
        self.lexical = lexical
        self._masks: dict[tuple[str, ...], BoolArray] = {}
        self.rows_by_article: dict[str, list[int]] = {}
        for row, passage in enumerate(passages):
            self.rows_by_article.setdefault(passage.article_id, []).append(row)

    @staticmethod
    def lexical_text(passage: Passage) -> str:
        return f"{passage.title} {passage.heading} {passage.text}"

    # ---- search -------------------------------------------------------------------------------
    def mask(self, scope: Sequence[str]) -> BoolArray:
        key = tuple(sorted(scope))
        if key not in self._masks:
            mask = np.zeros(len(self.passages), dtype=bool)
            for city in key:
                rows = self._rows_by_city.get(city)
                if rows is not None:
                    mask[rows] = True
            self._masks[key] = mask
        return self._masks[key]

    def dense_search(self, query: FloatArray, scope: Sequence[str], k: int) -> list[tuple[int, float]]:
        hits: list[tuple[int, float]] = []
        for city in scope:
            index = self.dense.get(city)
            if index is not None:
                hits.extend(index.search(query, k))
        hits.sort(key=lambda h: -h[1])
        return hits[:k]

    def lexical_scores(self, tokens: Sequence[str], scope: Sequence[str]) -> FloatArray:
        return self.lexical.scores(tokens, self.mask(scope))

    # ---- persistence --------------------------------------------------------------------------
    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        name = f"snap-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S%f')}"
        tmp = folder / f".{name}.partial"
        if tmp.exists():
            shutil.rmtree(tmp)
        (tmp / "dense").mkdir(parents=True)
        (tmp / "articles.json").write_text(
            json.dumps([asdict(a) for a in self.articles.values()], ensure_ascii=False), encoding="utf-8"
        )
        with (tmp / "passages.jsonl").open("w", encoding="utf-8") as handle:
            for p in self.passages:
                row = {k: v for k, v in asdict(p).items() if k != "metadata"}
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        np.save(tmp / "vectors.npy", self.vectors)
        for city, index in self.dense.items():
            index.save(tmp / "dense" / f"{city}.faiss")
        # Saved so that a reader does not tokenize every passage again (older snapshots rebuild it).
        self.lexical.save(tmp / "lexical")
        (tmp / "manifest.json").write_text(json.dumps(asdict(self.manifest), indent=2), encoding="utf-8")
        final = folder / name
        tmp.rename(final)
        pointer = folder / f".{CURRENT_FILE}.tmp"
        pointer.write_text(name)
        os.replace(pointer, folder / CURRENT_FILE)
        for old in folder.glob("snap-*"):
            if old.name != name:
                shutil.rmtree(old, ignore_errors=True)
        return final

    @staticmethod
    def snapshot(folder: Path) -> Path:
        pointer = folder / CURRENT_FILE
        if not pointer.is_file():
            raise MissingIndexError(f"No index in {folder.resolve()}. Build it with: souffleur index")
        snap = folder / pointer.read_text().strip()
        if not (snap / "manifest.json").is_file():
            raise MissingIndexError(f"The index in {folder.resolve()} is incomplete. Rebuild it with: souffleur index")
        return snap

    @classmethod
    def read_manifest(cls, folder: Path) -> Manifest:
        return Manifest(**json.loads((cls.snapshot(folder) / "manifest.json").read_text(encoding="utf-8")))

    @classmethod
    def load(cls, folder: Path) -> PassageIndex:
        snap = cls.snapshot(folder)
        manifest = Manifest(**json.loads((snap / "manifest.json").read_text(encoding="utf-8")))
        if manifest.format_version != FORMAT_VERSION:
            raise StaleIndexError(
                f"The index in {folder.resolve()} has format {manifest.format_version}, this version reads "
                f"{FORMAT_VERSION}. Rebuild it with: souffleur index"
            )
        articles = {
            a["id"]: ArticleRecord(**a) for a in json.loads((snap / "articles.json").read_text(encoding="utf-8"))
        }
        with (snap / "passages.jsonl").open(encoding="utf-8") as handle:
            passages = [Passage(**json.loads(line)) for line in handle if line.strip()]
        vectors = np.load(snap / "vectors.npy")
        dense = {p.stem: FaissDenseIndex.load(p) for p in (snap / "dense").glob("*.faiss")}
        analyzer = make_analyzer(IndexSettings(**manifest.settings).lexical_analyzer)
        lexical = Bm25LexicalIndex.load(snap / "lexical", analyzer)
        return cls(articles, passages, vectors, manifest, dense, lexical)

    def check(self, encoder: Encoder, knowledge_base: KnowledgeBase | None, settings: IndexSettings) -> str | None:
        """Why this index must not serve with this model, corpus and settings; ``None`` when it may."""
        m = self.manifest
        if m.model_fingerprint != encoder.fingerprint:
            return (
                f"the index was built with model '{m.model_id}' (fingerprint {m.model_fingerprint}), "
                f"but the configured model is '{encoder.model_id}' (fingerprint {encoder.fingerprint})"
            )
        if IndexSettings(**m.settings) != settings:
            return f"the index was built with settings {m.settings}, the configuration says {asdict(settings)}"
        if knowledge_base is not None:
            current = corpus_fingerprint(knowledge_base.published)
            if current != m.corpus_fingerprint:
                return "the knowledge base changed since the index was built"
        return None


class IndexBuilder:
    """Builds a :class:`PassageIndex` from a knowledge base, embedding only what changed."""

    def __init__(
        self, encoder: Encoder, settings: IndexSettings | None = None, vector_cache: PassageVectorCache | None = None
    ) -> None:
        self.encoder = encoder
        self.settings = settings or IndexSettings()
        self.vector_cache = vector_cache  # passages already embedded by this model, in any earlier build
        budget = min(self.settings.passage_max_tokens, encoder.max_tokens)
        self.splitter = PassageSplitter(max_tokens=budget, count_tokens=encoder.count_tokens)

    def refresh(
        self,
        knowledge_base: KnowledgeBase,
        previous: PassageIndex | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[PassageIndex, RefreshReport]:
        """A new index for ``knowledge_base``; vectors of unchanged articles are taken from ``previous``."""
        started = time.perf_counter()
        articles = sorted(knowledge_base.published, key=lambda a: a.id)
        reason = "no previous index"
        reusable = previous is not None
        if previous is not None:
            why = previous.check(self.encoder, None, self.settings)
            if why:
                reusable, reason = False, why
        old_fps = previous.manifest.articles if previous is not None and reusable else {}
        new_fps = {a.id: a.fingerprint for a in articles}
        to_embed = [a for a in articles if old_fps.get(a.id) != a.fingerprint]
        passages: list[Passage] = []
        vector_parts: list[FloatArray] = []
        embed_passages = self.splitter.split_all(to_embed)
        fresh, embedded, cached = self._embed([p.embedding_text for p in embed_passages], progress)
        fresh_by_article: dict[str, list[int]] = {}
        for i, p in enumerate(embed_passages):
            fresh_by_article.setdefault(p.article_id, []).append(i)
        for article in articles:
            if article.id in fresh_by_article:
                rows = fresh_by_article[article.id]
                passages.extend(embed_passages[i] for i in rows)
                vector_parts.append(fresh[rows])
            else:
                assert previous is not None
                rows = previous.rows_by_article[article.id]
                passages.extend(previous.passages[i] for i in rows)
                vector_parts.append(previous.vectors[rows])
        dim = self.encoder.dimension
        vectors = np.concatenate(vector_parts) if vector_parts else np.zeros((0, dim), dtype=np.float32)
        seconds = time.perf_counter() - started
        manifest = Manifest(
            format_version=FORMAT_VERSION,
            model_id=self.encoder.model_id,
            model_fingerprint=self.encoder.fingerprint,
            dimension=dim,
            corpus_fingerprint=corpus_fingerprint(articles),
            settings=asdict(self.settings),
            articles=new_fps,
            passage_count=len(passages),
            versions=_versions(),
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
            build_seconds=round(seconds, 3),
            embedded_articles=[a.id for a in to_embed],
        )
        records = {
            a.id: ArticleRecord(id=a.id, city=a.city, title=a.title, service=a.service, fingerprint=a.fingerprint)
            for a in articles
        }
        index = PassageIndex(records, passages, vectors.astype(np.float32), manifest)
        added = [a.id for a in to_embed if a.id not in old_fps]
        updated = [a.id for a in to_embed if a.id in old_fps]
        removed = sorted(set(old_fps) - set(new_fps))
        report = RefreshReport(
            added=added,
            updated=updated,
            removed=removed,
            unchanged=len(articles) - len(to_embed),
            full_rebuild=not reusable,
            reason=reason if not reusable else "incremental",
            seconds=round(time.perf_counter() - started, 3),
            embedded_passages=embedded,
            cached_passages=cached,
        )
        return index, report

    def _embed(self, texts: list[str], progress: Callable[[int, int], None] | None) -> tuple[FloatArray, int, int]:
        """The vectors of ``texts``: from the vector cache where it has them, else from the encoder (and
        then cached). Returns them with the numbers embedded and taken from the cache."""
        cache = self.vector_cache
        cached, missing = cache.lookup(texts) if cache is not None else ({}, list(range(len(texts))))
        total = len(missing)
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress is not None:
                progress(done, total)

        if progress is not None:
            progress(0, total)
        vectors = np.zeros((len(texts), self.encoder.dimension), dtype=np.float32)
        for i, vector in cached.items():
            vectors[i] = vector
        if missing:
            vectors[missing] = self.encoder.encode_passages([texts[i] for i in missing], progress=tick)
            if cache is not None:
                cache.store([texts[i] for i in missing], vectors[missing])
                cache.save()
        return vectors, len(missing), len(cached)
