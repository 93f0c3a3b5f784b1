"""``souffleur eval``: score retrieval quality on labeled queries, compare configurations, add ASR noise,
run external benchmarks and calibrate confidence."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, cast

import typer
from rich import box
from rich.table import Table

from assistant.cli.support import (
    KnowledgeOption,
    NoiseOption,
    NoiseSeedOption,
    console,
    fail,
    load_settings,
    user_errors,
)
from embeddings.retrieval.retriever import SEARCH_MODES, SearchMode
from eval.cli.bench import bench_app
from eval.cli.calls import (
    eval_calibrate_calls,
    eval_calibrate_topics,
    eval_calls,
    eval_export_examples,
    eval_export_gaps,
)
from eval.cli.compare import eval_compare
from eval.cli.queries import QueriesOption, labeled_queries

if TYPE_CHECKING:
    from eval.retrieval_evaluation import EvaluationReport

eval_app = typer.Typer(
    help="Score retrieval quality, compare configurations, run benchmarks, calibrate confidence.",
    no_args_is_help=True,
)
eval_app.command("compare")(eval_compare)
eval_app.command("calls")(eval_calls)
eval_app.command("calibrate-calls")(eval_calibrate_calls)
eval_app.command("calibrate-topics")(eval_calibrate_topics)
eval_app.command("export-examples")(eval_export_examples)
eval_app.command("export-gaps")(eval_export_gaps)
eval_app.add_typer(bench_app, name="bench")


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"


@eval_app.command("run")
def eval_run(
    queries: QueriesOption,
    mode: Annotated[list[str] | None, typer.Option("--mode", help="hybrid, dense or lexical (repeatable)")] = None,
    noise: NoiseOption = None,
    noise_seed: NoiseSeedOption = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per mode (and variant)")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Recall@1/3/5, MRR@10, nDCG@10, cross-city leak rate, no-answer AUROC and latency, per city."""
    from assistant.wiring import open_retriever
    from corpus.knowledge_base import load_knowledge_base
    from eval.asr_noise import AsrNoise, noisy_queries
    from eval.retrieval_evaluation import evaluate_retriever

    settings = load_settings(knowledge)
    modes = mode or [settings.retrieval.mode]
    for m in modes:
        if m not in SEARCH_MODES:
            fail(f"unknown mode '{m}' (one of: {', '.join(SEARCH_MODES)})")
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        labeled = labeled_queries(queries, kb)
        variants = [("clean", labeled)]
        if noise is not None:
            variants.append(("noisy", noisy_queries(labeled, AsrNoise(noise, noise_seed))))
        retriever, _ = open_retriever(settings, knowledge_base=kb)
        for m in modes:
            run_mode = cast(SearchMode, m)
            reports = []
            for variant, variant_queries in variants:
                retriever.clear_query_cache()  # each run pays for its own query embeddings
                report = evaluate_retriever(
                    retriever, variant_queries, kb.cities, run_mode, settings.retrieval.min_confidence
                )
                reports.append((variant, report))
                if as_json:
                    row = report.as_json()
                    if noise is not None:
                        row |= {"variant": variant, "noise": {"level": noise, "seed": noise_seed}}
                    print(json.dumps(row, ensure_ascii=False))
            if not as_json:
                title = f"{queries.name}: {run_mode}, {len(labeled)} queries"
                if noise is not None:
                    title += f", clean and noisy (level {noise:g}, seed {noise_seed})"
                _print_run_table(title, reports, noise is not None, settings.retrieval.min_confidence)


