"""The settings: nested groups from the environment (``__``) and from TOML sections, clear errors for
bad values and for the flat names of earlier versions, and groups that match the engine's config."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from assistant.gaps.article_health import ArticleHealthConfig
from assistant.gaps.asymmetry import AsymmetryConfig
from assistant.gaps.report import GapReportConfig
from assistant.gaps.topics import TopicConfig
from assistant.live.suggestion_engine import SuggestionConfig
from assistant.settings import (
    CONFIG_FILE_ENV,
    RENAMED,
    ArticleHealthSettings,
    AsymmetrySettings,
    GapTopicsSettings,
    IndexingSettings,
    RetrievalSettings,
    Settings,
    SuggestionSettings,
    describe_errors,
    env_name,
)
from embeddings.index.passage_index import IndexSettings
from embeddings.retrieval.retriever import RetrievalConfig

pytestmark = pytest.mark.unit


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SOUFFLEUR_* variable, ``.env`` or ``souffleur.toml`` of the developer's shell leaks in."""
    for key in list(os.environ):
        if key.upper().startswith("SOUFFLEUR_"):
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


def use_config_file(monkeypatch: pytest.MonkeyPatch, path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv(CONFIG_FILE_ENV, str(path))


def test_nested_environment_variables_set_grouped_knobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT", "0.7")
    monkeypatch.setenv("SOUFFLEUR_ENCODER__MODEL", "fake:32")
    monkeypatch.setenv("SOUFFLEUR_SUGGESTIONS__ANSWER_THRESHOLD", "0.8")
    monkeypatch.setenv("SOUFFLEUR_GAPS__HEALTH__STALE_AFTER_DAYS", "180")
    monkeypatch.setenv("SOUFFLEUR_SERVER__CORS_ORIGINS", '["https://agent.example"]')
    settings = Settings()
    assert settings.retrieval.dense_weight == 0.7
    assert settings.retrieval_config().dense_weight == 0.7
    assert settings.retrieval.lexical_weight == RetrievalConfig.lexical_weight  # the rest keeps its default
    assert settings.encoder.model == "fake:32"
    assert settings.suggestions.suggestion_config().answer_threshold == 0.8
    assert settings.gaps.report_config().health.stale_after_days == 180
    assert settings.server.cors_origins == ["https://agent.example"]


def test_toml_sections_set_grouped_knobs_and_the_environment_wins(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    use_config_file(
        monkeypatch,
        tmp_path / "souffleur.toml",
        'environment = "production"\n'
        "[retrieval]\nmode = 'dense'\nrrf_k = 30\n"
        "[index]\nlexical_analyzer = 'stem'\n"
        "[suggestions]\nmax_cards = 2\n"
        "[gaps.topics]\ndistance_threshold = 0.75\n"
        "[server]\nport = 9000\n",
    )
    monkeypatch.setenv("SOUFFLEUR_RETRIEVAL__RRF_K", "40")
    settings = Settings()
    assert settings.environment == "production"
    assert settings.retrieval.mode == "dense" and settings.retrieval.rrf_k == 40
    assert settings.index_settings() == IndexSettings(lexical_analyzer="stem")
    assert settings.suggestions.max_cards == 2
    assert settings.gaps.report_config().topics == TopicConfig(distance_threshold=0.75)
    assert settings.server.port == 9000


def test_a_bad_value_names_the_setting_and_the_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT", "-1")
    with pytest.raises(ValidationError) as raised:
        Settings()
    message = str(raised.value)
    assert "retrieval.dense_weight" in message and "greater than or equal to 0" in message
    monkeypatch.delenv("SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT")
    monkeypatch.setenv("SOUFFLEUR_INDEX__LEXICAL_ANALYZER", "char9x")
    with pytest.raises(ValidationError, match=r"index\.lexical_analyzer[\s\S]*Unknown lexical analyzer 'char9x'"):
        Settings()


def test_the_command_line_names_the_variable_and_never_repeats_a_value(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from assistant.cli.main import app

    monkeypatch.setenv("SOUFFLEUR_API_TOKEN", "geheimes-token-4711")
    monkeypatch.setenv("SOUFFLEUR_DATABASE_URL", "postgresql://souffleur:passwort-4711@db/souffleur")
    monkeypatch.setenv("SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT", "-4711")
    monkeypatch.setenv("SOUFFLEUR_RETENTION_DAYS", "4711x")
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert "4711" not in str(raised.value)
    assert describe_errors(raised.value) == (
        "retention_days (SOUFFLEUR_RETENTION_DAYS): Input should be a valid integer, unable to parse string as an"
        " integer; retrieval.dense_weight (SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT): Input should be greater than or"
        " equal to 0"
    )
    result = CliRunner().invoke(app, ["index"])
    assert result.exit_code == 2
    assert "SOUFFLEUR_RETRIEVAL__DENSE_WEIGHT" in result.output and "4711" not in result.output
    monkeypatch.setenv("SOUFFLEUR_TORCH_THREADS", "1")
    result = CliRunner().invoke(app, ["index"])
    assert "SOUFFLEUR_TORCH_THREADS) was renamed to 'encoder.threads'" in " ".join(result.output.split())


def test_an_unknown_key_in_a_group_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    use_config_file(monkeypatch, tmp_path / "typo.toml", "[retrieval]\ndense_weigth = 0.7\n")
    with pytest.raises(ValidationError, match=r"retrieval\.dense_weigth[\s\S]*Extra inputs are not permitted"):
        Settings()


def test_both_weights_zero_is_refused() -> None:
    with pytest.raises(ValidationError, match="cannot both be 0"):
        Settings(retrieval={"lexical_weight": 0, "dense_weight": 0})  # type: ignore[arg-type]


@pytest.mark.parametrize("old", ["MODEL", "MIN_CONFIDENCE", "TORCH_THREADS", "HOST", "SUGGESTIONS_PER_UTTERANCE"])
def test_a_flat_name_of_an_earlier_version_is_refused_with_its_new_name(
    monkeypatch: pytest.MonkeyPatch, old: str
) -> None:
    monkeypatch.setenv(f"SOUFFLEUR_{old}", "1")
    new = RENAMED[old.lower()]
    with pytest.raises(ValidationError, match=f"was renamed to '{new}': set {env_name(new)}"):
        Settings()


def test_a_flat_keyword_or_toml_key_of_an_earlier_version_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ValidationError, match=r"'model' .* was renamed to 'encoder\.model'"):
        Settings(model="fake:64")  # type: ignore[call-arg]
    use_config_file(monkeypatch, tmp_path / "old.toml", "search_mode = 'dense'\n")
    with pytest.raises(ValidationError, match=r"\[retrieval\] section"):
        Settings()


def test_every_renamed_setting_points_at_an_existing_one() -> None:
    for new in RENAMED.values():
        model: Any = Settings
        for part in new.split("."):
            assert part in model.model_fields, new
            model = model.model_fields[part].annotation
        assert not (isinstance(model, type) and issubclass(model, BaseModel)), f"{new} is a group, not a setting"


def _defaults(config: type[Any]) -> dict[str, object]:
    return {f.name: f.default for f in dataclasses.fields(config) if f.default is not dataclasses.MISSING}


@pytest.mark.parametrize(
    ("group", "config", "not_settings", "not_config"),
    [
        (
            SuggestionSettings,
            SuggestionConfig,
            set(),
            {"confidence_file", "topic_change_file", "answer_examples", "learn_answers", "known_gaps"},
        ),
        (GapTopicsSettings, TopicConfig, set(), set()),
        (ArticleHealthSettings, ArticleHealthConfig, set(), set()),
        (AsymmetrySettings, AsymmetryConfig, set(), set()),
        (IndexingSettings, IndexSettings, set(), set()),
        # the confidence models come from calibration_file; min_confidence is the evaluation's
        (RetrievalSettings, RetrievalConfig, {"confidence"}, {"calibration_file", "min_confidence"}),
    ],
)
def test_each_group_has_the_fields_and_defaults_of_its_config(
    group: type[BaseModel], config: type[Any], not_settings: set[str], not_config: set[str]
) -> None:
    expected = {name: value for name, value in _defaults(config).items() if name not in not_settings}
    assert group().model_dump(exclude=not_config) == expected
    assert {f.name for f in dataclasses.fields(config)} - not_settings == set(group.model_fields) - not_config


def test_the_default_settings_build_the_default_configs() -> None:
    settings = Settings()
    assert settings.gaps.report_config() == GapReportConfig()
    assert settings.index_settings() == IndexSettings()
    assert dataclasses.replace(settings.retrieval_config(), confidence={}) == RetrievalConfig(confidence={})


def test_with_model_changes_only_the_model() -> None:
    settings = Settings(encoder={"model": "fake:64", "threads": 2})  # type: ignore[arg-type]
    other = settings.with_model("fake:32")
    assert other.encoder.model == "fake:32" and other.encoder.threads == 2
    assert settings.encoder.model == "fake:64"


def test_the_service_uses_the_configured_card_confidence_file(tmp_path: Path) -> None:
    from assistant.live.concern_confidence import LogisticModel, load_concern_confidence
    from assistant.wiring import build_call_service
    from tests.helpers import write_knowledge

    fitted = LogisticModel(bias=-1.5, weights={"dense_rank": 3.0}, note="fitted on our own calls")
    fitted.save(tmp_path / "weights.json")
    knowledge = write_knowledge(tmp_path / "knowledge")
    settings = Settings(
        knowledge_dir=knowledge,
        data_dir=tmp_path / "data",
        encoder={"model": "fake:64"},  # type: ignore[arg-type]
        suggestions={"confidence_file": tmp_path / "weights.json"},  # type: ignore[arg-type]
    )
    service = build_call_service(settings, database_url="sqlite://")
    try:
        assert service.engine.confidence == fitted
    finally:
        service.close()
    assert Settings().suggestions.concern_confidence() == load_concern_confidence()  # the shipped file
    (tmp_path / "weights.json").write_text('{"bias": 0, "weights": {"shoe_size": 1}}')
    with pytest.raises(ValueError, match=r"weights\.json is unreadable.*shoe_size"):
        settings.suggestions.concern_confidence()
