"""``souffleur gaps``: knowledge gaps for content teams, from the stored calls."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer

from assistant.cli.support import KnowledgeOption, console, errors, fail, load_settings, user_errors
from assistant.settings import Settings

gaps_app = typer.Typer(help="Knowledge gaps for content teams.", no_args_is_help=True)

ReportFormat = Literal["md", "csv", "json"]
FORMATS: tuple[ReportFormat, ...] = ("md", "csv", "json")


def parse_day(value: str | None, option: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(f"{option} must be a date like 2026-10-01, not '{value}'")


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    from sqlalchemy.engine.url import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def require_database(settings: Settings) -> None:
    path = sqlite_file(settings.database)
    if path is not None and not path.is_file():
        fail(f"no call data yet: the database {path} does not exist (set SOUFFLEUR_DATABASE_URL or SOUFFLEUR_DATA_DIR)")


@gaps_app.command("report")
def gaps_report(
    city: Annotated[str | None, typer.Option("--city", "-c", help="Only this city (default: all)")] = None,
    since: Annotated[str | None, typer.Option("--since", help="Only calls from this day on (YYYY-MM-DD)")] = None,
    output: Annotated[str, typer.Option("--format", "-f", help="md, csv or json")] = "md",
    limit: Annotated[int | None, typer.Option("--limit", "-n", min=1, help="At most this many topics")] = None,
    catalog: Annotated[
        Path | None, typer.Option("--catalog", help="Service catalog CSV (default: settings gaps.catalog_file)")
    ] = None,
    knowledge: KnowledgeOption = None,
) -> None:
    """Topics callers ask about that the knowledge base answers badly, ranked by impact, with article
    health and differences between cities. JSON prints the list of topics."""
    from assistant.gaps.embedding_cache import CachedQueryEmbedder
    from assistant.gaps.report import GapReporter
    from assistant.gaps.report_csv import render_csv
    from assistant.gaps.report_json import topics_list
    from assistant.gaps.report_markdown import render_markdown
    from assistant.storage.call_store import CallStore
    from assistant.wiring import open_retriever
    from corpus.catalog import load_catalog
    from corpus.knowledge_base import load_knowledge_base

    if output not in FORMATS:
        fail(f"unknown format '{output}' (one of: {', '.join(FORMATS)})")
    day = parse_day(since, "--since")
    settings = load_settings(knowledge)
    require_database(settings)
    catalog_path = catalog or settings.gaps.catalog_file
    services = None
    if catalog_path.is_file():
        try:
            services = load_catalog(catalog_path)
        except ValueError as exc:
            fail(str(exc))
    elif catalog is not None:
        fail(f"no service catalog at {catalog}")
    else:
        errors.print(f"no service catalog at {catalog_path}; missing articles are not checked", highlight=False)
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        if city:
            city = kb.cities.get(city).key
        retriever, refreshed = open_retriever(settings, knowledge_base=kb)
        if refreshed is not None:
            errors.print(f"index refreshed: {refreshed.reason}", highlight=False)
        store = CallStore(settings.database)
        try:
            embedder = CachedQueryEmbedder(retriever.encoder)
            reporter = GapReporter(store, retriever, embedder, kb, services, settings.gaps.report_config())
            report = reporter.build(city, day)
        finally:
            store.close()
    if output == "json":
        print(json.dumps(topics_list(report, limit), ensure_ascii=False, indent=2))
    elif output == "csv":
        print(render_csv(report, limit), end="")
    else:
        print(render_markdown(report, limit), end="")


@gaps_app.command("url")
def gaps_url(
    port: Annotated[int | None, typer.Option("--port", help="Port the server runs on (default from settings)")] = None,
) -> None:
    """Print the address of the gaps page with the content-team token (in development mode a token is
    generated once and kept in the data folder)."""
    from assistant.api.security import MissingTokenError, resolve_content_token

    settings = load_settings()
    configured = settings.content_token.get_secret_value() if settings.content_token else None
    try:
        token = resolve_content_token(configured, settings.environment, settings.data_dir)
    except MissingTokenError as exc:
        fail(str(exc))
    base = (settings.server.public_url or f"http://{settings.server.host}:{port or settings.server.port}").rstrip("/")
    console.print(f"{base}/gaps?token={token}", highlight=False, soft_wrap=True)
