"""``souffleur eval compare``: several retrieval configurations on the same queries, with paired tests."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from assistant.cli.support import (
    KnowledgeOption,
    NoiseOption,
    NoiseSeedOption,
    console,
    errors,
    fail,
    invoked_command,
    labeled_progress,
    load_settings,
    user_errors,
)
from eval.cli.queries import QueriesOption, labeled_queries

if TYPE_CHECKING:
    from eval.comparison import ComparisonResult

MODEL_LOAD_ERRORS = (OSError, ValueError, RuntimeError)


def eval_compare(
    queries: QueriesOption,
    config: Annotated[
        list[str] | None,
        typer.Option(
            "--config",
            help="NAME=key=value,... with keys mode, lexical_weight, dense_weight, rrf_k, model (repeatable; "
            "the first configuration is the baseline)",
        ),
    ] = None,
    configs: Annotated[
        Path | None, typer.Option("--configs", help="TOML or JSON file with a list 'configs' of configurations")
    ] = None,
    noise: NoiseOption = None,
    noise_seed: NoiseSeedOption = 0,
    test: Annotated[str, typer.Option("--test", help="Paired test: student (t-test) or fisher (randomization)")] = (
        "student"
    ),
    alpha: Annotated[float, typer.Option("--alpha", help="Significance level")] = 0.05,
    out: Annotated[Path | None, typer.Option("--out", help="Report folder: report.md, plots, per-query scores")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Compare configurations (default: lexical, dense, hybrid) on the same queries, clean and noisy."""
    from corpus.knowledge_base import load_knowledge_base
    from embeddings.retrieval.retriever import HybridRetriever
    from eval.asr_noise import AsrNoise, noisy_queries
    from eval.comparison import NoiseSetting, compare_configurations
    from eval.comparison_report import ReportContext, write_report
    from eval.configurations import RetrievalSpec, SpecDefaults, collect_specs
    from eval.model_indexes import ModelIndexes
    from eval.significance import PairedTest

    settings = load_settings(knowledge)
    defaults = SpecDefaults(
        settings.retrieval.mode,
        settings.retrieval.lexical_weight,
        settings.retrieval.dense_weight,
        settings.retrieval.rrf_k,
    )
    try:
        specs = collect_specs(config or [], configs, defaults)
        paired_test = PairedTest(stat_test=test, alpha=alpha)
    except ValueError as exc:  # a ConfigSpecError or a bad --test / --alpha
        fail(str(exc))
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        labeled = labeled_queries(queries, kb)
        noisy = noisy_queries(labeled, AsrNoise(noise, noise_seed)) if noise is not None else None
        configured = settings.retrieval_config()  # what a configuration does not set (candidates, confidence, ...)
        with labeled_progress() as progress:
            indexes = ModelIndexes(settings, kb, progress=lambda done, total: progress("index", done, total))

            def retriever_for(spec: RetrievalSpec) -> HybridRetriever:
                retrieval = replace(
                    configured,
                    mode=spec.mode,
                    lexical_weight=spec.lexical_weight,
                    dense_weight=spec.dense_weight,
                    rrf_k=spec.rrf_k,
                )
                try:
                    return indexes.retriever(spec.model, retrieval)
                except MODEL_LOAD_ERRORS as exc:
                    model = spec.model or settings.encoder.model
                    fail(f"configuration '{spec.name}': the model {model} cannot be used: {exc}")

            result = compare_configurations(
                specs,
                retriever_for,
                labeled,
                kb.cities,
                settings.retrieval.min_confidence,
                paired_test,
                noisy_queries=noisy,
                noise=NoiseSetting(noise, noise_seed) if noise is not None else None,
                progress=progress,
            )
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
    else:
        print_comparison(result, queries)
    if out is not None:
        context = ReportContext(
            queries=queries, knowledge=kb.root, command=invoked_command("eval compare"), model=settings.encoder.model
        )
        report = write_report(result, out, context)
        (errors if as_json else console).print(f"[green]✓[/] report written to {report}", highlight=False)


def print_comparison(result: ComparisonResult, queries: Path) -> None:
    from eval.comparison import TABLE_COLUMNS, format_metric, format_p
    from eval.metrics import RANKING_METRICS

    noise = f", noise level {result.noise.level:g} (seed {result.noise.seed})" if result.noise else ""
    table = Table(
        title=f"{queries.name}: {result.n_queries} queries ({result.n_answerable} answerable){noise}",
        caption=f"▲/▼ significantly better/worse than {result.rows[0].spec.name} ({result.test.describe()})",
    )
    table.add_column("configuration", no_wrap=True)
    for _, label in TABLE_COLUMNS:
        table.add_column(label, justify="right")
    for row in result.rows:
        table.add_row(row.label, *[format_metric(row, metric, result.test) for metric, _ in TABLE_COLUMNS])
    console.print(table)
    labels = dict(TABLE_COLUMNS)
    tests = Table(title="p-values (paired, per query)")
    tests.add_column("configuration", no_wrap=True)
    tests.add_column("against", no_wrap=True)
    for metric in RANKING_METRICS:
        tests.add_column(labels[metric], justify="right")
    for row in result.rows:
        for other, p_values in ((row.baseline, row.p_values), (row.clean, row.clean_p_values)):
            if other is not None:
                tests.add_row(row.label, other.label, *[format_p(p_values.get(m)) for m in RANKING_METRICS])
    if tests.row_count:
        console.print(tests)
