"""``souffleur eval calls``: replay call scripts through the live suggestion engine and score them per
concern; ``souffleur eval calibrate-calls``: refit the cards' confidence on turn-level labels;
``souffleur eval calibrate-topics``: refit the topic-change model on the labeled concerns."""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from assistant.cli.support import KnowledgeOption, console, fail, load_settings, progress_bar, user_errors

if TYPE_CHECKING:
    from assistant.replay.call_scripts import CallScript
    from eval.call_replay import CallReplayOutcome

# (metric, header, meaning): short headers so that the table fits 100 columns; the meanings are printed below.
COLUMNS = (
    ("covered_concerns", "covered\nconcerns", "concerns the knowledge base covers"),
    ("concerns_with_expected_card", "right\ncard", "covered concerns with an expected card by their last caller turn"),
    ("concerns_with_expected_answer", "as\nanswer", "... shown as an answer card"),
    ("median_turns_to_right_card", "turns to\ncard", "median caller turns from the first turn of the concern"),
    ("uncovered_calls_with_answer", "uncov.\nanswer", "calls with an uncovered matter that got an answer card"),
    ("wrong_answers_per_covered_call", "wrong\nanswers", "wrong answer cards per covered call"),
    (
        "highlight_accuracy",
        "sentence\nright",
        "highlighted sentence among the labeled answers (--answers; any labeler's of the question)",
    ),
    ("highlight_accuracy_first_labeler", "first\nlabeler", "... among the first labeler's answers only"),
    ("latency_p50_ms", "p50\nms", ""),
    ("latency_p95_ms", "p95\nms", "latency per caller utterance"),
)


class ConfidenceKind(StrEnum):
    BOOSTED_TREES = "boosted-trees"
    LOGISTIC = "logistic"


CallsOption = Annotated[list[Path], typer.Option("--calls", help="JSONL file of call scripts (repeatable)")]


def _replay(calls: list[Path], knowledge: Path | None) -> list[CallReplayOutcome]:
    from assistant.replay.call_scripts import CallScriptError, load_call_scripts
    from assistant.wiring import build_call_service
    from eval.call_replay import replay_call

    settings = load_settings(knowledge)
    scripts: list[CallScript] = []
    try:
        for path in calls:
            scripts.extend(load_call_scripts(path))
    except CallScriptError as exc:
        fail(str(exc))
    outcomes = []
    with user_errors(), tempfile.TemporaryDirectory() as scratch:
        service = build_call_service(settings, database_url=f"sqlite:///{Path(scratch) / 'replay.db'}")
        expected = {e for s in scripts for c in s.concern_list() for e in (*s.expected, *c.expected)}
        unknown = sorted(expected - set(service.knowledge.articles))
        if unknown:
            fail(f"unknown article ids in the call scripts: {', '.join(unknown)}")
        with progress_bar("Replaying calls") as update:
            for n, script in enumerate(scripts, start=1):
                outcomes.append(replay_call(service, script))
                update(n, len(scripts))
        service.store.close()
    return outcomes


