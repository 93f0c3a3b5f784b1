"""Configuration comparison: config options and files, paired significance tests, `souffleur eval compare`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.passage_index import IndexBuilder
from embeddings.retrieval.retriever import HybridRetriever, RetrievalConfig
from eval.comparison import compare_configurations, significance_marker
from eval.configurations import (
    ConfigSpecError,
    RetrievalSpec,
    SpecDefaults,
    collect_specs,
    load_config_file,
    parse_config_option,
)
from eval.queries import LabeledQuery
from eval.significance import PairedTest, paired_p_values

# Tests that compute ranx metrics are `integration`: ranx compiles numba kernels on first use (about 20 s
# a process even with the cache in .cache/numba). The rest are `unit`.

DEFAULTS = SpecDefaults(mode="hybrid", lexical_weight=1.0, dense_weight=0.5, rrf_k=20)
QUERIES = [
    ("q1", "bottrop", "Sperrmüll alte Möbel abholen", ["bottrop/sperrmuell"]),
    ("q2", "duisburg", "Perso verlängern Bürgerbüro", ["duisburg/personalausweis"]),
    ("q3", "dinslaken", "Hund anmelden Hundemarke", ["dinslaken/hundesteuer"]),
    ("q4", "bottrop", "Umzug melden neue Wohnung", ["bottrop/anmeldung"]),
    ("q5", "duisburg", "GEZ Rundfunkbeitrag", ["common/rundfunkbeitrag"]),
    ("q6", "bottrop", "Wetter morgen Sonnenschein", []),
    ("q7", "dinslaken", "Wohnung ummelden nach Umzug", ["dinslaken/anmeldung"]),
    ("q8", "duisburg", "Sofa entsorgen Sperrgut", ["duisburg/sperrmuell"]),
]


def labeled() -> list[LabeledQuery]:
    return [LabeledQuery(i, c, t, dict.fromkeys(r, 1)) for i, c, t, r in QUERIES]


def write_queries(path: Path) -> Path:
    rows = [{"id": i, "city": c, "text": t, "relevant": r} for i, c, t, r in QUERIES]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


# ---- configurations --------------------------------------------------------------------------
@pytest.mark.unit
def test_config_option_sets_keys_and_takes_the_rest_from_settings() -> None:
    spec = parse_config_option("k60=mode=hybrid,rrf_k=60,dense_weight=0.25", DEFAULTS)
    assert spec == RetrievalSpec("k60", "hybrid", 1.0, 0.25, 60, None)
    assert parse_config_option("plain", DEFAULTS) == RetrievalSpec("plain", "hybrid", 1.0, 0.5, 20, None)
    other = parse_config_option("e5=mode=dense,model=/models/e5-base", DEFAULTS)
    assert other.model == "/models/e5-base" and "model=/models/e5-base" in other.describe()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("x=mode=fuzzy", "unknown mode 'fuzzy'"),
        ("x=speed=3", "unknown key(s) speed"),
        ("x=lexical_weight=-1", "lexical_weight must be a number >= 0"),
        ("x=rrf_k=1.5", "rrf_k must be a whole number"),
        ("x=dense_weight=much", "dense_weight must be a number"),
        ("x=lexical_weight=0,dense_weight=0", "cannot both be 0"),
        ("x=mode", "expected key=value, got 'mode'"),
        ("=mode=dense", "needs a name"),
    ],
)
def test_config_option_errors_name_the_problem(option: str, message: str) -> None:
    with pytest.raises(ConfigSpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_config_option(option, DEFAULTS)


@pytest.mark.unit
def test_config_files_toml_and_json_keep_their_order(tmp_path: Path) -> None:
    toml = tmp_path / "c.toml"
    toml.write_text('[[configs]]\nname = "dense"\nmode = "dense"\n\n[[configs]]\nname = "k60"\nrrf_k = 60\n')
    assert [(s.name, s.mode, s.rrf_k) for s in load_config_file(toml, DEFAULTS)] == [
        ("dense", "dense", 20),
        ("k60", "hybrid", 60),
    ]
    table = tmp_path / "t.toml"
    table.write_text('[configs.lex]\nmode = "lexical"\n[configs.hyb]\ndense_weight = 1.0\n')
    assert [s.name for s in load_config_file(table, DEFAULTS)] == ["lex", "hyb"]
    js = tmp_path / "c.json"
    js.write_text(json.dumps({"configs": [{"name": "a", "mode": "lexical"}, {"name": "b", "rrf_k": 5}]}))
    specs = collect_specs(["c=mode=dense"], js, DEFAULTS)
    assert [(s.name, s.mode) for s in specs] == [("a", "lexical"), ("b", "hybrid"), ("c", "dense")]
    with pytest.raises(ConfigSpecError, match="two configurations are named 'a'"):
        collect_specs(["a=mode=dense"], js, DEFAULTS)
    bad = tmp_path / "bad.toml"
    bad.write_text("configs = 3\n")
    with pytest.raises(ConfigSpecError, match="expected a list 'configs'"):
        load_config_file(bad, DEFAULTS)
    yaml_file = tmp_path / "c.yaml"
    yaml_file.write_text("configs: []\n")
    with pytest.raises(ConfigSpecError, match="configuration files are"):
        load_config_file(yaml_file, DEFAULTS)


@pytest.mark.unit
def test_default_configurations_are_the_three_modes() -> None:
    specs = collect_specs([], None, DEFAULTS)
    assert [(s.name, s.mode, s.dense_weight, s.rrf_k) for s in specs] == [
        ("lexical", "lexical", 0.5, 20),
        ("dense", "dense", 0.5, 20),
        ("hybrid", "hybrid", 0.5, 20),
    ]


# ---- paired tests ----------------------------------------------------------------------------
@pytest.mark.integration
def test_student_test_is_paired_per_query() -> None:
    from scipy import stats  # only here: importing scipy.stats costs a second of every collection

    # 12 queries; the treatment finds the answer at rank 1 for q0..q8, the control for every third.
    qrels = {f"q{i:02d}": {f"d{i}": 1} for i in range(12)}
    treatment = {f"q{i:02d}": [f"d{i}"] if i < 9 else ["x", f"d{i}"] for i in range(12)}
    control = {f"q{i:02d}": [f"d{i}"] if i % 3 == 0 else ["x", "y", f"d{i}"] for i in reversed(range(12))}
    p = paired_p_values(qrels, treatment, control, PairedTest("student"))
    r1_treatment = [1.0 if i < 9 else 0.0 for i in range(12)]
    r1_control = [1.0 if i % 3 == 0 else 0.0 for i in range(12)]
    assert p["recall@1"] == pytest.approx(stats.ttest_rel(r1_control, r1_treatment).pvalue)
    assert p["recall@1"] != pytest.approx(stats.ttest_ind(r1_control, r1_treatment).pvalue)
    mrr_treatment = [1.0 if i < 9 else 0.5 for i in range(12)]
    mrr_control = [1.0 if i % 3 == 0 else 1 / 3 for i in range(12)]
    assert p["mrr@10"] == pytest.approx(stats.ttest_rel(mrr_control, mrr_treatment).pvalue)


@pytest.mark.integration
def test_fisher_randomization_test_finds_a_clear_difference_and_none_between_equal_runs() -> None:
    qrels = {f"q{i}": {f"d{i}": 1} for i in range(20)}
    good = {f"q{i}": [f"d{i}"] for i in range(20)}
    bad = {f"q{i}": ["x", "y", "z", f"d{i}"] if i < 15 else [f"d{i}"] for i in range(20)}
    test = PairedTest("fisher", n_permutations=2000)
    p = paired_p_values(qrels, good, bad, test)
    # ranx seeds numba's generator outside its parallel loop, so the last digits vary between calls
    assert p["recall@1"] < 0.01 and paired_p_values(qrels, good, bad, test)["recall@1"] < 0.01
    assert paired_p_values(qrels, good, good, test)["recall@1"] == 1.0
    with pytest.raises(ValueError, match="unknown test"):
        PairedTest("anova")


# ---- comparison --------------------------------------------------------------------------------
@pytest.mark.integration
def test_compare_configurations_tests_against_the_baseline_and_the_clean_run(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    index, _ = IndexBuilder(fake_encoder).refresh(knowledge_base)
    specs = [
        RetrievalSpec("lex", "lexical", 1.0, 0.5, 20),
        RetrievalSpec("dense", "dense", 1.0, 0.5, 20),
    ]

    def retriever_for(spec: RetrievalSpec) -> HybridRetriever:
        config = RetrievalConfig(mode=spec.mode, lexical_weight=spec.lexical_weight, dense_weight=spec.dense_weight)
        return HybridRetriever(index, fake_encoder, knowledge_base.cities, config)

    queries = labeled()
    noisy = [LabeledQuery(q.id, q.city, q.text.lower().replace("hund", "hunt"), q.relevant) for q in queries]
    result = compare_configurations(
        specs, retriever_for, queries, knowledge_base.cities, 0.5, PairedTest(), noisy_queries=noisy
    )
    assert [r.label for r in result.rows] == ["lex", "lex (noisy)", "dense", "dense (noisy)"]
    lex, lex_noisy, dense, dense_noisy = result.rows
    assert lex.baseline is None and lex.p_values == {}
    assert dense.baseline is lex and set(dense.p_values) == {"ndcg@10", "recall@1", "recall@3", "recall@5", "mrr@10"}
    assert dense_noisy.baseline is lex_noisy and dense_noisy.clean is dense and dense_noisy.clean_p_values
    assert result.n_answerable == 7 and result.as_json()["rows"][2]["baseline"] == "lex"
    assert significance_marker(lex, "ndcg@10", result.test) == ""
    with pytest.raises(ValueError, match="same ids"):
        compare_configurations(specs, retriever_for, queries, knowledge_base.cities, 0.5, PairedTest(), noisy[:3])


# ---- command line ------------------------------------------------------------------------------
@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOUFFLEUR_ENCODER__MODEL", "fake:64")
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


@pytest.mark.integration
def test_compare_command_defaults_to_three_modes(runner: CliRunner, knowledge_dir: Path, tmp_path: Path) -> None:
    queries = write_queries(tmp_path / "q.jsonl")
    result = runner.invoke(app, ["eval", "compare", "-q", str(queries), "-K", str(knowledge_dir), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert [r["name"] for r in data["rows"]] == ["lexical", "dense", "hybrid"]
    assert data["test"]["name"] == "student" and data["noise"] is None
    assert data["rows"][1]["baseline"] == "lexical" and set(data["rows"][1]["p_values"]) >= {"ndcg@10", "recall@3"}
    assert set(data["rows"][0]["per_city"]) == {"bottrop", "dinslaken", "duisburg"}
    table = runner.invoke(app, ["eval", "compare", "-q", str(queries), "-K", str(knowledge_dir)])
    assert table.exit_code == 0 and "nDCG@10" in table.output and "p-values" in table.output


@pytest.mark.integration
def test_compare_command_with_noise_other_model_and_report(
    runner: CliRunner, knowledge_dir: Path, tmp_path: Path
) -> None:
    queries = write_queries(tmp_path / "q.jsonl")
    args = ["eval", "compare", "-q", str(queries), "-K", str(knowledge_dir), "--noise", "1", "--noise-seed", "2"]
    args += ["--config", "lex=mode=lexical", "--config", "small=mode=dense,model=fake:32", "--test", "fisher"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "report"), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert [r["name"] for r in data["rows"]] == ["lex", "lex (noisy)", "small", "small (noisy)"]
    assert data["noise"] == {"level": 1.0, "seed": 2}
    assert data["rows"][3]["baseline"] == "lex (noisy)" and data["rows"][3]["p_values_vs_clean"]
    # the other model got its own index, keyed by its fingerprint
    assert (tmp_path / "data" / "model-indexes" / f"index-{HashingFakeEncoder(32).fingerprint}" / "CURRENT").is_file()
    report = (tmp_path / "report" / "report.md").read_text(encoding="utf-8")
    for expected in ("| lex (noisy) |", "Fisher's randomization test", "## Per city", "CPU cores", "- Command: `"):
        assert expected in report
    for png in ("metrics.png", "per_city_recall3.png"):
        assert (tmp_path / "report" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    per_query = (tmp_path / "report" / "per_query.csv").read_text(encoding="utf-8").splitlines()
    assert per_query[0].startswith("configuration,variant,query_id") and len(per_query) == 1 + 4 * len(QUERIES)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--config", "x=mode=fuzzy"], "unknown mode 'fuzzy'"),
        (["--configs", "nope.toml"], "No configuration file at nope.toml"),
        (["--test", "anova"], "unknown test 'anova'"),
        (["--alpha", "2"], "alpha must be between 0 and 1"),
    ],
)
def test_compare_command_user_errors(
    runner: CliRunner, knowledge_dir: Path, tmp_path: Path, extra: list[str], message: str
) -> None:
    queries = write_queries(tmp_path / "q.jsonl")
    result = runner.invoke(app, ["eval", "compare", "-q", str(queries), "-K", str(knowledge_dir), *extra])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split()) and "Traceback" not in result.output


@pytest.mark.integration
def test_run_command_shows_clean_and_noisy(runner: CliRunner, knowledge_dir: Path, tmp_path: Path) -> None:
    queries = write_queries(tmp_path / "q.jsonl")
    args = ["eval", "run", "-q", str(queries), "-K", str(knowledge_dir), "--mode", "lexical", "--noise", "0.9"]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [(r["mode"], r["variant"]) for r in rows] == [("lexical", "clean"), ("lexical", "noisy")]
    assert rows[1]["noise"] == {"level": 0.9, "seed": 0} and rows[0]["n_queries"] == rows[1]["n_queries"] == 8
    table = runner.invoke(app, args)
    assert table.exit_code == 0 and "noisy" in table.output
