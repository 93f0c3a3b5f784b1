"""Helpers shared by the ``souffleur`` commands: consoles, settings, error reporting, progress."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from assistant.settings import Settings
from corpus.errors import CorpusError
from embeddings.retriever import EmptyQueryError

console = Console()
errors = Console(stderr=True, soft_wrap=True)

KnowledgeOption = Annotated[
    Path | None, typer.Option("--knowledge", "-K", help="Knowledge folder (default: settings / bundled demo)")
]


def fail(message: str, code: int = 2) -> NoReturn:
    errors.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def load_settings(knowledge: Path | None = None) -> Settings:
    try:
        settings = Settings()
    except ValueError as exc:
        fail(f"invalid configuration: {exc}")
    if knowledge is not None:
        settings = settings.model_copy(update={"knowledge_dir": knowledge})
    return settings


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn every error that is the user's to fix into a message and exit code 2, never a traceback."""
    from embeddings.default_model import ModelVerificationError
    from embeddings.passage_index import IndexError_

    try:
        yield
    except (CorpusError, IndexError_, EmptyQueryError, ModelVerificationError) as exc:
        fail(str(exc))
    except (FileNotFoundError, PermissionError) as exc:
        fail(str(exc))


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    ) as progress:
        task = progress.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update
