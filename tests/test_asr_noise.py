"""The ASR-noise transform: deterministic per seed, lower case, homophones, split and merged words."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from eval.asr_noise import AsrNoise, NoiseFileError, NoiseRates, compound_joint, noisy_queries, write_noisy_queries
from eval.queries import LabeledQuery, load_queries

pytestmark = pytest.mark.unit

NOTHING = NoiseRates(lowercase=0, strip_punctuation=0, homophone=0, split_compound=0, merge_words=0, drop_short_word=0)
SAMPLE = [
    "Ich will meinen Personalausweis verlängern, geht das diese Woche?",
    "wo kann ich mal die Hundesteuer anmelden",
    "seit wann ist das Bürgerbüro wieder offen, haben wir einen Termin?",
    "Sperrmüll abholen lassen: was kostet das?",
    "Geburtsurkunde für die Heirat bestellen",
]


def only(**rates: float) -> NoiseRates:
    return NoiseRates(**{**NOTHING.__dict__, **rates})


def write_queries(path: Path) -> Path:
    rows = [
        {"id": f"q{i}", "city": "bottrop", "text": text, "relevant": {"bottrop/a": 2, "bottrop/b": 1}, "note": "x"}
        for i, text in enumerate(SAMPLE)
    ]
    rows.append({"id": "q-none", "city": "duisburg", "text": "Wetter morgen?", "relevant": []})
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_level_zero_is_the_identity() -> None:
    noise = AsrNoise(0.0, seed=3)
    for i, text in enumerate(SAMPLE):
        result = noise.apply(text, f"q{i}")
        assert result.text == text and result.operations == []


def test_same_seed_same_noise_other_seed_other_noise() -> None:
    texts = [(f"q{i}", t) for i, t in enumerate(SAMPLE * 4)]
    first = [AsrNoise(0.8, seed=1).apply(t, k).text for k, t in texts]
    again = [AsrNoise(0.8, seed=1).apply(t, k).text for k, t in texts]
    other = [AsrNoise(0.8, seed=2).apply(t, k).text for k, t in texts]
    assert first == again
    assert first != other
    # a query's noise depends on its id, not on what came before it
    assert AsrNoise(0.8, seed=1).apply(SAMPLE[2], "q2").text == first[2]


def test_lowercase_and_punctuation() -> None:
    lower = AsrNoise(1.0, rates=only(lowercase=1)).apply("Wo ist das Bürgerbüro?", "k")
    assert lower.text == "wo ist das bürgerbüro?" and lower.operations == ["lowercase"]
    stripped = AsrNoise(1.0, rates=only(strip_punctuation=1)).apply("Gibt's das: Kfz-Zulassung, heute?", "k")
    assert stripped.text == "Gibts das Kfz Zulassung heute" and stripped.operations == ["strip_punctuation"]


def test_homophones_single_words_and_phrases() -> None:
    noise = AsrNoise(1.0, rates=only(homophone=1))
    result = noise.apply("seit wann ist das so, haben wir mal wieder Glück", "k")
    assert result.text == "seid wann is dass so, hamwa mahl wider Glück"
    assert result.operations == ["homophone"]
    assert noise.apply("dass", "k").text == "das"  # sound-alike pairs go both ways


def test_compound_split_at_a_plausible_joint() -> None:
    assert compound_joint("Geburtsurkunde") == len("Geburts")
    assert compound_joint("hundesteuer") == len("hunde")
    assert compound_joint("steuer") is None  # nothing left on the left
    assert compound_joint("Sofa") is None
    result = AsrNoise(1.0, rates=only(split_compound=1)).apply("Geburtsurkunde und Hundesteuer", "k")
    assert result.text == "Geburts urkunde und Hunde steuer" and result.operations == ["split_compound"]


def test_merge_adjacent_words() -> None:
    result = AsrNoise(1.0, rates=only(merge_words=1)).apply("kann ich da hin", "k")
    assert result.text == "kannichdahin" and result.operations == ["merge_words"]
    # long words are not glued into monsters, numbers are not merged
    long = AsrNoise(1.0, rates=only(merge_words=1)).apply("Personalausweis verlängern 2026", "k")
    assert long.text == "Personalausweis verlängern 2026"


def test_drop_short_words_keeps_at_least_one_word() -> None:
    noise = AsrNoise(1.0, rates=only(drop_short_word=1))
    result = noise.apply("wo ist das Amt für Hunde", "k")
    assert result.text == "Hunde" and result.operations == ["drop_short_word"]
    assert noise.apply("wo ist das", "k").text == "wo ist das"


def test_level_scales_how_often_operations_fire() -> None:
    keys = [f"q{i}" for i in range(200)]
    text = "Wo kann ich die Hundesteuer anmelden, ist das hier?"
    changed = {
        level: sum(AsrNoise(level, seed=0).apply(text, k).text != text for k in keys) for level in (0.1, 0.5, 1.0)
    }
    assert 0 < changed[0.1] < changed[0.5] <= changed[1.0] == len(keys)
    with pytest.raises(ValueError, match="between 0 and 1"):
        AsrNoise(1.5)


def test_noisy_queries_keep_ids_cities_and_labels() -> None:
    queries = [LabeledQuery(f"q{i}", "bottrop", t, {"bottrop/a": 2}) for i, t in enumerate(SAMPLE)]
    noisy = noisy_queries(queries, AsrNoise(1.0, seed=0))
    assert [(q.id, q.city, q.relevant) for q in noisy] == [(q.id, q.city, q.relevant) for q in queries]
    assert [q.text for q in noisy] != [q.text for q in queries]


def test_noisy_file_keeps_ids_labels_and_other_fields(tmp_path: Path) -> None:
    source = write_queries(tmp_path / "q.jsonl")
    report = write_noisy_queries(source, tmp_path / "noisy.jsonl", AsrNoise(1.0, seed=5))
    clean = load_queries(source)
    noisy = load_queries(tmp_path / "noisy.jsonl")
    assert [(q.id, q.city, q.relevant) for q in noisy] == [(q.id, q.city, q.relevant) for q in clean]
    assert report.queries == 6 and report.changed == sum(a.text != b.text for a, b in zip(clean, noisy, strict=True))
    rows = [json.loads(line) for line in (tmp_path / "noisy.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rows[0]["note"] == "x" and rows[0]["clean_text"] == SAMPLE[0]
    assert set(report.operations) >= {"lowercase", "strip_punctuation"}


def test_noisy_file_in_benchmark_format(tmp_path: Path) -> None:
    source = tmp_path / "bench.jsonl"
    source.write_text(json.dumps({"qid": "m1", "query": "Hundesteuer anmelden?", "relevant_ids": ["7"]}) + "\n")
    write_noisy_queries(source, tmp_path / "out.jsonl", AsrNoise(1.0, rates=only(strip_punctuation=1)))
    row = json.loads((tmp_path / "out.jsonl").read_text())
    assert row == {
        "qid": "m1",
        "query": "Hundesteuer anmelden",
        "relevant_ids": ["7"],
        "clean_text": "Hundesteuer anmelden?",
    }


def test_bad_query_file_names_the_lines(tmp_path: Path) -> None:
    source = tmp_path / "bad.jsonl"
    source.write_text('{"id": "1", "text": "ok"}\n{broken\n{"id": "3"}\n', encoding="utf-8")
    with pytest.raises(NoiseFileError) as err:
        write_noisy_queries(source, tmp_path / "out.jsonl", AsrNoise(0.5))
    assert "bad.jsonl:2: invalid JSON" in str(err.value) and "bad.jsonl:3: no text field" in str(err.value)


def test_noise_command(tmp_path: Path) -> None:
    source = write_queries(tmp_path / "q.jsonl")
    runner = CliRunner()
    args = ["eval", "noise", "--queries", str(source), "--out", str(tmp_path / "n.jsonl"), "--seed", "4"]
    first = runner.invoke(app, [*args, "--level", "0.7"])
    assert first.exit_code == 0, first.output
    assert "of 6 texts changed" in " ".join(first.output.split())
    text = (tmp_path / "n.jsonl").read_text(encoding="utf-8")
    assert runner.invoke(app, [*args, "--level", "0.7"]).exit_code == 0
    assert (tmp_path / "n.jsonl").read_text(encoding="utf-8") == text
    missing = runner.invoke(app, ["eval", "noise", "--queries", "nope.jsonl", "--out", str(tmp_path / "x.jsonl")])
    assert missing.exit_code == 2 and "No query file" in missing.output and "Traceback" not in missing.output
    bad_level = runner.invoke(app, [*args, "--level", "1.5"])
    assert bad_level.exit_code == 2


def test_noise_file_and_noise_option_give_the_same_texts(tmp_path: Path) -> None:
    source = write_queries(tmp_path / "q.jsonl")
    noise = AsrNoise(0.6, seed=9)
    write_noisy_queries(source, tmp_path / "n.jsonl", noise)
    from_file = [q.text for q in load_queries(tmp_path / "n.jsonl")]
    assert from_file == [q.text for q in noisy_queries(load_queries(source), noise)]
