"""`souffleur gaps`: the report in JSON, Markdown and CSV, user errors, the page URL and its token."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.settings import Settings
from assistant.wiring import build_call_service
from tests.helpers import write_knowledge


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOUFFLEUR_ENCODER__MODEL", "fake:64")
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOUFFLEUR_KNOWLEDGE_DIR", str(write_knowledge(tmp_path / "knowledge")))
    monkeypatch.setenv("SOUFFLEUR_GAPS__CATALOG_FILE", str(tmp_path / "no-catalog.csv"))
    monkeypatch.delenv("SOUFFLEUR_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def populate() -> None:
    service = build_call_service(Settings())
    for city, text in (
        ("duisburg", "bei uns im keller laufen ratten rum, wer bekämpft die ratten"),
        ("duisburg", "ratten im garten am kompost, kammerjäger"),
        ("bottrop", "ich will die eiche im garten fällen, baum genehmigung"),
    ):
        call = service.open_call(city=city).call
        service.utterance(call.id, "caller", text)
        service.end_call(call.id)
    service.store.close()


@pytest.mark.unit
def test_gaps_report_prints_json_markdown_and_csv(runner: CliRunner) -> None:
    populate()
    result = runner.invoke(app, ["gaps", "report", "--format", "json"])
    assert result.exit_code == 0, result.output
    topics = json.loads(result.stdout)
    assert topics[0]["city"] == "duisburg" and "ratten" in topics[0]["label"].lower() and topics[0]["count"] == 2
    assert {"city", "label", "count", "examples", "kind", "impact", "trend", "group", "nearest_article"} <= set(
        topics[0]
    )
    assert "no service catalog" in result.stderr
    limited = runner.invoke(app, ["gaps", "report", "--format", "json", "--limit", "1", "--city", "bottrop"])
    assert [t["city"] for t in json.loads(limited.stdout)] == ["bottrop"]
    markdown = runner.invoke(app, ["gaps", "report"])
    assert markdown.exit_code == 0 and "# Wissenslücken – alle Städte" in markdown.stdout
    assert "## Artikelgesundheit" in markdown.stdout and "## Unterschiede zwischen Städten" in markdown.stdout
    table = runner.invoke(app, ["gaps", "report", "--format", "csv", "--since", "2020-01-01"])
    assert table.exit_code == 0 and table.stdout.startswith("section,city,id,label")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "gestern"], "--since must be a date like 2026-10-01"),
        (["--format", "pdf"], "unknown format 'pdf'"),
        (["--city", "hamburg"], "Unknown city 'hamburg'"),
        (["--catalog", "missing.csv"], "no service catalog at missing.csv"),
    ],
)
def test_gaps_report_user_errors_are_messages(runner: CliRunner, args: list[str], message: str) -> None:
    populate()
    result = runner.invoke(app, ["gaps", "report", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


@pytest.mark.unit
def test_gaps_report_without_a_database_says_so(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["gaps", "report"])
    assert result.exit_code == 2 and "no call data yet" in result.output
    assert not (tmp_path / "data" / "souffleur.db").exists()


@pytest.mark.unit
def test_gaps_url_generates_the_development_token_once(runner: CliRunner, tmp_path: Path) -> None:
    first = runner.invoke(app, ["gaps", "url"])
    second = runner.invoke(app, ["gaps", "url"])
    assert first.exit_code == 0 and first.stdout == second.stdout
    token_file = tmp_path / "data" / "content-token"
    assert first.stdout.strip() == f"http://127.0.0.1:8000/gaps?token={token_file.read_text().strip()}"
    assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600


@pytest.mark.unit
def test_gaps_url_in_production_needs_a_configured_token(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUFFLEUR_ENVIRONMENT", "production")
    refused = runner.invoke(app, ["gaps", "url"])
    assert refused.exit_code == 2 and "SOUFFLEUR_CONTENT_TOKEN is not set" in refused.output
    monkeypatch.setenv("SOUFFLEUR_CONTENT_TOKEN", "redaktion-geheim")
    monkeypatch.setenv("SOUFFLEUR_SERVER__PUBLIC_URL", "https://souffleur.example/")
    ok = runner.invoke(app, ["gaps", "url"])
    assert ok.stdout.strip() == "https://souffleur.example/gaps?token=redaktion-geheim"
