"""Known gaps from labeled calls: each concern of the calls that expects no article (the knowledge base
does not cover it), as a line of a knowledge folder's ``known-gaps.jsonl`` (``corpus.known_gaps``).

The question is the concern's caller turns together, as the live engine compares them (``concern_text``
of each turn: greetings and names dropped), without an explicit cue the caller moved on with ("und dann
noch was": words callers of every matter share), and redacted as live utterances are. Held-out halves
(``*-test.jsonl``) are refused, so a split that is reported on never teaches the engine its gaps.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.live.utterance_analysis import after_cue, concern_text
from assistant.privacy.redaction import GermanRedactor
from assistant.replay.call_scripts import load_call_scripts
from corpus.knowledge_base import KnowledgeBase

HELD_OUT_SUFFIX = "-test.jsonl"
_EMPTY_CLAUSES = re.compile(r",(?:\s*,)+")  # what is left where a name was dropped: "ja hallo, , mein"


@dataclass(frozen=True)
class GapExportCount:
    """What an export wrote and what it left out."""

    gaps: int
    covered_concerns: int
    unknown_cities: int


def export_known_gaps(
    calls: Sequence[Path], knowledge: KnowledgeBase, out: Path, every_city: bool = False
) -> GapExportCount:
    """Write the uncovered concerns of ``calls`` to ``out``, each for its call's city (every city with
    ``every_city``: for knowledge bases whose cities cover the same services)."""
    held_out = [str(path) for path in calls if path.name.endswith(HELD_OUT_SUFFIX)]
    if held_out:
        raise ValueError(f"refusing held-out call files (a split reported on): {', '.join(held_out)}")
    redactor = GermanRedactor()
    lines: list[str] = []
    covered = unknown = 0
    cities = set(knowledge.cities.keys)
    for path in calls:
        for script in load_call_scripts(path):
            for number, concern in enumerate(script.concern_list()):
                if concern.expected:
                    covered += 1
                    continue
                if script.city not in cities:
                    unknown += 1
                    continue
                said = [concern_text(script.turns[i][1]) for i in concern.caller_turns]
                said[0] = after_cue(said[0])  # a later concern's first turn may start with the cue
                said = [part.strip(" ,.;") for part in said]
                question = _EMPTY_CLAUSES.sub(",", " ".join(" ".join(part for part in said if part).split()))
                if not question:
                    continue
                gap: dict[str, str] = {"question": redactor.redact(question)}
                if not every_city:
                    gap["city"] = script.city
                gap["from"] = f"{script.id}#{number}"
                lines.append(json.dumps(gap, ensure_ascii=False))
    out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return GapExportCount(len(lines), covered, unknown)
