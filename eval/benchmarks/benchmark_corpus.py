"""What a benchmark loader produces, and the protocol every loader follows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from eval.json_lines import json_lines, problem_list
from eval.queries import LabeledQuery


class BenchmarkDataError(ValueError):
    """The benchmark's data folder is missing a file or holds something else than expected."""


@dataclass
class BenchmarkCorpus:
    """A generated knowledge folder (one city) and the benchmark's queries against it."""

    name: str
    city: str
    knowledge_dir: Path
    queries: list[LabeledQuery]
    articles: int
    dropped_queries: int = 0
    notes: list[str] = field(default_factory=list)


class BenchmarkLoader(Protocol):
    """Reads a benchmark's files from ``data`` and writes its articles into ``workdir``."""

    name: str
    description: str

    def build(self, data: Path, workdir: Path, limit: int | None = None) -> BenchmarkCorpus: ...


def require_file(data: Path, name: str, what: str) -> Path:
    """``data/name``, or a clear error naming what is missing."""
    if not data.is_dir():
        raise BenchmarkDataError(f"No data folder at {data}")
    path = data / name
    if not path.is_file():
        raise BenchmarkDataError(f"{data} has no {name} ({what})")
    return path


def limited(queries: list[LabeledQuery], limit: int | None) -> list[LabeledQuery]:
    """The first ``limit`` queries (all of them for ``None``)."""
    if limit is not None and limit < 1:
        raise BenchmarkDataError("--limit must be at least 1")
    return queries if limit is None else queries[:limit]


def read_benchmark_queries(path: Path) -> list[tuple[str, str, list[str]]]:
    """``(qid, query, relevant_ids)`` rows of a benchmark query file, with every bad line reported."""
    rows: list[tuple[str, str, list[str]]] = []
    problems: list[str] = []
    for number, row in json_lines(path, problems):
        ids = row.get("relevant_ids") if isinstance(row, dict) else None
        if (
            not isinstance(row, dict)
            or not str(row.get("qid", "")).strip()
            or not str(row.get("query", "")).strip()
            or not isinstance(ids, list)
        ):
            problems.append(f"{path}:{number}: expected {{qid, query, relevant_ids: [...]}}")
            continue
        rows.append((str(row["qid"]), str(row["query"]), [str(i) for i in ids]))
    if problems:
        raise BenchmarkDataError(problem_list(path.name, problems))
    return rows
