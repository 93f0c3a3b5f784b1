"""``souffleur db``: the call database's schema (Alembic migrations)."""

from __future__ import annotations

import typer

from assistant.cli.support import console, load_settings

db_app = typer.Typer(help="The call database: schema upgrades.", no_args_is_help=True)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine.url import make_url

    return make_url(url).render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or upgrade the database schema to the newest revision (``serve`` also does this at start)."""
    from assistant.storage.call_store import make_engine
    from assistant.storage.schema import current_revision, head_revision, upgrade

    settings = load_settings()
    engine = make_engine(settings.database)
    try:
        before = current_revision(engine)
        upgrade(engine)
        after = current_revision(engine)
    finally:
        engine.dispose()
    where = _safe_url(settings.database)
    if before == after:
        console.print(f"[green]✓[/] {where} is at revision {after} (newest: {head_revision()})", highlight=False)
    else:
        console.print(f"[green]✓[/] {where} upgraded from {before or 'empty'} to {after}", highlight=False)


@db_app.command("current")
def db_current() -> None:
    """Print the database's schema revision and the newest one."""
    from assistant.storage.call_store import make_engine
    from assistant.storage.schema import current_revision, head_revision

    settings = load_settings()
    engine = make_engine(settings.database)
    try:
        revision = current_revision(engine)
    finally:
        engine.dispose()
    console.print(f"current: {revision or 'none'}  newest: {head_revision()}", highlight=False)
