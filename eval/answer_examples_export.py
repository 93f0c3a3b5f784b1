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

from assistant.privacy.redaction import GermanRedactor
from corpus.answer_examples import normal_text
from corpus.knowledge_base import KnowledgeBase
from eval.call_replay import read_answer_labels


@dataclass(frozen=True)
class ExportCount:
    """What an export wrote and what it left out."""

    examples: int
    other_split: int
    sentences_not_in_article: int
    unknown_articles: int


@dataclass(frozen=True)
class _Labeled:
    key: tuple[str, int, str]
    split: str
    question: str
    sentences: tuple[str, ...]


def export_answer_examples(
    labels: Sequence[Path], knowledge: KnowledgeBase, out: Path, split: str = "tune"
) -> ExportCount:
    """Write the examples of ``labels`` (answer-labels files) whose split is ``split`` to ``out``: one
    line per question (call, turn, article), every labeler's sentences together."""
    merged: dict[tuple[str, int, str], list[_Labeled]] = {}
    for path in labels:
        for label in read_answer_labels(
            path,
            lambda raw: _Labeled(
                (str(raw["call_id"]), int(raw["turn"]), str(raw["article_id"])),
                str(raw["split"]),
                str(raw["question"]),
                tuple(str(s) for s in raw["sentences"]),
            ),
            "call_id, turn, article_id, split, question and sentences",
        ):
            merged.setdefault(label.key, []).append(label)
    redactor = GermanRedactor()
    bodies: dict[str, str] = {}
    lines: list[str] = []
    other = missing = unknown = 0
    for (call_id, turn, article_id), group in sorted(merged.items(), key=lambda item: (item[0][2], item[0][:2])):
        if any(g.split != split for g in group):
            other += 1
            continue
        if article_id not in knowledge.articles:
            unknown += 1
            continue
        body = bodies.setdefault(article_id, normal_text(knowledge.articles[article_id].body))
        sentences = [s for s in dict.fromkeys(s for g in group for s in g.sentences)]
        kept = [s for s in sentences if normal_text(s) and normal_text(s) in body]
        missing += len(sentences) - len(kept)
        if not kept:
            continue
        example = {
            "article": article_id,
            "question": redactor.redact(group[0].question),
            "sentences": kept,
            "from": f"{call_id}#{turn}",
        }
        lines.append(json.dumps(example, ensure_ascii=False))
    out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return ExportCount(len(lines), other, missing, unknown)
