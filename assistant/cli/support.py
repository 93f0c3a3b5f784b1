"""Helpers shared by the ``souffleur`` commands: consoles, settings, error reporting, progress."""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from assistant.settings import Settings, describe_errors
from corpus.errors import CorpusError
from embeddings.retrieval.retriever import EmptyQueryError

# Tables are laid out for 100 columns; written to a pipe or a file (no terminal to ask, no COLUMNS)
# Rich would assume 80 and cut them.
PIPE_WIDTH = 100
console = Console(width=None if sys.stdout.isatty() or "COLUMNS" in os.environ else PIPE_WIDTH)
errors = Console(stderr=True, soft_wrap=True)

KnowledgeOption = Annotated[
    Path | None, typer.Option("--knowledge", "-K", help="Knowledge folder (default: settings / bundled demo)")
]
NoiseOption = Annotated[
    float | None,
    typer.Option("--noise", min=0.0, max=1.0, help="Also score ASR-noised twins of the queries at this level (0..1)"),
]
NoiseSeedOption = Annotated[int, typer.Option("--noise-seed", help="Seed of the ASR noise")]


def fail(message: str, code: int = 2) -> NoReturn:
    errors.print(f"[bold red]Error:[/] {message}", highlight=False)
    raise typer.Exit(code)


def load_settings(knowledge: Path | None = None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        fail(f"invalid configuration: {describe_errors(exc)}")
    if knowledge is not None:
        settings = settings.model_copy(update={"knowledge_dir": knowledge})
    return settings


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn every error that is the user's to fix into a message and exit code 2, never a traceback."""
    from embeddings.encoders.default_model import ModelVerificationError
    from embeddings.index.passage_index import IndexError_

    try:
        yield
    except (CorpusError, IndexError_, EmptyQueryError, ModelVerificationError) as exc:
        fail(str(exc))
    except (FileNotFoundError, PermissionError) as exc:
        fail(str(exc))


def _progress() -> Progress:
    """Progress bars on stderr: label, bar, done/total, elapsed time."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=errors,
        transient=False,
    )


@contextmanager
def progress_bar(label: str, waiting: str | None = None) -> Iterator[Callable[[int, int], None]]:
    """A status line (``waiting``, e.g. while the model loads) until the first update with work to do,
    then a progress bar. Work that needs no step (an index already up to date) shows no empty bar."""
    status = errors.status(waiting or f"{label}…")
    status.start()
    progress: Progress | None = None
    task: TaskID | None = None

    def update(done: int, total: int) -> None:
        nonlocal progress, task
        if total <= 0:
            return
        if progress is None:
            status.stop()
            progress = _progress()
            progress.start()
            task = progress.add_task(label, total=total)
        assert task is not None
        progress.update(task, completed=done, total=total)

    try:
        yield update
    finally:
        status.stop()
        if progress is not None:
            progress.stop()


@contextmanager
def status_line(text: str) -> Iterator[None]:
    """A transient status line on stderr while something slow runs (loading the model)."""
    with errors.status(text):
        yield


def port_is_free(host: str, port: int) -> bool:
    """Whether a server could listen on ``host:port`` now (checked before the slow start-up, so that a
    busy port is reported before anything announces success)."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


@contextmanager
def labeled_progress() -> Iterator[Callable[[str, int, int], None]]:
    """One progress bar per label (an index build, a run of queries), created on first update."""
    with _progress() as progress:
        tasks: dict[str, TaskID] = {}

        def update(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        yield update


def invoked_command(subcommand: str) -> str:
    """The command line as typed, from ``souffleur`` on (for reports)."""
    args = sys.argv[1:]
    words = subcommand.split()
    for i in range(len(args) - len(words) + 1):
        if args[i : i + len(words)] == words:
            return shlex.join(["souffleur", *args[i:]])
    return shlex.join(["souffleur", *words])
