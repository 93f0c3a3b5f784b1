"""``souffleur eval``: score retrieval quality on labeled queries and calibrate confidence."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.table import Table

from assistant.cli_support import KnowledgeOption, console, fail, load_settings, user_errors
from embeddings.retriever import SEARCH_MODES, SearchMode

eval_app = typer.Typer(help="Score retrieval quality and calibrate confidence.", no_args_is_help=True)

QueriesOption = Annotated[Path, typer.Option("--queries", "-q", help="JSONL file of labeled queries")]


def _fmt(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"


@eval_app.command("run")
def eval_run(
    queries: QueriesOption,
    mode: Annotated[list[str] | None, typer.Option("--mode", help="hybrid, dense or lexical (repeatable)")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per mode")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Recall@1/3/5, MRR@10, nDCG@10, cross-city leak rate, no-answer AUROC and latency, per city."""
    from assistant.wiring import open_retriever
    from corpus.knowledge_base import load_knowledge_base
    from eval.queries import QueryFileError, load_queries
    from eval.retrieval_evaluation import evaluate_retriever

    settings = load_settings(knowledge)
    modes = mode or [settings.search_mode]
    for m in modes:
        if m not in SEARCH_MODES:
            fail(f"unknown mode '{m}' (one of: {', '.join(SEARCH_MODES)})")
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        try:
            labeled = load_queries(queries, set(kb.articles), set(kb.cities.keys))
        except QueryFileError as exc:
            fail(str(exc))
        retriever, _ = open_retriever(settings, knowledge_base=kb)
        for m in modes:
            run_mode = cast(SearchMode, m)
            retriever.clear_query_cache()  # each mode pays for its own query embeddings
            report = evaluate_retriever(retriever, labeled, kb.cities, run_mode, settings.min_confidence)
            if as_json:
                print(json.dumps(report.as_json(), ensure_ascii=False))
                continue
            table = Table(title=f"{queries.name}: {run_mode}, {report.n_queries} queries")
            columns = ["recall@1", "recall@3", "recall@5", "mrr@10", "ndcg@10", "leak_rate", "noanswer_auroc"]
            table.add_column("city")
            for c in [*columns, "latency_p50_ms", "latency_p95_ms"]:
                table.add_column(c, justify="right")
            rows = [*report.per_city.items(), ("overall", report.overall)]
            for city, metrics in rows:
                table.add_row(
                    city,
                    *[_fmt(metrics[c]) for c in columns],
                    f"{metrics['latency_p50_ms']:.1f}",
                    f"{metrics['latency_p95_ms']:.1f}",
                )
            console.print(table)


@eval_app.command("calibrate")
def eval_calibrate(
    queries: QueriesOption,
    out: Annotated[Path, typer.Option("--out", help="Calibration file to write")] = Path("calibration.json"),
    knowledge: KnowledgeOption = None,
) -> None:
    """Fit the per-mode confidence weights on labeled queries (set SOUFFLEUR_CALIBRATION_FILE to use them)."""
    from assistant.wiring import open_retriever
    from corpus.knowledge_base import load_knowledge_base
    from embeddings.confidence import ConfidenceModel, save_confidence_models
    from eval.calibration import collect_samples, fit_confidence
    from eval.queries import QueryFileError, load_queries

    settings = load_settings(knowledge)
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        try:
            labeled = load_queries(queries, set(kb.articles), set(kb.cities.keys))
        except QueryFileError as exc:
            fail(str(exc))
        retriever, _ = open_retriever(settings, knowledge_base=kb)
        models: dict[str, ConfidenceModel] = {}
        for mode in SEARCH_MODES:
            retriever.clear_query_cache()
            features, labels = collect_samples(retriever, labeled, mode)
            models[mode] = fit_confidence(features, labels, mode)
            console.print(f"{mode}: {models[mode]}")
        save_confidence_models(out, models, note=f"fitted on {queries} with model {retriever.encoder.model_id}")
    console.print(f"[green]✓[/] wrote {out}")
