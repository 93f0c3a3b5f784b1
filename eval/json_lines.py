"""Reading JSONL files line by line, collecting every bad line instead of stopping at the first."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path


def json_lines(path: Path, problems: list[str]) -> Iterator[tuple[int, object]]:
    """Each non-blank line's number and parsed value. A line that is not valid JSON is skipped and
    reported in ``problems`` as ``path:line: invalid JSON (reason)``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"{path}:{number}: invalid JSON ({exc.msg})")


def problem_list(where: str, problems: Sequence[str]) -> str:
    """The message of an error that lists every problem found in ``where``, one per indented line."""
    return f"{len(problems)} problem(s) in {where}:\n  " + "\n  ".join(problems)
