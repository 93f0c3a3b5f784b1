"""``souffleur purge``: delete call data older than the retention period."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated

import typer

from assistant.cli.support import console, fail, load_settings


def purge_command(
    days: Annotated[
        int | None, typer.Option("--days", min=1, help="Keep this many days (default: settings retention_days)")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation")] = False,
) -> None:
    """Delete calls (with their utterances, suggestions, feedback and events) and manual searches
    older than the retention period."""
    from assistant.cli.gaps import sqlite_file
    from assistant.storage.call_store import CallStore

    settings = load_settings()
    keep = days or settings.retention_days
    cutoff = datetime.now(UTC) - timedelta(days=keep)
    path = sqlite_file(settings.database)
    if path is not None and not path.is_file():
        console.print(f"nothing to purge: no database at {path}", highlight=False)
        return
    when = f"{cutoff:%Y-%m-%d %H:%M} UTC"
    if not yes and not typer.confirm(f"Delete all call data from before {when} ({keep} days)?"):
        fail("nothing deleted", code=1)
    store = CallStore(settings.database)
    try:
        report = store.purge(cutoff)
    finally:
        store.close()
    console.print(
        f"[green]✓[/] deleted {report.calls} calls (with their utterances, suggestions, feedback, searches and "
        f"events) and {report.searches} manual searches outside calls from before {when}",
        highlight=False,
        soft_wrap=True,
    )
