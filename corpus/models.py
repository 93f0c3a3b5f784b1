"""Value objects of the corpus: cities, articles, their sections and passages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

ArticleStatus = Literal["published", "draft"]
PassageKind = Literal["keywords", "section"]


@dataclass(frozen=True)
class City:
    """A city the call center answers for. ``key`` is the knowledge-folder name."""

    key: str
    name: str
    dialed_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A ``##`` section of an article body. ``line`` is its heading's line in the file."""

    heading: str
    text: str
    line: int


@dataclass(frozen=True)
class Article:
    """A validated knowledge article. Its id is ``<folder>/<file stem>``."""

    id: str
    city: str
    path: Path
    title: str
    service: str
    updated: date
    status: ArticleStatus
    sections: tuple[Section, ...]
    leika: str | None = None
    synonyms: tuple[str, ...] = ()
    office: str | None = None
    contact: str | None = None
    fees: str | None = None
    source: str | None = None
    todo: tuple[str, ...] = ()
    fingerprint: str = ""

    @property
    def body(self) -> str:
        return "\n\n".join(f"## {s.heading}\n{s.text}" for s in self.sections)

    @property
    def is_published(self) -> bool:
        return self.status == "published"


@dataclass(frozen=True)
class Passage:
    """A piece of an article small enough for the encoder, carrying where it comes from."""

    id: str
    article_id: str
    city: str
    title: str
    heading: str
    text: str
    kind: PassageKind = "section"
    metadata: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def embedding_text(self) -> str:
        """What the encoder sees: title and heading give the section its context."""
        return f"{self.title} – {self.heading}\n{self.text}"
