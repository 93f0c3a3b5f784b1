"""Labeled query files: JSONL ``{"id", "city", "text", "relevant"}``.

``relevant`` is a list of article ids (binary relevance) or a mapping of ids to graded relevance;
an empty list marks a question the knowledge base should not answer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from eval.json_lines import json_lines, problem_list


class QueryFileError(ValueError):
    """A query file that cannot be scored as it is; the message lists every problem with its line."""


@dataclass(frozen=True)
class LabeledQuery:
    id: str
    city: str
    text: str
    relevant: dict[str, int]

    @property
    def answerable(self) -> bool:
        return any(grade > 0 for grade in self.relevant.values())


def _relevance(raw: object) -> dict[str, int] | None:
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return dict.fromkeys(raw, 1)
    if isinstance(raw, dict) and all(isinstance(k, str) and isinstance(v, int) for k, v in raw.items()):
        return dict(raw)
    return None


def _parse_row(
    row: object, where: str, known_articles: Collection[str] | None, known_cities: Collection[str] | None
) -> tuple[LabeledQuery | None, list[str]]:
    if not isinstance(row, dict):
        return None, [f"{where}: expected a JSON object"]
    missing = [f for f in ("id", "city", "text", "relevant") if f not in row]
    if missing:
        return None, [f"{where}: missing field(s) {', '.join(missing)}"]
    relevant = _relevance(row["relevant"])
    if relevant is None:
        return None, [f"{where}: relevant must be a list of article ids or a mapping id -> grade"]
    query = LabeledQuery(id=str(row["id"]), city=str(row["city"]), text=str(row["text"]), relevant=relevant)
    problems = []
    if not query.text.strip():
        problems.append(f"{where}: empty text")
    if known_cities is not None and query.city not in known_cities:
        problems.append(f"{where}: unknown city '{query.city}' (known: {', '.join(sorted(known_cities))})")
    unknown = [a for a in relevant if known_articles is not None and a not in known_articles]
    if unknown:
        problems.append(f"{where}: unknown article id(s) {', '.join(unknown)}")
    return query, problems


def load_queries(
    path: Path, known_articles: Collection[str] | None = None, known_cities: Collection[str] | None = None
) -> list[LabeledQuery]:
    """Read and check a query file; unknown article ids and cities are errors, not silent misses."""
    if not path.is_file():
        raise QueryFileError(f"No query file at {path}")
    problems: list[str] = []
    queries: list[LabeledQuery] = []
    seen: set[str] = set()
    for number, row in json_lines(path, problems):
        query, found = _parse_row(row, f"{path}:{number}", known_articles, known_cities)
        problems.extend(found)
        if query is None:
            continue
        if query.id in seen:
            problems.append(f"{path}:{number}: duplicate query id '{query.id}'")
        seen.add(query.id)
        queries.append(query)
    if problems:
        raise QueryFileError(problem_list("the query file", problems))
    if not queries:
        raise QueryFileError(f"The query file {path} has no queries")
    return queries
