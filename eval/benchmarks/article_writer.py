"""Write generated articles in the corpus article format (YAML front matter, ``##`` sections)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from corpus.cities import CITIES_FILE
from corpus.dldb_import import slugify

# A fixed date keeps generated articles (and so the index's corpus fingerprint) the same from run to run.
GENERATED_ON = date(2026, 1, 1)
_HEADING_LINE = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)


@dataclass(frozen=True)
class GeneratedArticle:
    stem: str
    title: str
    sections: Sequence[tuple[str, str]]
    source: str | None = None


def heading_text(text: str) -> str:
    """One line without Markdown heading marks, usable after ``## ``."""
    return " ".join(text.replace("#", " ").split()) or "Text"


def article_markdown(article: GeneratedArticle) -> str | None:
    """The file text, or ``None`` when the article has no non-empty section."""
    sections = [(heading_text(h), t.strip()) for h, t in article.sections if t.strip()]
    if not sections:
        return None
    front: dict[str, object] = {
        "title": " ".join(article.title.split()) or article.stem,
        "service": slugify(article.title or article.stem),
        "updated": GENERATED_ON,
        "status": "published",
    }
    if article.source:
        front["source"] = article.source
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    # A heading line inside a section text would open a new section: keep its words, drop its marks.
    body = "\n\n".join(f"## {h}\n{_HEADING_LINE.sub('', t)}" for h, t in sections)
    return f"---\n{header}---\n{body}\n"


def write_articles(root: Path, city: str, city_name: str, articles: Iterable[GeneratedArticle]) -> list[str]:
    """Write ``root/cities.yaml`` with one city and the articles into ``root/<city>/``; returns the article ids."""
    folder = root / city
    folder.mkdir(parents=True, exist_ok=True)
    config = {"common": "common", "cities": {city: {"name": city_name}}}
    (root / CITIES_FILE).write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    written = []
    for article in articles:
        text = article_markdown(article)
        if text is None:
            continue
        (folder / f"{article.stem}.md").write_text(text, encoding="utf-8")
        written.append(f"{city}/{article.stem}")
    return written