# (metric, header): short headers so that the table fits 100 columns; RUN_TABLE_LEGEND explains them.
RUN_TABLE_COLUMNS = (
    ("recall@1", "R@1"),
    ("recall@3", "R@3"),
    ("recall@5", "R@5"),
    ("mrr@10", "MRR@10"),
    ("ndcg@10", "nDCG@10"),
    ("leak_rate", "leak"),
    ("noanswer_auroc", "NA\nAUROC"),
    ("noanswer_precision", "NA\nprec."),
    ("noanswer_recall", "NA\nrecall"),
)
RUN_TABLE_LEGEND = (
    "R@k, MRR@10, nDCG@10: over the answerable queries; leak: share of queries with another city's article "
    'in the top 5; NA: "no answer" (the top confidence below retrieval.min_confidence {threshold:g}) separating '
    "unanswerable from answerable queries: AUROC, precision and recall; p50/p95: latency in ms."
)


def _print_run_table(
    title: str, reports: list[tuple[str, EvaluationReport]], with_variant: bool, threshold: float
) -> None:
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("city", no_wrap=True)
    if with_variant:
        table.add_column("queries", no_wrap=True)
    for _, header in RUN_TABLE_COLUMNS:
        table.add_column(header, justify="right", no_wrap=True)
    table.add_column("p50\nms", justify="right", no_wrap=True)
    table.add_column("p95\nms", justify="right", no_wrap=True)
    for variant, report in reports:
        for city, metrics in [*report.per_city.items(), ("overall", report.overall)]:
            table.add_row(
                city,
                *([variant] if with_variant else []),
                *[_fmt(metrics[c]) for c, _ in RUN_TABLE_COLUMNS],
                f"{metrics['latency_p50_ms']:.1f}",
                f"{metrics['latency_p95_ms']:.1f}",
                end_section=city == "overall",
            )
    console.print(table)
    console.print(RUN_TABLE_LEGEND.format(threshold=threshold), style="dim", highlight=False)


@eval_app.command("noise")
def eval_noise(
    queries: QueriesOption,
    out: Annotated[Path, typer.Option("--out", help="Noisy JSONL file to write")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same noise)")] = 0,
    level: Annotated[float, typer.Option("--level", min=0.0, max=1.0, help="Noise level, 0 (none) to 1")] = 0.5,
) -> None:
    """Write an ASR-noised copy of a query file: same ids and labels, misheard texts."""
    from eval.asr_noise import AsrNoise, NoiseFileError, write_noisy_queries

    if out.resolve() == queries.resolve():
        fail("--out must not be the input file")
    try:
        report = write_noisy_queries(queries, out, AsrNoise(level, seed))
    except NoiseFileError as exc:
        fail(str(exc))
    operations = ", ".join(f"{name} {count}" for name, count in sorted(report.operations.items())) or "none"
    console.print(
        f"[green]✓[/] wrote {out}: {report.changed} of {report.queries} texts changed "
        f"(level {level:g}, seed {seed}; operations: {operations})",
        highlight=False,
    )


@eval_app.command("calibrate")
def eval_calibrate(
    queries: QueriesOption,
    out: Annotated[Path, typer.Option("--out", help="Calibration file to write")] = Path("calibration.json"),
    knowledge: KnowledgeOption = None,
) -> None:
    """Fit the per-mode confidence weights on labeled queries (use them: SOUFFLEUR_RETRIEVAL__CALIBRATION_FILE)."""
    from assistant.wiring import open_retriever
    from corpus.knowledge_base import load_knowledge_base
    from embeddings.retrieval.confidence import ConfidenceModel, save_confidence_models
    from eval.calibration import collect_samples, fit_confidence

    settings = load_settings(knowledge)
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        labeled = labeled_queries(queries, kb)
        retriever, _ = open_retriever(settings, knowledge_base=kb)
        models: dict[str, ConfidenceModel] = {}
        for mode in SEARCH_MODES:
            retriever.clear_query_cache()
            features, labels = collect_samples(retriever, labeled, mode)
            models[mode] = fit_confidence(features, labels, mode)
            console.print(f"{mode}: {models[mode]}")
        save_confidence_models(out, models, note=f"fitted on {queries} with model {retriever.encoder.model_id}")
    console.print(f"[green]✓[/] wrote {out}")
