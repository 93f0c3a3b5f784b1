"""Write a comparison as a report folder: ``report.md``, per-query scores and PNG plots (matplotlib, Agg)."""

from __future__ import annotations

import csv
import os
import platform
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from eval.comparison import TABLE_COLUMNS, ComparisonResult, ComparisonRow, format_metric, format_p
from eval.metrics import RANKING_METRICS

METRIC_LABELS = dict(TABLE_COLUMNS)
PLOT_METRICS = ("ndcg@10", "recall@1", "recall@3", "recall@5", "mrr@10", "noanswer_auroc")
METRICS_PLOT = "metrics.png"
PER_CITY_PLOT = "per_city_recall3.png"
PER_QUERY_FILE = "per_query.csv"
REPORT_FILE = "report.md"


@dataclass(frozen=True)
class ReportContext:
    """What the numbers were measured on, for the report's header."""

    queries: Path
    knowledge: Path
    command: str
    model: str


def machine_summary() -> str:
    """CPU count, platform and Python; the torch device when torch is loaded (a real model ran)."""
    parts = [f"{os.cpu_count()} CPU cores", platform.platform(), f"Python {platform.python_version()}"]
    torch = sys.modules.get("torch")
    if torch is not None:
        cuda = torch.cuda.is_available()
        parts.append(f"GPU: {torch.cuda.get_device_name(0)}" if cuda else "no GPU (torch on CPU)")
    return ", ".join(parts)


def _row_table(result: ComparisonResult) -> list[str]:
    header = ["configuration", *[label for _, label in TABLE_COLUMNS]]
    lines = [_md(header), _md(["---"] + ["---:"] * len(TABLE_COLUMNS))]
    for row in result.rows:
        lines.append(_md([row.label, *[format_metric(row, metric, result.test) for metric, _ in TABLE_COLUMNS]]))
    return lines


def _p_table(result: ComparisonResult) -> list[str]:
    header = ["configuration", "tested against", *[METRIC_LABELS[m] for m in RANKING_METRICS]]
    lines = [_md(header), _md(["---", "---"] + ["---:"] * len(RANKING_METRICS))]
    for row in result.rows:
        for other, p_values in ((row.baseline, row.p_values), (row.clean, row.clean_p_values)):
            if other is not None:
                lines.append(_md([row.label, other.label, *[format_p(p_values.get(m)) for m in RANKING_METRICS]]))
    return lines


def _city_table(result: ComparisonResult) -> list[str]:
    header = ["configuration", "city", "queries", *[METRIC_LABELS[m] for m in RANKING_METRICS]]
    lines = [_md(header), _md(["---", "---"] + ["---:"] * (len(RANKING_METRICS) + 1))]
    for row in result.rows:
        for city, metrics in row.report.per_city.items():
            values = [f"{metrics[m]:.3f}" for m in RANKING_METRICS]
            count = int(metrics["n_answerable"] + metrics["n_unanswerable"])
            lines.append(_md([row.label, city, str(count), *values]))
    return lines


def _md(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"


def render_markdown(result: ComparisonResult, context: ReportContext, when: datetime) -> str:
    baseline = result.rows[0].spec.name
    noise = (
        f"clean queries and ASR-noised twins (level {result.noise.level:g}, seed {result.noise.seed})"
        if result.noise
        else "clean queries only"
    )
    lines = [
        f"# Retrieval comparison: {context.queries.name}",
        "",
        f"- Date: {when.strftime('%Y-%m-%d %H:%M %Z')}",
        f"- Machine: {machine_summary()}",
        f"- Queries: `{context.queries}` ({result.n_queries} queries, {result.n_answerable} answerable); {noise}",
        f"- Knowledge folder: `{context.knowledge}`; configured model: `{context.model}`",
        f"- Command: `{context.command}`",
        f"- Significance: {result.test.describe()}. Baseline: `{baseline}` (the first configuration); noisy rows "
        f"are tested against the baseline on the same noisy queries, and against their own clean run.",
        "  ▲ / ▼: significantly better / worse than the baseline. Ranking metrics are over the answerable "
        "queries; leak rate and latency over all.",
        "",
        "## Configurations",
        "",
        _md(["name", "settings"]),
        _md(["---", "---"]),
        *[_md([row.spec.name, row.spec.describe()]) for row in result.rows if row.variant == "clean"],
        "",
        "## Results",
        "",
        *_row_table(result),
        "",
        "## Paired tests (p-values)",
        "",
        *_p_table(result),
        "",
        "## Per city",
        "",
        *_city_table(result),
        "",
        "## Plots",
        "",
        f"![Metrics per configuration]({METRICS_PLOT})",
        "",
        f"![Recall@3 per city]({PER_CITY_PLOT})",
        "",
        f"Per-query scores of every run: [{PER_QUERY_FILE}]({PER_QUERY_FILE}).",
        "",
    ]
    return "\n".join(lines)


def _grouped_bars(
    rows: list[ComparisonRow], groups: list[str], value: dict[str, list[float]], ylabel: str, title: str, path: Path
) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    width = 0.8 / max(1, len(rows))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.5 + len(groups) * (0.4 + 0.25 * len(rows))), 4.5))
    for i, row in enumerate(rows):
        positions = [g + (i - (len(rows) - 1) / 2) * width for g in range(len(groups))]
        ax.bar(positions, value[row.label], width=width, label=row.label)
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize="small", ncols=min(len(rows), 4), loc="upper center", bbox_to_anchor=(0.5, -0.08))
    ax.grid(axis="y", alpha=0.3)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)


def write_plots(result: ComparisonResult, out: Path) -> list[Path]:
    metrics_path, city_path = out / METRICS_PLOT, out / PER_CITY_PLOT
    _grouped_bars(
        result.rows,
        [METRIC_LABELS[m] for m in PLOT_METRICS],
        {r.label: [r.report.overall[m] for m in PLOT_METRICS] for r in result.rows},
        "score",
        "Metrics per configuration",
        metrics_path,
    )
    cities = sorted({c for r in result.rows for c in r.report.per_city})
    _grouped_bars(
        result.rows,
        cities,
        {r.label: [r.report.per_city.get(c, {}).get("recall@3", float("nan")) for c in cities] for r in result.rows},
        "Recall@3",
        "Recall@3 per city",
        city_path,
    )
    return [metrics_path, city_path]


def write_per_query(result: ComparisonResult, path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["configuration", "variant", "query_id", "city", "text", *RANKING_METRICS, "top_article"])
        for row in result.rows:
            scores = row.report.per_query()
            for outcome in row.report.outcomes:
                qid = outcome.query.id
                values = [f"{scores[m][qid]:.4f}" if qid in scores[m] else "" for m in RANKING_METRICS]
                top = outcome.ranked[0] if outcome.ranked else ""
                writer.writerow([row.spec.name, row.variant, qid, outcome.query.city, outcome.query.text, *values, top])


def write_report(result: ComparisonResult, out: Path, context: ReportContext, when: datetime | None = None) -> Path:
    """The report folder: ``report.md``, ``per_query.csv`` and the plots."""
    out.mkdir(parents=True, exist_ok=True)
    write_plots(result, out)
    write_per_query(result, out / PER_QUERY_FILE)
    report = out / REPORT_FILE
    report.write_text(render_markdown(result, context, when or datetime.now(UTC)), encoding="utf-8")
    return report
