"""Answer examples: questions callers asked about an article, each with the sentence that answered it.

A knowledge folder may hold ``answer-examples.jsonl`` next to ``cities.yaml``, one JSON object per line:

    {"article": "bottrop/sperrmuell", "question": "wat kostet dat", "sentences": ["Die Abholung ist ..."]}

``sentences`` are the article's sentences or list items (copied from its text; one is enough) that answer
``question``. The live service reads them when it picks the sentence to highlight on a card: a question
like one asked before about the same article lifts the sentence that answered it then. Content teams
write them, or export them from labeled calls (``souffleur eval export-examples``). A line with
``"by": "editor"`` holds a question an editor wrote for a sentence rather than one a caller asked: it
lifts its sentence the same way, but does not count as a sign that a caller's matter is covered (the
known gaps' margin, ``SuggestionConfig.gap_margin``). A line that is not
valid, names an unknown article, or quotes a sentence the article does not contain is reported with
its line and field, like an article's error.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ValidationIssue
from corpus.line_files import LineProblem, read_line_file
from corpus.models import Article

ANSWER_EXAMPLES_FILE = "answer-examples.jsonl"
# Who a line's question comes from (its optional field "by"): a caller (the default) or an editor.
EXAMPLE_AUTHORS = ("caller", "editor")


@dataclass(frozen=True)
class AnswerExample:
    """A question about an article and the sentences of the article that answer it: asked by a caller (a
    labeled call, an agent's answer mark), or written by an editor for a sentence (``by_editor``)."""

    article_id: str
    question: str
    sentences: tuple[str, ...]
    by_editor: bool = False


def normal_text(text: str) -> str:
    """``text`` compared as a reader sees it: lower case, punctuation and Markdown as spaces, one space
    between words (a sentence quoted from an article matches the article's text however it was marked
    up)."""
    return " ".join("".join(ch.lower() if ch.isalnum() else " " for ch in text).split())


def same_passage_text(one: str, other: str) -> bool:
    """Whether two quotes of an article are the same place: one contains the other word for word
    (``normal_text``; "6 Euro" is not in "46 Euro")."""
    a, b = f" {normal_text(one)} ", f" {normal_text(other)} "
    return bool(a.strip()) and bool(b.strip()) and (a in b or b in a)


def article_quotes(article: Article, sentence: str) -> bool:
    """Whether ``sentence`` is in the article's text as a reader sees it (``normal_text``; a quote that
    is nothing but punctuation or markup is not)."""
    quote = normal_text(sentence)
    return bool(quote) and quote in _normal_body(article.body)


@functools.lru_cache(maxsize=512)
def _normal_body(body: str) -> str:
    return normal_text(body)


def read_answer_examples(
    root: Path, articles: Mapping[str, Article]
) -> tuple[tuple[AnswerExample, ...], list[ValidationIssue]]:
    """The examples of the knowledge folder ``root`` (none when it has no examples file) and every
    problem found; ``articles`` are the folder's valid articles by id."""
    return read_line_file(
        root / ANSWER_EXAMPLES_FILE, lambda raw: _example(raw, articles), '{"article", "question", "sentences"}'
    )


def _example(raw: dict[str, Any], articles: Mapping[str, Article]) -> AnswerExample:
    """One line's object as an example; ``LineProblem`` names the field that is wrong."""
    article_id, question, sentences = raw.get("article"), raw.get("question"), raw.get("sentences")
    if not isinstance(article_id, str) or not article_id:
        raise LineProblem("article", "is missing (an article id such as 'bottrop/sperrmuell')")
    if article_id not in articles:
        raise LineProblem("article", f"no article has the id '{article_id}'")
    if not isinstance(question, str) or not question.strip():
        raise LineProblem("question", "is missing or empty")
    if not isinstance(sentences, list) or not sentences or not all(isinstance(s, str) and s.strip() for s in sentences):
        raise LineProblem("sentences", "must be a non-empty list of sentences quoted from the article")
    for sentence in sentences:
        if not article_quotes(articles[article_id], sentence):
            raise LineProblem("sentences", f"'{sentence[:60]}' is not in the text of '{article_id}'")
    by = raw.get("by", "caller")
    if by not in EXAMPLE_AUTHORS:
        raise LineProblem("by", f"must be one of {', '.join(repr(a) for a in EXAMPLE_AUTHORS)}, not {by!r}")
    return AnswerExample(article_id, " ".join(question.split()), tuple(sentences), by_editor=by == "editor")
