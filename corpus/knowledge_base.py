"""Load and validate a whole knowledge folder."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from corpus.answer_examples import AnswerExample, read_answer_examples
from corpus.article_parser import ArticleParser
from corpus.cities import CITIES_FILE, CityDirectory
from corpus.errors import CorpusValidationError, KnowledgeFolderError, ValidationIssue
from corpus.known_gaps import KnownGap, read_known_gaps
from corpus.models import Article

ARTICLE_SUFFIX = ".md"
IGNORED_FILES = {"README.md"}


@dataclass(frozen=True)
class KnowledgeBase:
    """Every valid article of a knowledge folder, published and draft, with the city configuration and
    the folder's answer examples (``corpus.answer_examples``) and known gaps (``corpus.known_gaps``)."""

    root: Path
    cities: CityDirectory
    articles: dict[str, Article]
    answer_examples: tuple[AnswerExample, ...] = ()
    known_gaps: tuple[KnownGap, ...] = ()

    @property
    def published(self) -> list[Article]:
        return [a for a in self.articles.values() if a.is_published]

    def get(self, article_id: str) -> Article:
        try:
            return self.articles[article_id]
        except KeyError:
            raise KeyError(f"Unknown article '{article_id}'") from None

    def in_city(self, city_key: str) -> Iterator[Article]:
        scope = set(self.cities.scope(city_key))
        return (a for a in self.published if a.city in scope)


def scan_knowledge_folder(root: Path) -> tuple[KnowledgeBase, list[ValidationIssue]]:
    """Read every article under ``root``; return what is valid and every problem found."""
    if not root.is_dir():
        raise KnowledgeFolderError(root, "The knowledge folder does not exist")
    cities = CityDirectory.from_file(root / CITIES_FILE)
    parser = ArticleParser()
    issues: list[ValidationIssue] = []
    articles: dict[str, Article] = {}
    seen: dict[str, Path] = {}
    files = sorted(p for p in root.rglob(f"*{ARTICLE_SUFFIX}") if p.name not in IGNORED_FILES)
    if not files:
        raise KnowledgeFolderError(root, "The knowledge folder has no article files (*.md in city subfolders)")
    folders = cities.folder_keys()
    for path in files:
        rel = path.relative_to(root)
        if not path.is_file():
            issues.append(
                ValidationIssue(
                    path,
                    None,
                    "file",
                    f"is a folder, not an article (names ending in {ARTICLE_SUFFIX} are read as articles)",
                )
            )
            continue
        if len(rel.parts) < 2:
            issues.append(ValidationIssue(path, None, "city", "article is not inside a city folder"))
            continue
        folder = rel.parts[0]
        if folder not in folders:
            known = ", ".join(sorted(folders))
            issues.append(ValidationIssue(path, None, "city", f"unknown city folder '{folder}' (known: {known})"))
            continue
        article, problems = parser.parse(path, folder)
        issues.extend(problems)
        article_id = f"{folder}/{path.stem}"
        if article_id in seen:
            issues.append(
                ValidationIssue(path, None, "id", f"duplicate article id '{article_id}' (also {seen[article_id]})")
            )
            continue
        seen[article_id] = path
        if article is not None:
            articles[article_id] = article
    examples, problems = read_answer_examples(root, articles)
    issues.extend(problems)
    gaps, problems = read_known_gaps(root, cities.keys)
    issues.extend(problems)
    knowledge = KnowledgeBase(root=root, cities=cities, articles=articles, answer_examples=examples, known_gaps=gaps)
    return knowledge, issues


def load_knowledge_base(root: Path) -> KnowledgeBase:
    """Load a knowledge folder, refusing it with the full report if any article is invalid."""
    knowledge_base, issues = scan_knowledge_folder(root)
    if issues:
        raise CorpusValidationError(issues)
    if not knowledge_base.published:
        raise KnowledgeFolderError(root, "The knowledge folder has no published article")
    return knowledge_base
