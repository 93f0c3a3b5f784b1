"""No personal data from the redaction cases reaches the database or the logs; purge deletes old data."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update
from typer.testing import CliRunner

from assistant.cli.main import app
from assistant.live.call_service import CallService
from assistant.settings import Settings
from assistant.storage.call_store import CallStore
from assistant.storage.models import Base, CallRecord, SearchRecord, UtteranceRecord
from assistant.wiring import build_call_service
from tests.gap_scenarios import backdate, open_call, say
from tests.helpers import write_knowledge

CASES_FILE = Path(__file__).parent / "data" / "redaction_cases.jsonl"
CASES = [json.loads(line) for line in CASES_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
SECRET_CASES = [case for case in CASES if case["secrets"]]
# Generated identifiers (call ids, token hashes) are random hex and may contain any short digit run.
OPAQUE_ID = re.compile(r"[0-9a-f]{32}|[0-9a-f]{64}")
# Values the service generates itself, masked in log lines before looking for secrets: identifiers,
# timestamps, scores and timings (a score of 0.4711 is not the house number 4711).
GENERATED = re.compile(
    r"\b[0-9a-f]{32}\b|\b[0-9a-f]{64}\b|\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?|(?<![\d.])\d+\.\d+(?![\d.])"
)
SQL_STATEMENT = re.compile(r"^\s*(SELECT|INSERT|UPDATE|DELETE|BEGIN|COMMIT|ROLLBACK|PRAGMA)\b")
CITIES = ("duisburg", "bottrop", "dinslaken")


def strings(value: Any) -> Iterator[str]:
    """Every string inside a value (JSON payloads, SQL parameters), generated identifiers left out."""
    if isinstance(value, str):
        if not OPAQUE_ID.fullmatch(value):
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings(item)


def logged_data(records: list[logging.LogRecord]) -> list[str]:
    """What the log lines say, without SQL statements (code, not data; their parameters are logged
    separately) and with generated values masked."""
    lines = []
    for record in records:
        message = record.getMessage()
        if record.name.startswith("sqlalchemy.engine") and SQL_STATEMENT.match(message):
            continue
        lines.append(GENERATED.sub("<generated>", message))
    return lines


def leaks(secrets: list[str], texts: list[str]) -> list[tuple[str, str]]:
    found = []
    for secret in secrets:
        compact = re.sub(r"\s+", "", secret)
        has_digits = any(c.isdigit() for c in secret)
        for text in texts:
            if secret.lower() in text.lower() or (has_digits and compact in re.sub(r"\s+", "", text)):
                found.append((secret, text))
    return found


def rows_by_call(store: CallStore) -> dict[str, list[str]]:
    """Every text in every table, by the call it belongs to."""
    texts: dict[str, list[str]] = {}
    with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                call_id = row["id"] if table.name == "calls" else row["call_id"]
                assert call_id is not None, f"a row of {table.name} belongs to no call"
                texts.setdefault(call_id, []).extend(strings(dict(row)))
    return texts


@pytest.fixture
def service(tmp_path: Path) -> CallService:
    settings = Settings(
        encoder={"model": "fake:64"}, knowledge_dir=write_knowledge(tmp_path / "knowledge"), data_dir=tmp_path
    )
    return build_call_service(settings, database_url=f"sqlite:///{tmp_path / 'calls.db'}")


# Every redaction case through the whole service with every logger at DEBUG: seconds, so integration.
@pytest.mark.integration
@pytest.mark.slow
def test_no_personal_data_reaches_the_database_or_the_logs(
    service: CallService, caplog: pytest.LogCaptureFixture
) -> None:
    assert len(SECRET_CASES) >= 60
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        caplog.set_level(logging.DEBUG, logger=name)
    log_texts: dict[str, list[str]] = {}
    calls: list[tuple[str, dict[str, Any]]] = []
    statements: list[str] = []
    for number, case in enumerate(SECRET_CASES):
        caplog.clear()
        city = CITIES[number % len(CITIES)]
        call_id = service.open_call(city=city).call.id
        text = case["text"]
        service.utterance(call_id, "caller", text, final=False)
        service.utterance(call_id, "caller", text)
        service.utterance(call_id, "agent", text)
        service.feedback(call_id, f"{city}/sperrmuell", "not_helpful", reason=text)
        service.search(text, city, call_id=call_id)
        service.end_call(call_id)
        log_texts[call_id] = logged_data(caplog.records)
        statements.extend(r.getMessage() for r in caplog.records if r.name.startswith("sqlalchemy.engine"))
        calls.append((call_id, case))

    stored = rows_by_call(service.store)
    assert set(stored) == {call_id for call_id, _ in calls}
    assert any(s.startswith("INSERT INTO utterances") for s in statements), "SQL statements were not logged"
    assert sum(len(texts) for texts in log_texts.values()) > 10 * len(calls), "SQL parameters were not logged"
    problems = []
    for call_id, case in calls:
        texts = stored[call_id]
        assert any(all(keep in t for keep in case["keep"]) for t in texts), f"{case['text']!r} was not stored"
        problems += [("database", s, t) for s, t in leaks(case["secrets"], texts)]
        problems += [("log", s, t) for s, t in leaks(case["secrets"], log_texts[call_id])]
    assert not problems, "\n".join(f"{where}: {secret!r} in {text[:200]!r}" for where, secret, text in problems)


@pytest.mark.unit
def test_purge_deletes_old_calls_and_searches_and_keeps_recent_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'calls.db'}"
    store = CallStore(url)
    old = open_call(store)
    say(store, old, "alte ratten", pushed=("duisburg/laerm",))
    store.add_feedback(old, "duisburg/laerm", "dismissed", "veraltet")
    store.add_search(old, "duisburg", "ratten", ["duisburg/laerm"], 0.2)
    backdate(store, old, datetime.now(UTC) - timedelta(days=120))
    recent = open_call(store)
    say(store, recent, "neue ratten")
    store.add_search(None, "duisburg", "ohne anruf", [], None)
    old_search = store.add_search(None, "duisburg", "alte suche ohne anruf", [], None)
    with store.engine.begin() as connection:
        connection.execute(
            update(SearchRecord).where(SearchRecord.id == old_search).values(at=datetime.now(UTC) - timedelta(days=100))
        )
    store.close()
    monkeypatch.setenv("SOUFFLEUR_DATABASE_URL", url)
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SOUFFLEUR_RETENTION_DAYS", "90")
    runner = CliRunner()

    declined = runner.invoke(app, ["purge"], input="n\n")
    assert declined.exit_code == 1 and "nothing deleted" in declined.output
    kept_longer = runner.invoke(app, ["purge", "--days", "200", "--yes"])
    assert kept_longer.exit_code == 0 and "deleted 0 calls" in kept_longer.output
    result = runner.invoke(app, ["purge", "--yes"])
    assert result.exit_code == 0, result.output
    assert "deleted 1 calls" in result.output and "and 1 manual searches outside calls" in result.output

    store = CallStore(url)
    with store.engine.connect() as connection:
        assert connection.scalars(select(CallRecord.id)).all() == [recent]
        assert connection.scalars(select(UtteranceRecord.text)).all() == ["neue ratten"]
        assert connection.scalars(select(SearchRecord.query)).all() == ["ohne anruf"]
        for table in Base.metadata.sorted_tables:
            if "call_id" in table.c:
                assert connection.scalar(select(func.count()).where(table.c.call_id == old)) == 0


@pytest.mark.unit
def test_purge_without_a_database_has_nothing_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.delenv("SOUFFLEUR_DATABASE_URL", raising=False)
    result = CliRunner().invoke(app, ["purge", "--yes"])
    assert result.exit_code == 0 and "nothing to purge" in result.output
    assert not (tmp_path / "empty").exists()
