"""Known gaps: matters callers ask about that the knowledge base does not cover.

A knowledge folder may hold ``known-gaps.jsonl`` next to ``cities.yaml``, one JSON object per line:

    {"question": "wie beantrage ich elterngeld für meine tochter", "city": "bottrop"}

``question`` is what a caller said about the matter (one turn or the concern's turns together);
``city`` (optional) the city whose knowledge base lacks it, every city when it is left out. The live
service reads them when it decides a card's tier: while the caller's concern is as like a known gap as
the exported calls showed it must be (and not likelier an answer example of the card's article), the
nearest article is shown as ``maybe``, never as ``answer``: the agent is not told "this answers it" about
a matter the team knows is not covered. Content teams write them, or export the uncovered concerns of
labeled calls (``souffleur eval export-gaps``). A line that is not valid or names an unknown city is
reported with its line and field, like an article's error.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ValidationIssue
from corpus.line_files import LineProblem, read_line_file

KNOWN_GAPS_FILE = "known-gaps.jsonl"


@dataclass(frozen=True)
class KnownGap:
    """What a caller asked about a matter the knowledge base does not cover, and where (``None``: every
    city)."""

    question: str
    city: str | None = None


def read_known_gaps(root: Path, cities: Collection[str]) -> tuple[tuple[KnownGap, ...], list[ValidationIssue]]:
    """The known gaps of the knowledge folder ``root`` (none when it has no such file) and every problem
    found; ``cities`` are the folder's city keys."""
    return read_line_file(root / KNOWN_GAPS_FILE, lambda raw: _gap(raw, cities), '{"question", "city"}')


def _gap(raw: dict[str, Any], cities: Collection[str]) -> KnownGap:
    """One line's object as a known gap; ``LineProblem`` names the field that is wrong."""
    question, city = raw.get("question"), raw.get("city")
    if not isinstance(question, str) or not question.strip():
        raise LineProblem("question", "is missing or empty")
    if city is not None and (not isinstance(city, str) or city not in cities):
        known = ", ".join(sorted(cities))
        raise LineProblem("city", f"unknown city {city!r} (known: {known}; leave it out for every city)")
    return KnownGap(" ".join(question.split()), city)
