"""Call scripts: loading with clear errors, and the replay metrics on a tiny scripted run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.replay.call_scripts import CallScript, CallScriptError, load_call_scripts
from assistant.wiring import build_call_service
from eval.call_replay import CallReplayOutcome, replay_calls, summarize
from tests.api_support import api_settings


@pytest.mark.unit
@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("{not json", "not valid JSON"),
        ('{"id": "a", "city": "bottrop", "turns": []}', "turns"),
        ('{"id": "a", "city": "bottrop", "turns": [["citizen", "hallo"]]}', "turns[0]"),
        ('{"id": "", "city": "bottrop", "turns": [["caller", "hallo"]]}', "'id'"),
        ('{"id": "a", "city": "bottrop", "expected": "x", "turns": [["caller", "hallo"]]}', "expected"),
    ],
)
def test_bad_call_scripts_name_line_and_field(tmp_path: Path, line: str, fragment: str) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text('{"id": "ok", "city": "bottrop", "turns": [["caller", "hallo"]]}\n' + line + "\n")
    with pytest.raises(CallScriptError) as error:
        load_call_scripts(path)
    assert f"{path}:2" in str(error.value) and fragment in str(error.value)


@pytest.mark.unit
def test_metrics_from_hand_made_outcomes() -> None:
    script = CallScript("c1", "bottrop", ("bottrop/a", "bottrop/b"), (("caller", "x"),))
    outcome = CallReplayOutcome(script, pushed=[(1, "bottrop/x"), (2, "bottrop/a"), (2, "bottrop/y")], caller_turns=4)
    assert outcome.first_correct_turn == 2
    assert outcome.wrong_before_first == 2  # x at turn 1, y alongside the first correct one
    missed = CallReplayOutcome(CallScript("c2", "bottrop", ("bottrop/c",), (("caller", "x"),)), caller_turns=3)
    uncovered = CallReplayOutcome(CallScript("c3", "bottrop", (), (("caller", "x"),)), pushed=[(1, "bottrop/z")])
    metrics = summarize([outcome, missed, uncovered])
    assert metrics["call_success"] == 0.0
    assert metrics["any_expected_suggested"] == 0.5
    assert metrics["expected_article_recall"] == pytest.approx(1 / 3)
    assert metrics["turns_to_first_correct"] == 2.0
    assert metrics["wrong_before_first_correct"] == 1.0
    assert metrics["push_precision"] == pytest.approx(1 / 3)
    assert metrics["uncovered_calls_with_push"] == 1.0


@pytest.mark.unit
def test_replay_through_the_live_engine(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = api_settings(knowledge_dir, tmp_path / "data", min_confidence=0.3)
    service = build_call_service(settings, database_url="sqlite://")
    script = CallScript(
        "dog",
        "dinslaken",
        ("dinslaken/hundesteuer",),
        (("agent", "Stadt Dinslaken, guten Tag"), ("caller", "hallo"), ("caller", "ich will meinen Hund anmelden")),
    )
    report = replay_calls(service, [script])
    outcome = report.outcomes[0]
    assert outcome.caller_turns == 2
    assert outcome.first_correct_turn == 2
    assert report.overall["call_success"] == 1.0
    assert json.dumps(report.as_json())


@pytest.mark.unit
def test_eval_calls_command_prints_valid_json(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from assistant.cli.main import app

    monkeypatch.setenv("SOUFFLEUR_MODEL", "fake:64")
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOUFFLEUR_MIN_CONFIDENCE", "0.3")
    calls = tmp_path / "calls.jsonl"
    rows = [
        {"id": "dog", "city": "bottrop", "expected": ["bottrop/hundesteuer"], "turns": [["caller", "Hund anmelden"]]},
        {"id": "gap", "city": "dinslaken", "expected": [], "turns": [["caller", "mein Handyvertrag ist zu teuer"]]},
    ]
    calls.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    args = ["eval", "calls", "--calls", str(calls), "--knowledge", str(knowledge_dir), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n_calls"] == 2
    assert report["per_city"]["bottrop"]["call_success"] == 1.0
    assert report["per_city"]["dinslaken"]["call_success"] is None
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**rows[0], "expected": ["bottrop/nope"]}) + "\n")
    failed = CliRunner().invoke(app, ["eval", "calls", "--calls", str(bad), "--knowledge", str(knowledge_dir)])
    assert failed.exit_code != 0 and "bottrop/nope" in failed.output