def eval_calls(
    calls: CallsOption,
    answers: Annotated[
        list[Path] | None,
        typer.Option(
            "--answers",
            help='JSONL of labeled answers: {"call_id", "turn", "article_id", "sentences"} (repeatable)',
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object")] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Replay call scripts through the same suggestion engine as the live service and score each
    concern: an expected card by the concern's last caller turn (any tier, and as ``answer``), the
    median caller turns until it, uncovered calls with an ``answer`` card, wrong ``answer`` cards per
    covered call, the highlighted sentence (with ``--answers``), and the confidence's reliability."""
    from eval.call_replay import clean, load_answer_labels, reliability, report

    labels = []
    for path in answers or []:
        try:
            labels.extend(load_answer_labels(path))
        except (OSError, ValueError) as exc:
            fail(str(exc))
    outcomes = _replay(calls, knowledge)
    result = report(outcomes, labels)
    bins = reliability(outcomes)
    if as_json:
        payload = {
            "overall": clean(result.overall),
            "per_city": {c: clean(m) for c, m in result.per_city.items()},
            "n_calls": len(outcomes),
            "reliability": bins,
        }
        print(json.dumps(payload, ensure_ascii=False))
        return
    names = ", ".join(str(p) for p in calls)
    table = Table(title=f"Call replay: {names} ({len(outcomes)} calls)")
    table.add_column("")
    shown = [(k, label, meaning) for k, label, meaning in COLUMNS if k in result.overall]
    for _, label, _ in shown:
        table.add_column(label, justify="right")
    for name, metrics in [*result.per_city.items(), ("overall", result.overall)]:
        table.add_row(name, *("–" if math.isnan(metrics[k]) else f"{metrics[k]:.2f}" for k, _, _ in shown))
    console.print(table)
    for _, label, meaning in shown:
        if meaning:
            console.print(f"  {label.replace(chr(10), ' ')}: {meaning}", highlight=False)
    bins_table = Table(title="Reliability of the card confidence (shown cards; right = expected article)")
    for column in ("bin", "cards", "mean confidence", "right"):
        bins_table.add_column(column, justify="right")
    for b in bins:
        bins_table.add_row(
            f"{b['low']:.1f}–{b['high']:.1f}", f"{int(b['n'])}", f"{b['confidence']:.2f}", f"{b['right']:.2f}"
        )
    console.print(bins_table)


def eval_calibrate_calls(
    calls: CallsOption,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Weights file (default: the engine's concern_confidence.json); "
            "a service uses another file with SOUFFLEUR_SUGGESTIONS__CONFIDENCE_FILE",
        ),
    ] = None,
    knowledge: KnowledgeOption = None,
    model: Annotated[
        ConfidenceKind,
        typer.Option("--model", help="boosted-trees (the default) or logistic (a weighted sum of the features)"),
    ] = ConfidenceKind.BOOSTED_TREES,
) -> None:
    """Refit the confidence of the cards on turn-level labels: every candidate article at every caller
    turn of a labeled concern, right when the concern expects it."""
    from assistant.live.concern_confidence import DEFAULT_WEIGHTS_FILE, FEATURES
    from eval.call_replay import training_rows

    rows = training_rows(_replay(calls, knowledge))
    note = f"fitted by: souffleur eval calibrate-calls {_sets(calls)} ({len(rows)} candidate rows)"
    nothing = "the calls gave no right and wrong candidates to fit on; are their concerns labeled?"
    target = out or DEFAULT_WEIGHTS_FILE
    if model is ConfidenceKind.LOGISTIC:
        _fit_and_save(rows, FEATURES, target, note, nothing)
        return
    from dataclasses import replace

    from eval.concern_calibration import fit_boosted_trees

    if len({y for _, y in rows}) < 2:
        fail(nothing)
    trees = replace(fit_boosted_trees(rows, FEATURES), note=note)
    trees.save(target)
    console.print(f"{target}: {note}")
    console.print(f"{len(trees.trees)} trees over {len(trees.features)} features")


def eval_calibrate_topics(
    calls: CallsOption,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Weights file (default: the engine's topic_change.json); "
            "a service uses another file with SOUFFLEUR_SUGGESTIONS__TOPIC_CHANGE_FILE",
        ),
    ] = None,
    knowledge: KnowledgeOption = None,
) -> None:
    """Refit the topic-change model (logistic regression) on the labeled concerns: every caller turn
    the engine asked it about, 1 when the turn moves on to another concern than the caller's previous
    one. The engine replays the calls with the current model (run it twice after changing features)."""
    from assistant.live.topic_change import DEFAULT_TOPIC_FILE, TOPIC_FEATURES
    from eval.call_replay import topic_rows

    rows = topic_rows(_replay(calls, knowledge))
    changes = sum(y for _, y in rows)
    _fit_and_save(
        rows,
        TOPIC_FEATURES,
        out or DEFAULT_TOPIC_FILE,
        f"fitted by: souffleur eval calibrate-topics {_sets(calls)} ({len(rows)} turns, {changes} move on)",
        "the calls gave no turns that stay and move on to fit on; are their concerns labeled?",
    )


def _sets(calls: list[Path]) -> str:
    return " ".join(f"--calls {p}" for p in calls)


def _fit_and_save(
    rows: list[tuple[dict[str, float], int]], features: Sequence[str], target: Path, note: str, nothing: str
) -> None:
    """Fit a logistic model over ``features`` on the labeled ``rows``, write it with ``note`` (the
    command and the sets) to ``target`` and print it; rows of one label only are the error ``nothing``."""
    from dataclasses import replace

    from eval.concern_calibration import fit_logistic_model

    if len({y for _, y in rows}) < 2:
        fail(nothing)
    model = replace(fit_logistic_model(rows, features), note=note)
    model.save(target)
    console.print(f"{target}: {note}")
    console.print({k: round(v, 3) for k, v in model.weights.items()}, f"bias {model.bias:.3f}")


def eval_export_examples(
    answers: Annotated[
        list[Path], typer.Option("--answers", help="JSONL of labeled answers (answer-labels files; repeatable)")
    ],
    out: Annotated[Path, typer.Option("--out", help="The examples file to write")],
    split: Annotated[str, typer.Option("--split", help="Export only the labels of this split")] = "tune",
    knowledge: KnowledgeOption = None,
) -> None:
    """Write the labeled questions of one split, with their answering sentences, as answer examples
    (a knowledge folder's answer-examples.jsonl): the live engine then highlights the sentence that
    answered a like question about the article. Never export a split you report on."""
    from corpus.knowledge_base import load_knowledge_base
    from eval.answer_examples_export import export_answer_examples

    settings = load_settings(knowledge)
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        try:
            count = export_answer_examples(answers, kb, out, split)
        except (OSError, ValueError) as exc:
            fail(str(exc))
    console.print(
        f"{count.examples} answer examples written to {out} ({split} split); left out: {count.other_split} "
        f"questions of another split, {count.sentences_not_in_article} sentences not in their article, "
        f"{count.unknown_articles} questions about unknown articles"
    )


def eval_export_gaps(
    calls: Annotated[list[Path], typer.Option("--calls", help="JSONL of labeled calls (tune halves; repeatable)")],
    out: Annotated[Path, typer.Option("--out", help="The known-gaps file to write")],
    every_city: Annotated[
        bool, typer.Option("--every-city", help="Each gap for every city (cities that cover the same services)")
    ] = False,
    knowledge: KnowledgeOption = None,
) -> None:
    """Write the concerns of labeled calls that expect no article as known gaps (a knowledge folder's
    known-gaps.jsonl): the live engine then shows no 'answer' card for a concern like one of them.
    Held-out halves (*-test.jsonl) are refused."""
    from corpus.knowledge_base import load_knowledge_base
    from eval.known_gaps_export import export_known_gaps

    settings = load_settings(knowledge)
    with user_errors():
        kb = load_knowledge_base(settings.knowledge_dir)
        try:
            count = export_known_gaps(calls, kb, out, every_city)
        except (OSError, ValueError) as exc:
            fail(str(exc))
    console.print(
        f"{count.gaps} known gaps written to {out}; left out: {count.covered_concerns} covered concerns, "
        f"{count.unknown_cities} concerns of cities the knowledge base does not have"
    )
