"""Answer examples from labeled calls: each labeled question of the chosen split, with the sentences its
labelers accepted, as lines of a knowledge folder's ``answer-examples.jsonl`` (``corpus.answer_examples``).

Only one split is exported (``tune`` by default), so a held-out split never teaches the engine the
answers it is scored on. Questions are redacted as live utterances are; a sentence the article does not
contain (the article changed since it was labeled) is left out, and a question left with none is too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.privacy.redaction import GermanRedactor
from corpus.answer_examples import article_quotes
from corpus.knowledge_base import KnowledgeBase
from eval.call_replay import AnswerLabel, merged_labels, read_answer_labels


@dataclass(frozen=True)
class ExportCount:
    """What an export wrote and what it left out."""

    examples: int
    other_split: int
    sentences_not_in_article: int
    unknown_articles: int


def _exportable(raw: dict[str, Any]) -> AnswerLabel:
    """A label line that names its split and question (a ``KeyError`` names the missing field)."""
    for needed in ("split", "question"):
        if needed not in raw:
            raise KeyError(needed)
    return AnswerLabel.from_line(raw)


def export_answer_examples(
    labels: Sequence[Path], knowledge: KnowledgeBase, out: Path, split: str = "tune"
) -> ExportCount:
    """Write the examples of ``labels`` (answer-labels files) whose split is ``split`` to ``out``: one
    line per question (call, turn, article), every labeler's sentences together (``merged_labels``)."""
    read = [
        label
        for path in labels
        for label in read_answer_labels(
            path, _exportable, "call_id, turn, article_id, split, question and sentences (optional: labeler)"
        )
    ]
    redactor = GermanRedactor()
    lines: list[str] = []
    other = missing = unknown = 0
    for label, _ in sorted(merged_labels(read), key=lambda pair: (pair[0].article_id, pair[0].key[:2])):
        if label.split != split:
            other += 1
            continue
        if label.article_id not in knowledge.articles:
            unknown += 1
            continue
        article = knowledge.articles[label.article_id]
        kept = [s for s in label.sentences if article_quotes(article, s)]
        missing += len(label.sentences) - len(kept)
        if not kept:
            continue
        example = {
            "article": label.article_id,
            "question": redactor.redact(str(label.question)),
            "sentences": kept,
            "from": f"{label.call_id}#{label.turn}",
        }
        lines.append(json.dumps(example, ensure_ascii=False))
    out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return ExportCount(len(lines), other, missing, unknown)
