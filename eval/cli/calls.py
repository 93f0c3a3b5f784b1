"""``souffleur eval calls``: replay call scripts through the live suggestion engine and score them."""

from __future__ import annotations

import json
import math
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.table import Table

from assistant.cli.support import KnowledgeOption, console, fail, load_settings, progress_bar, user_errors

# (metric, header, meaning): short headers so that the table fits 100 columns; the meanings are printed below.
COLUMNS = (
    ("call_success", "all\nexp.", "calls whose expected articles were all pushed"),
    ("any_expected_suggested", "≥1\nexp.", "calls with at least one expected article pushed"),
    ("expected_article_recall", "art.\nrecall", "expected articles pushed"),
    ("turns_to_first_correct", "turns to\ncorrect", "caller turns until the first correct push"),
    ("wrong_before_first_correct", "wrong\nbefore", "wrong pushes before (or alongside) the first correct one"),
    ("push_precision", "push\nprec.", "pushes that were expected"),
    ("uncovered_calls_with_push", "uncov.\npush", "uncovered calls with any push"),
    ("latency_p50_ms", "p50\nms", ""),
    ("latency_p95_ms", "p95\nms", "latency per caller utterance"),
)


def eval_calls(
    calls: Annotated[Path, typer.Option("--calls", help="JSONL file of call scripts")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Replay call scripts through the same suggestion engine as the live service: share of calls
    whose expected articles were pushed, caller turns until the first correct one, wrong pushes before it."""
    from assistant.replay.call_scripts import CallScriptError, load_call_scripts
    from assistant.wiring import build_call_service
    from eval.call_replay import replay_call, summarize

    settings = load_settings(knowledge)
    try:
        scripts = load_call_scripts(calls)
    except CallScriptError as exc:
        fail(str(exc))
    with user_errors(), tempfile.TemporaryDirectory() as scratch:
        service = build_call_service(settings, database_url=f"sqlite:///{Path(scratch) / 'replay.db'}")
        unknown = sorted({e for s in scripts for e in s.expected} - set(service.knowledge.articles))
        if unknown:
            fail(f"{calls}: unknown article ids: {', '.join(unknown)}")
        outcomes = []
        with progress_bar("Replaying calls", waiting="Loading the model…") as update:
            for n, script in enumerate(scripts, start=1):
                outcomes.append(replay_call(service, script))
                update(n, len(scripts))
        service.store.close()
    cities = sorted({o.script.city for o in outcomes})
    per_city = {c: summarize([o for o in outcomes if o.script.city == c]) for c in cities}
    overall = summarize(outcomes)
    if as_json:

        def clean(metrics: dict[str, float]) -> dict[str, float | None]:
            return {k: (None if math.isnan(v) else round(v, 4)) for k, v in metrics.items()}

        report = {"overall": clean(overall), "per_city": {c: clean(m) for c, m in per_city.items()}}
        print(json.dumps({**report, "n_calls": len(outcomes)}, ensure_ascii=False))
        return
    table = Table(
        title=f"Call replay: {calls} ({len(outcomes)} calls)",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        collapse_padding=True,
    )
    table.add_column("city", no_wrap=True)
    for _, label, _ in COLUMNS:
        table.add_column(label, justify="right", no_wrap=True)
    for name, metrics in [*per_city.items(), ("overall", overall)]:
        table.add_row(name, *("–" if math.isnan(metrics[k]) else f"{metrics[k]:.2f}" for k, _, _ in COLUMNS))
    console.print(table)
    legend = "; ".join(f"{label.replace(chr(10), ' ')}: {meaning}" for _, label, meaning in COLUMNS if meaning)
    console.print(legend, style="dim", highlight=False)
