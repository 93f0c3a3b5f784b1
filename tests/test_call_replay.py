"""Call scripts: loading with clear errors, and the replay metrics on a tiny scripted run."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import Result

from assistant.replay.call_scripts import CallScript, CallScriptError, Concern, load_call_scripts
from assistant.wiring import build_call_service
from eval.call_replay import (
    AnswerLabel,
    CallReplayOutcome,
    ShownCard,
    TurnRecord,
    answer_matches,
    merged_labels,
    reliability,
    replay_calls,
    summarize,
    topic_rows,
    training_rows,
)
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
        ('{"id": "a", "city": "bottrop", "concerns": [], "turns": [["caller", "hallo"]]}', "concerns"),
        (
            '{"id": "a", "city": "bottrop", "concerns": [{"expected": [], "caller_turns": [1]}], '
            '"turns": [["caller", "hallo"], ["agent", "ja"]]}',
            "concerns[0].caller_turns: 1",
        ),
    ],
)
def test_bad_call_scripts_name_line_and_field(tmp_path: Path, line: str, fragment: str) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text('{"id": "ok", "city": "bottrop", "turns": [["caller", "hallo"]]}\n' + line + "\n")
    with pytest.raises(CallScriptError) as error:
        load_call_scripts(path)
    assert f"{path}:2" in str(error.value) and fragment in str(error.value)


@pytest.mark.unit
def test_concerns_are_read_and_old_files_have_one_concern(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    rows = [
        {"id": "old", "city": "bottrop", "expected": ["bottrop/a"], "turns": [["agent", "hi"], ["caller", "x"]]},
        {
            "id": "new",
            "city": "bottrop",
            "expected": ["bottrop/a"],
            "concerns": [
                {"expected": ["bottrop/a"], "caller_turns": [0], "matter": "a"},
                {"expected": [], "caller_turns": [2]},
            ],
            "turns": [["caller", "x"], ["agent", "y"], ["caller", "z"]],
        },
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    old, new = load_call_scripts(path)
    assert old.concern_list() == (Concern(("bottrop/a",), (1,)),)
    assert new.concern_list() == (Concern(("bottrop/a",), (0,), "a"), Concern((), (2,)))


def card(article_id: str, tier: str = "answer", score: float = 0.8, answer: str = "") -> ShownCard:
    return ShownCard(article_id, tier, score, answer)


def six_caller_turns(*concerns: Concern) -> CallScript:
    """A call "c1" in Bottrop of six caller turns that expects articles a and b, with ``concerns``."""
    turns = tuple(("caller", str(i)) for i in range(6))
    return CallScript("c1", "bottrop", ("bottrop/a", "bottrop/b"), turns, concerns)  # type: ignore[arg-type]


@pytest.mark.unit
def test_concern_metrics_from_hand_made_outcomes() -> None:
    script = six_caller_turns(Concern(("bottrop/a",), (0, 1, 2)), Concern(("bottrop/b",), (3, 4)), Concern((), (5,)))
    found = CallReplayOutcome(
        script,
        [
            TurnRecord(0, 1, 0, (card("bottrop/x"),)),
            TurnRecord(1, 2, 0, (card("bottrop/a", "maybe"),)),
            TurnRecord(2, 3, 0, (card("bottrop/a"),)),
            TurnRecord(3, 4, 1, ()),
            TurnRecord(4, 5, 1, (card("bottrop/b", "maybe"),)),
            TurnRecord(5, 6, 2, (card("bottrop/b", "maybe"),)),
        ],
    )
    uncovered = CallReplayOutcome(
        CallScript("c2", "bottrop", (), (("caller", "x"),)), [TurnRecord(0, 1, 0, (card("bottrop/z"),))]
    )
    quiet = CallReplayOutcome(
        CallScript("c3", "bottrop", (), (("caller", "x"),)), [TurnRecord(0, 1, 0, (card("bottrop/z", "maybe"),))]
    )
    metrics = summarize([found, uncovered, quiet])
    assert metrics["covered_concerns"] == 2
    assert metrics["concerns_with_expected_card"] == 1.0
    assert metrics["concerns_with_expected_answer"] == 0.5
    assert metrics["median_turns_to_right_card"] == 1.0  # a after 1 turn, b after 1 turn
    assert metrics["uncovered_calls_with_answer"] == 0.5
    assert metrics["wrong_answers_per_covered_call"] == 1.0  # x during the first concern
    assert found.pushed == [(1, "bottrop/x"), (2, "bottrop/a"), (5, "bottrop/b")]


@pytest.mark.unit
def test_highlight_accuracy_reliability_and_training_rows() -> None:
    script = CallScript("c1", "bottrop", ("bottrop/a",), (("caller", "x"), ("caller", "kostet das was")))
    outcome = CallReplayOutcome(
        script,
        [
            TurnRecord(0, 1, 0, (card("bottrop/a", score=0.85, answer="Ein Termin ist nötig."),)),
            TurnRecord(
                1,
                2,
                0,
                (card("bottrop/a", score=0.95, answer="Die Gebühr: 28,80 Euro."), card("bottrop/q", "maybe", 0.3)),
                (("bottrop/a", {"cosine": 0.9}, 0.95), ("bottrop/q", {"cosine": 0.8}, 0.3)),
            ),
        ],
    )
    labels = [
        AnswerLabel("c1", 1, "bottrop/a", ("Die **Gebühr**: 28,80 Euro",)),
        AnswerLabel("c1", 0, "bottrop/a", ("Die Gebühr: 28,80 Euro.",)),
        AnswerLabel("c1", 1, "bottrop/missing", ("x",)),
    ]
    metrics = summarize([outcome], labels)
    assert metrics["highlight_accuracy"] == pytest.approx(1 / 3)
    assert metrics["highlight_accuracy_when_shown"] == 0.5
    assert answer_matches("Sie zahlen 10 Euro.", ["sie zahlen 10 euro"])
    assert answer_matches("Gebühr: 10 Euro.", ["10 Euro"])  # one contains the other
    assert not answer_matches("6 Euro", ["Der Ausweis kostet 46 Euro."])  # word for word, not "46"
    assert not answer_matches("", ["x"])
    bins = reliability([outcome])
    assert [(b["low"], b["n"], b["right"]) for b in bins] == [(0.3, 1.0, 0.0), (0.8, 1.0, 1.0), (0.9, 1.0, 1.0)]
    assert training_rows([outcome]) == [({"cosine": 0.9}, 1), ({"cosine": 0.8}, 0)]


@pytest.mark.unit
def test_replay_through_the_live_engine(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = api_settings(knowledge_dir, tmp_path / "data")
    service = build_call_service(settings, database_url="sqlite://")
    script = CallScript(
        "dog",
        "dinslaken",
        ("dinslaken/hundesteuer",),
        (("agent", "Stadt Dinslaken, guten Tag"), ("caller", "hallo"), ("caller", "ich will meinen Hund anmelden")),
    )
    report = replay_calls(service, [script])
    outcome = report.outcomes[0]
    assert [r.caller_turn for r in outcome.turns] == [1, 2]
    assert outcome.turns[0].cards == (), "a greeting shows nothing"
    assert report.overall["concerns_with_expected_card"] == 1.0
    assert json.dumps(report.as_json())


@pytest.fixture
def souffleur(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[list[str]], Result]:
    """Runs the command line with the fake encoder and a data folder of its own."""
    from typer.testing import CliRunner

    from assistant.cli.main import app

    monkeypatch.setenv("SOUFFLEUR_ENCODER__MODEL", "fake:64")
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "data"))
    return lambda args: CliRunner().invoke(app, args)


@pytest.mark.unit
def test_eval_calls_command_prints_valid_json(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, souffleur: Callable[[list[str]], Result]
) -> None:
    monkeypatch.setenv("SOUFFLEUR_RETRIEVAL__MIN_CONFIDENCE", "0.3")
    calls = tmp_path / "calls.jsonl"
    rows = [
        {"id": "dog", "city": "bottrop", "expected": ["bottrop/hundesteuer"], "turns": [["caller", "Hund anmelden"]]},
        {"id": "gap", "city": "dinslaken", "expected": [], "turns": [["caller", "mein Handyvertrag ist zu teuer"]]},
    ]
    calls.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    args = ["eval", "calls", "--calls", str(calls), "--knowledge", str(knowledge_dir), "--json"]
    result = souffleur(args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["n_calls"] == 2
    assert report["per_city"]["bottrop"]["concerns_with_expected_card"] == 1.0
    assert report["per_city"]["dinslaken"]["concerns_with_expected_card"] is None
    assert isinstance(report["reliability"], list)
    label = {"call_id": "dog", "turn": 0, "article_id": "bottrop/hundesteuer", "sentences": ["x"]}
    first, second = tmp_path / "answers1.jsonl", tmp_path / "answers2.jsonl"
    first.write_text(json.dumps(label) + "\n")
    second.write_text(json.dumps({**label, "turn": 1, "sentences": ["y"]}) + "\n")
    both = souffleur([*args, "--answers", str(first), "--answers", str(second)])
    assert both.exit_code == 0, both.output
    assert json.loads(both.stdout.strip().splitlines()[-1])["overall"]["highlight_triples"] == 2, "labels of both files"
    again = souffleur([*args, "--answers", str(first), "--answers", str(first)])
    assert json.loads(again.stdout.strip().splitlines()[-1])["overall"]["highlight_triples"] == 1, "one question once"
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({**rows[0], "expected": ["bottrop/nope"]}) + "\n")
    failed = souffleur(["eval", "calls", "--calls", str(bad), "--knowledge", str(knowledge_dir)])
    assert failed.exit_code != 0 and "bottrop/nope" in failed.output


@pytest.mark.unit
def test_calibrate_topics_command_writes_a_model_the_service_can_load(
    knowledge_dir: Path, tmp_path: Path, souffleur: Callable[[list[str]], Result]
) -> None:
    from assistant.live.topic_change import TOPIC_FEATURES, load_topic_change

    both = ["bottrop/hundesteuer", "bottrop/sperrmuell"]
    moves = {
        "city": "bottrop",
        "expected": both,
        "concerns": [
            {"expected": ["bottrop/hundesteuer"], "caller_turns": [0, 1]},
            {"expected": ["bottrop/sperrmuell"], "caller_turns": [2]},
        ],
        "turns": [
            ["caller", "wir haben einen Hund angeschafft und müssen ihn anmelden"],
            ["caller", "was kostet die Hundesteuer im Jahr"],
            ["caller", "und das alte Sofa muss als Sperrmüll abgeholt werden"],
        ],
    }
    calls = tmp_path / "calls.jsonl"
    calls.write_text("\n".join(json.dumps({"id": f"c{i}", **moves}) for i in range(3)) + "\n")
    out = tmp_path / "topics.json"
    args = ["eval", "calibrate-topics", "--calls", str(calls), "--knowledge", str(knowledge_dir), "--out", str(out)]
    result = souffleur(args)
    assert result.exit_code == 0, result.output
    model = load_topic_change(out)
    assert set(model.weights) == set(TOPIC_FEATURES) and "3 move on" in model.note
    one_concern = tmp_path / "one.jsonl"
    one_concern.write_text(
        json.dumps({**moves, "id": "x", "concerns": [{"expected": both, "caller_turns": [0, 1, 2]}]})
    )
    failed = souffleur([*args[:3], str(one_concern), *args[4:]])
    assert failed.exit_code != 0 and "no turns that stay and move on" in failed.output


@pytest.mark.unit
def test_calibrate_calls_command_writes_a_confidence_the_service_can_load(
    knowledge_dir: Path, tmp_path: Path, souffleur: Callable[[list[str]], Result]
) -> None:
    from assistant.live.concern_confidence import FEATURES, BoostedTrees, LogisticModel, load_concern_confidence

    calls = tmp_path / "calls.jsonl"
    rows = [
        {"id": f"c{i}", "city": "bottrop", "expected": ["bottrop/hundesteuer"], "turns": [["caller", text]]}
        for i, text in enumerate(["wir haben einen Hund, was kostet die Hundesteuer", "Hund anmelden bitte"])
    ]
    calls.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    out = tmp_path / "confidence.json"
    args = ["eval", "calibrate-calls", "--calls", str(calls), "--knowledge", str(knowledge_dir), "--out", str(out)]
    result = souffleur(args)
    assert result.exit_code == 0, result.output
    trees = load_concern_confidence(out)
    assert isinstance(trees, BoostedTrees), "boosted trees by default"
    assert set(trees.features) == set(FEATURES) and len(trees.trees) > 0
    assert "calibrate-calls --calls" in trees.note and "candidate rows" in trees.note
    result = souffleur([*args, "--model", "logistic"])
    assert result.exit_code == 0, result.output
    logistic = load_concern_confidence(out)
    assert isinstance(logistic, LogisticModel) and set(logistic.weights) == set(FEATURES)
    assert "candidate rows" in logistic.note


@pytest.mark.unit
def test_topic_rows_label_the_turns_that_move_on_to_another_concern() -> None:
    """A turn the model was asked about is 1 when it shares no concern with the caller's previous
    labeled turn; turns outside every concern, and turns the model was not asked about, give no row."""
    script = six_caller_turns(Concern(("bottrop/a",), (0, 2, 3)), Concern(("bottrop/b",), (3, 4, 5)))
    asked = {"top_held": 1.0}
    outcome = CallReplayOutcome(
        script,
        [
            TurnRecord(0, 1, 0, (), (), None),  # the first turn: no model
            TurnRecord(1, 2, 0, (), (), {"top_held": 0.5}),  # small talk, in no concern
            TurnRecord(2, 3, 0, (), (), asked),  # stays with a
            TurnRecord(3, 4, 0, (), (), asked),  # serves a and b: stays
            TurnRecord(4, 5, 1, (), (), {"top_held": 0.0}),  # b only, but b began at turn 3: stays
            TurnRecord(5, 6, 1, (), (), None),  # a cue decided: no model
        ],
    )
    assert topic_rows([outcome]) == [(asked, 0), (asked, 0), ({"top_held": 0.0}, 0)]
    moved = CallReplayOutcome(
        six_caller_turns(Concern(("bottrop/a",), (0,)), Concern(("bottrop/b",), (1,))),
        [TurnRecord(0, 1, 0, (), (), None), TurnRecord(1, 2, 0, (), (), asked)],
    )
    assert topic_rows([moved]) == [(asked, 1)]


@pytest.mark.unit
def test_the_shipped_topic_change_model_loads_and_a_broken_file_is_named(tmp_path: Path) -> None:
    from assistant.live.topic_change import DEFAULT_TOPIC_FILE, TOPIC_FEATURES, load_topic_change

    shipped = load_topic_change()
    assert DEFAULT_TOPIC_FILE.is_file() and set(shipped.weights) == set(TOPIC_FEATURES)
    assert "calibrate-topics" in shipped.note
    missing = load_topic_change(tmp_path / "none.json")
    assert missing({"top_strength": 1.0, "content_words": 3.0}) < 0.01, "without a model only cues change"
    broken = tmp_path / "topics.json"
    broken.write_text('{"bias": 0, "weights": {"cosine": 1}}')
    with pytest.raises(ValueError, match=r"topic-change model file .*topics.json.*cosine"):
        load_topic_change(broken)


@pytest.mark.unit
def test_fitted_concern_confidence_separates_right_from_wrong_and_round_trips(tmp_path: Path) -> None:
    from assistant.live.concern_confidence import LogisticModel, load_concern_confidence
    from eval.concern_calibration import fit_logistic_model

    rows = [({"dense_rank": 1.0, "cosine": 0.9}, 1)] * 20 + [({"dense_rank": 0.2, "cosine": 0.7}, 0)] * 20
    model = fit_logistic_model(rows, ("dense_rank", "cosine"))
    assert model({"dense_rank": 1.0, "cosine": 0.9}) > 0.7
    assert model({"dense_rank": 0.2, "cosine": 0.7}) < 0.3
    # A feature that moves within a few hundredths (a cosine) still gets its say: the fit standardizes.
    narrow = [({"cosine": 0.86 + 0.001 * (i % 5)}, 1) for i in range(30)]
    narrow += [({"cosine": 0.83 + 0.001 * (i % 5)}, 0) for i in range(30)]
    steep = fit_logistic_model(narrow, ("cosine",))
    assert steep({"cosine": 0.865}) > 0.8 and steep({"cosine": 0.832}) < 0.2
    path = tmp_path / "weights.json"
    LogisticModel(model.bias, model.weights, "test").save(path)
    assert load_concern_confidence(path) == LogisticModel(model.bias, model.weights, "test")
    path.write_text('{"bias": 0, "weights": {"shoe_size": 1}}')
    with pytest.raises(ValueError, match="shoe_size"):
        load_concern_confidence(path)


@pytest.mark.unit
def test_boosted_trees_separate_what_a_weighted_sum_cannot_and_round_trip(tmp_path: Path) -> None:
    """Right only where both features are high or both low (an interaction no weighted sum of the two
    features fits): the exported trees learn it, give the fitted model's probabilities (checked inside
    the fit), and load back from their file; a file with a broken tree is named."""
    from assistant.live.concern_confidence import load_concern_confidence
    from eval.concern_calibration import fit_boosted_trees, fit_logistic_model

    grid = [(a / 10, b / 10) for a in range(11) for b in range(11)]
    rows = [({"cosine": a, "coverage": b}, int((a > 0.5) == (b > 0.5))) for a, b in grid] * 3
    trees = fit_boosted_trees(rows, ("cosine", "coverage"), depth=2, trees=50, learning_rate=0.3)
    logistic = fit_logistic_model(rows, ("cosine", "coverage"))
    for point, right in (((0.9, 0.9), True), ((0.1, 0.1), True), ((0.9, 0.1), False), ((0.1, 0.9), False)):
        features = {"cosine": point[0], "coverage": point[1]}
        assert (trees(features) > 0.8) if right else (trees(features) < 0.2), point
        assert 0.2 < logistic(features) < 0.8, "a weighted sum cannot tell these apart"
    path = tmp_path / "trees.json"
    trees.save(path)
    again = load_concern_confidence(path)
    assert again == trees and again({"cosine": 0.9, "coverage": 0.9}) == trees({"cosine": 0.9, "coverage": 0.9})
    raw = json.loads(path.read_text(encoding="utf-8"))
    raw["trees"][0]["left"][0] = 10_000
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match=r"concern confidence file .*trees.json.*outside the tree"):
        load_concern_confidence(path)
    raw["features"] = ["shoe_size", "coverage"]
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValueError, match="shoe_size"):
        load_concern_confidence(path)


@pytest.mark.unit
def test_a_question_labeled_by_two_labelers_counts_once_with_the_answers_of_either() -> None:
    script = CallScript("c1", "bottrop", ("bottrop/a",), (("caller", "kostet das was"), ("caller", "und wie lange")))
    outcome = CallReplayOutcome(
        script,
        [
            TurnRecord(0, 1, 0, (card("bottrop/a", answer="Die Gebühr beträgt 28,80 Euro."),)),
            TurnRecord(1, 2, 0, (card("bottrop/a", answer="In der Regel zwei Wochen."),)),
        ],
    )
    labels = [
        AnswerLabel("c1", 0, "bottrop/a", ("Die Gebühr beträgt 28,80 Euro.",)),
        AnswerLabel("c1", 1, "bottrop/a", ("Der Ausweis kommt per Post nach zwei bis drei Wochen.",)),
        AnswerLabel("c1", 1, "bottrop/a", ("In der Regel zwei Wochen.",), labeler="second"),
        AnswerLabel("c1", 0, "bottrop/a", ("Gebührenfrei für Kinder.",), labeler="second"),
    ]
    metrics = summarize([outcome], labels)
    assert metrics["highlight_triples"] == 2  # two questions, not four labels
    assert metrics["highlight_accuracy"] == 1.0  # the second labeler accepted the duration sentence
    assert metrics["highlight_accuracy_first_labeler"] == 0.5
    merged = dict((m.key, m) for m, _ in merged_labels(labels))
    assert merged[("c1", 1, "bottrop/a")].sentences == (
        "Der Ausweis kommt per Post nach zwei bis drei Wochen.",
        "In der Regel zwei Wochen.",
    )
    assert merged[("c1", 1, "bottrop/a")].labeler == "first+second"
    # Without a "first" label, the first one read stands in for it.
    third = replace(labels[1], labeler="third")
    assert summarize([outcome], [labels[2], third])["highlight_accuracy_first_labeler"] == 1.0
    assert summarize([outcome], [third, labels[2]])["highlight_accuracy_first_labeler"] == 0.0


@pytest.mark.unit
def test_answer_labels_leave_out_silent_articles_and_a_malformed_line_names_file_and_line(tmp_path: Path) -> None:
    from eval.call_replay import load_answer_labels

    good = {"call_id": "c1", "turn": 3, "article_id": "bottrop/x", "sentences": ["s"]}
    second = {**good, "sentences": ["t"], "labeler": "second"}
    path = tmp_path / "answers.jsonl"
    lines = [json.dumps(good), "", json.dumps({**good, "answerable": False}), json.dumps(second)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert load_answer_labels(path) == [
        AnswerLabel("c1", 3, "bottrop/x", ("s",)),
        AnswerLabel("c1", 3, "bottrop/x", ("t",), labeler="second"),
    ]
    for bad in ("{not json", json.dumps([1, 2]), json.dumps({**good, "turn": "drei"})):
        path.write_text(json.dumps(good) + "\n" + bad + "\n", encoding="utf-8")
        with pytest.raises(
            ValueError, match=r"answers\.jsonl:2: needs call_id, turn, article_id and sentences \(optional: labeler\)"
        ):
            load_answer_labels(path)


@pytest.mark.unit
def test_call_ids_are_unique_across_the_demo_call_files() -> None:
    """Sets are replayed together and answer labels name their call by id: two files with the same id
    would mix up whose labels are whose."""
    calls = Path(__file__).resolve().parents[1] / "demo" / "calls"
    seen: dict[str, str] = {}
    for path in sorted(calls.glob("*.jsonl")):
        if path.name.startswith("answer-labels"):
            continue
        for script in load_call_scripts(path):
            assert script.id not in seen, f"{script.id} is in {seen.get(script.id)} and {path.name}"
            seen[script.id] = path.name
    for path in sorted(calls.glob("answer-labels*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert json.loads(line)["call_id"] in seen, (path.name, line[:60])
