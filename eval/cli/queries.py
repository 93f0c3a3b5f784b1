"""The labeled-query file for the ``souffleur eval`` commands: its option and its loading."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from assistant.cli.support import fail

if TYPE_CHECKING:
    from corpus.knowledge_base import KnowledgeBase
    from eval.queries import LabeledQuery

QueriesOption = Annotated[Path, typer.Option("--queries", "-q", help="JSONL file of labeled queries")]


def labeled_queries(path: Path, kb: KnowledgeBase) -> list[LabeledQuery]:
    """The query file checked against the knowledge base; any problem ends the command with its report."""
    from eval.queries import QueryFileError, load_queries

    try:
        return load_queries(path, set(kb.articles), set(kb.cities.keys))
    except QueryFileError as exc:
        fail(str(exc))
