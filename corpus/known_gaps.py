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

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import ValidationIssue

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
    path = root / KNOWN_GAPS_FILE
    if not path.is_file():
        return (), []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return (), [ValidationIssue(path, None, "file", f"cannot be read: {exc}")]
    gaps: list[KnownGap] = []
    issues: list[ValidationIssue] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        gap, problem = _gap(line, cities)
        if gap is not None:
            gaps.append(gap)
        else:
            field, message = problem
            issues.append(ValidationIssue(path, number, field, message))
    return tuple(gaps), issues


def _gap(line: str, cities: Collection[str]) -> tuple[KnownGap | None, tuple[str, str]]:
    """One line as a known gap, or the field that is wrong and why."""
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, ("line", f"is not JSON ({exc.msg})")
    if not isinstance(raw, dict):
        return None, ("line", 'is not a JSON object ({"question", "city"})')
    question, city = raw.get("question"), raw.get("city")
    if not isinstance(question, str) or not question.strip():
        return None, ("question", "is missing or empty")
    if city is not None and (not isinstance(city, str) or city not in cities):
        known = ", ".join(sorted(cities))
        return None, ("city", f"unknown city {city!r} (known: {known}; leave it out for every city)")
    return KnownGap(" ".join(question.split()), city), ("", "")
