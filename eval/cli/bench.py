"""``souffleur eval bench``: external retrieval benchmarks, one command each, data folder as argument."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich.table import Table

from assistant.cli.support import console, errors, fail, labeled_progress, load_settings, user_errors
from embeddings.retrieval.retriever import SEARCH_MODES, SearchMode

if TYPE_CHECKING:
    from eval.benchmarks.benchmark_corpus import BenchmarkLoader
    from eval.benchmarks.runner import BenchmarkResult

bench_app = typer.Typer(
    help="External benchmarks: Munich DLDB keywords, XQuAD German, RAGSource bylaws.", no_args_is_help=True
)
BENCH_FOLDER = "bench"

DataOption = Annotated[Path, typer.Option("--data", help="The benchmark's data folder (see its SOURCE.md)")]
ModeOption = Annotated[
    list[str] | None, typer.Option("--mode", help="hybrid, dense or lexical (repeatable; default: all three)")
]
LimitOption = Annotated[int | None, typer.Option("--limit", min=1, help="Score only the first N queries")]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the results as JSON")]


@bench_app.command("munich")
def bench_munich(
    data: DataOption, mode: ModeOption = None, limit: LimitOption = None, as_json: JsonOption = False
) -> None:
    """Munich DLDB services imported without keywords, searched with the keywords (services_de.raw.json)."""
    from eval.benchmarks.munich import MunichKeywordBenchmark

    run_benchmark(MunichKeywordBenchmark(), data, mode, limit, as_json)


@bench_app.command("xquad")
def bench_xquad(
    data: DataOption, mode: ModeOption = None, limit: LimitOption = None, as_json: JsonOption = False
) -> None:
    """XQuAD German: each question against all 240 Wikipedia paragraphs (xquad.de.json)."""
    from eval.benchmarks.xquad import XquadBenchmark

    run_benchmark(XquadBenchmark(), data, mode, limit, as_json)


@bench_app.command("ragsource")
def bench_ragsource(
    data: DataOption, mode: ModeOption = None, limit: LimitOption = None, as_json: JsonOption = False
) -> None:
    """RAGSource statutes and bylaws: citizen questions against long legal documents (docs.jsonl)."""
    from eval.benchmarks.ragsource import RagsourceBenchmark

    run_benchmark(RagsourceBenchmark(), data, mode, limit, as_json)


def run_benchmark(
    loader: BenchmarkLoader, data: Path, modes: list[str] | None, limit: int | None, as_json: bool
) -> None:
    """Generate the corpus in a temporary folder, index it (cached under the data folder by model
    fingerprint), score each mode and print the table or JSON."""
    from corpus.knowledge_base import load_knowledge_base
    from eval.benchmarks.benchmark_corpus import BenchmarkDataError
    from eval.benchmarks.runner import BenchmarkResult, score_modes
    from eval.model_indexes import ModelIndexes

    settings = load_settings()
    chosen = modes or ["lexical", "dense", "hybrid"]
    for m in chosen:
        if m not in SEARCH_MODES:
            fail(f"unknown mode '{m}' (one of: {', '.join(SEARCH_MODES)})")
    with user_errors(), tempfile.TemporaryDirectory(prefix=f"souffleur-bench-{loader.name}-") as tmp:
        try:
            corpus = loader.build(data, Path(tmp) / "knowledge", limit)
        except BenchmarkDataError as exc:
            fail(str(exc))
        if not corpus.queries:
            fail(f"the {loader.name} benchmark in {data} has no queries to score")
        kb = load_knowledge_base(corpus.knowledge_dir)
        with labeled_progress() as progress:
            indexes = ModelIndexes(
                settings,
                kb,
                root=settings.data_dir / BENCH_FOLDER / loader.name,
                progress=lambda done, total: progress("index", done, total),
            )
            opened = indexes.open()
            retriever = indexes.retriever(None, settings.retrieval_config())
            reports = score_modes(
                retriever,
                corpus,
                kb.cities,
                [cast(SearchMode, m) for m in chosen],
                settings.retrieval.min_confidence,
                progress,
            )
    result = BenchmarkResult(
        corpus=corpus,
        passages=len(opened.index.passages),
        index_seconds=opened.report.seconds if opened.report is not None else None,
        reports=reports,
    )
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return
    print_benchmark(result, loader.description, opened.encoder.model_id)


def print_benchmark(result: BenchmarkResult, description: str, model: str) -> None:
    from eval.benchmarks.runner import BENCHMARK_COLUMNS

    corpus = result.corpus
    built = f"built in {result.index_seconds:.1f} s" if result.index_seconds is not None else "reused"
    table = Table(
        title=f"{corpus.name}: {description}",
        caption=f"{corpus.articles} articles, {result.passages} passages (index {built}), "
        f"{len(corpus.queries)} queries; model {model}",
    )
    table.add_column("mode")
    for _, label in BENCHMARK_COLUMNS:
        table.add_column(label, justify="right")
    for mode, report in result.reports.items():
        cells = []
        for key, _ in BENCHMARK_COLUMNS:
            value = report.overall[key]
            cells.append("–" if math.isnan(value) else f"{value:.1f}" if key.startswith("latency") else f"{value:.3f}")
        table.add_row(mode, *cells)
    console.print(table)
    for note in corpus.notes:
        errors.print(f"  {note}", highlight=False)
