"""Knowledge-folder files of one JSON object per line (answer examples, known gaps): read with every bad
line reported by its line number and the field that is wrong, like an article's error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from corpus.errors import ValidationIssue

Item = TypeVar("Item")


class LineProblem(Exception):
    """What is wrong with one line: the field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def read_line_file(
    path: Path, parse: Callable[[dict[str, Any]], Item], fields: str
) -> tuple[tuple[Item, ...], list[ValidationIssue]]:
    """The items of ``path`` (none when there is no such file), each line's JSON object given to ``parse``
    (which raises ``LineProblem``), and every problem found; ``fields`` names the object's fields for the
    message about a line that is not an object."""
    if not path.is_file():
        return (), []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        return (), [ValidationIssue(path, None, "file", f"cannot be read: {exc}")]
    items: list[Item] = []
    issues: list[ValidationIssue] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            items.append(parse(_object(line, fields)))
        except LineProblem as problem:
            issues.append(ValidationIssue(path, number, problem.field, problem.message))
    return tuple(items), issues


def _object(line: str, fields: str) -> dict[str, Any]:
    try:
        raw = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineProblem("line", f"is not JSON ({exc.msg})") from None
    if not isinstance(raw, dict):
        raise LineProblem("line", f"is not a JSON object ({fields})")
    return raw
