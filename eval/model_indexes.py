"""Encoders and indexes for evaluations that use more than one model or another corpus.

The configured model on the configured knowledge base uses the normal index folder. Any other model,
and any other corpus given its own ``root``, gets an index folder keyed by the model fingerprint, so
indexes built with different models never replace each other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from assistant.settings import Settings
from assistant.wiring import make_encoder
from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.encoder import Encoder
from embeddings.index.index_store import open_index
from embeddings.index.passage_index import PassageIndex, RefreshReport
from embeddings.retrieval.retriever import HybridRetriever, RetrievalConfig

MODEL_INDEXES_FOLDER = "model-indexes"


@dataclass(frozen=True)
class OpenedIndex:
    index: PassageIndex
    encoder: Encoder
    folder: Path
    report: RefreshReport | None


class ModelIndexes:
    """One encoder and one up-to-date index per model, opened on first use and kept."""

    def __init__(
        self,
        settings: Settings,
        knowledge_base: KnowledgeBase,
        root: Path | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.settings = settings
        self.knowledge_base = knowledge_base
        self.root = root
        self.progress = progress
        self._opened: dict[str, OpenedIndex] = {}

    def folder_for(self, encoder: Encoder, configured: bool) -> Path:
        if self.root is None and configured:
            return self.settings.index_dir
        base = self.root if self.root is not None else self.settings.data_dir / MODEL_INDEXES_FOLDER
        return base / f"index-{encoder.fingerprint}"

    def open(self, model: str | None = None) -> OpenedIndex:
        """The index of ``model`` (``None``: the configured one), built or refreshed when needed."""
        name = model or self.settings.encoder.model
        if name not in self._opened:
            settings = self.settings.with_model(name)
            encoder = make_encoder(settings)
            folder = self.folder_for(encoder, configured=name == self.settings.encoder.model)
            index, report = open_index(
                folder, self.knowledge_base, encoder, settings.index_settings(), progress=self.progress
            )
            self._opened[name] = OpenedIndex(index=index, encoder=encoder, folder=folder, report=report)
        return self._opened[name]

    def retriever(self, model: str | None, config: RetrievalConfig) -> HybridRetriever:
        """A retriever of its own (own query cache) over the model's shared index."""
        opened = self.open(model)
        return HybridRetriever(opened.index, opened.encoder, self.knowledge_base.cities, config)
