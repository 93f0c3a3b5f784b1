"""Call scripts: recorded or written calls replayed into the assistant (demo, load tests, evaluation).

A JSONL file, one call per line: ``{"id", "city", "expected": [article ids], "turns": [[speaker, text], ...]}``,
optionally with ``"concerns": [{"expected": [article ids] or [] when not covered, "caller_turns": [indices
into turns], "matter": "..."}]``: which caller turns belong to which of the caller's concerns. Without
it the call has one concern made of all caller turns, expecting all of ``expected``.
Optionally ``"gap"``: the name of a matter the knowledge base does not cover (planted for the gaps report).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

Speaker = Literal["caller", "agent"]


class CallScriptError(ValueError):
    """A call script file that cannot be read; the message names file, line and field."""


@dataclass(frozen=True)
class Concern:
    """One matter of the caller: the articles that answer it (none when not covered) and the indices
    (into the call's turns) of the caller turns that belong to it."""

    expected: tuple[str, ...]
    caller_turns: tuple[int, ...]
    matter: str = ""


@dataclass(frozen=True)
class CallScript:
    id: str
    city: str
    expected: tuple[str, ...]
    turns: tuple[tuple[Speaker, str], ...]
    concerns: tuple[Concern, ...] = ()
    gap: str | None = None

    def concern_list(self) -> tuple[Concern, ...]:
        """The labeled concerns, or one concern of all caller turns when none are labeled."""
        if self.concerns:
            return self.concerns
        caller = tuple(i for i, (speaker, _) in enumerate(self.turns) if speaker == "caller")
        return (Concern(self.expected, caller),)


def _turns(raw: object, where: str) -> tuple[tuple[Speaker, str], ...]:
    if not isinstance(raw, list) or not raw:
        raise CallScriptError(f"{where}: field 'turns' must be a non-empty list of [speaker, text]")
    turns: list[tuple[Speaker, str]] = []
    for n, turn in enumerate(raw):
        ok = isinstance(turn, list) and len(turn) == 2 and turn[0] in ("caller", "agent") and isinstance(turn[1], str)
        if not ok or not str(turn[1]).strip():
            raise CallScriptError(f'{where}: turns[{n}] must be ["caller"|"agent", non-empty text]')
        turns.append((cast(Speaker, turn[0]), turn[1]))
    return tuple(turns)


def _concerns(raw: object, turns: tuple[tuple[Speaker, str], ...], where: str) -> tuple[Concern, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise CallScriptError(f"{where}: field 'concerns' must be a non-empty list when present")
    concerns: list[Concern] = []
    for n, item in enumerate(raw):
        field_ = f"{where}: concerns[{n}]"
        if not isinstance(item, dict):
            raise CallScriptError(f"{field_} must be an object")
        expected = item.get("expected", [])
        if not isinstance(expected, list) or not all(isinstance(e, str) for e in expected):
            raise CallScriptError(f"{field_}.expected must be a list of article ids")
        indices = item.get("caller_turns")
        if not isinstance(indices, list) or not indices or not all(isinstance(i, int) for i in indices):
            raise CallScriptError(f"{field_}.caller_turns must be a non-empty list of turn indices")
        for i in indices:
            if not 0 <= i < len(turns) or turns[i][0] != "caller":
                raise CallScriptError(f"{field_}.caller_turns: {i} is not the index of a caller turn")
        matter = item.get("matter", "")
        concerns.append(Concern(tuple(expected), tuple(sorted(indices)), matter if isinstance(matter, str) else ""))
    return tuple(concerns)


def load_call_scripts(path: Path) -> list[CallScript]:
    if not path.is_file():
        raise CallScriptError(f"No call script file at {path}")
    scripts: list[CallScript] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CallScriptError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(raw, dict):
            raise CallScriptError(f"{where}: each line must be a JSON object")
        for name in ("id", "city"):
            if not isinstance(raw.get(name), str) or not raw[name].strip():
                raise CallScriptError(f"{where}: field '{name}' must be a non-empty string")
        expected = raw.get("expected", [])
        if not isinstance(expected, list) or not all(isinstance(e, str) for e in expected):
            raise CallScriptError(f"{where}: field 'expected' must be a list of article ids")
        if raw["id"] in seen:
            raise CallScriptError(f"{where}: duplicate call id '{raw['id']}'")
        seen.add(raw["id"])
        gap = raw.get("gap")
        if gap is not None and (not isinstance(gap, str) or not gap.strip()):
            raise CallScriptError(f"{where}: field 'gap' must be a non-empty string when given")
        turns = _turns(raw.get("turns"), where)
        concerns = _concerns(raw.get("concerns"), turns, where)
        scripts.append(CallScript(raw["id"], raw["city"], tuple(expected), turns, concerns, gap))
    if not scripts:
        raise CallScriptError(f"{path} contains no call scripts")
    return scripts
