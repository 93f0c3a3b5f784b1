"""The ``souffleur`` command line: corpus check, index, search, DLDB import, user errors as messages."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from corpus.answer_examples import ANSWER_EXAMPLES_FILE
from corpus.known_gaps import KNOWN_GAPS_FILE
from tests.helpers import article_text, write_lines

pytestmark = pytest.mark.unit


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOUFFLEUR_ENCODER__MODEL", "fake:64")
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def test_corpus_check_passes_and_fails_with_the_report(runner: CliRunner, knowledge_dir: Path) -> None:
    ok = runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)])
    assert ok.exit_code == 0, ok.output
    assert "13 published" in ok.output
    (knowledge_dir / "bottrop" / "kaputt.md").write_text(article_text("T", "x", "B").replace("published", "online"))
    bad = runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)])
    assert bad.exit_code == 1
    assert "kaputt.md:5: status: unknown status 'online'" in bad.output
    assert "Traceback" not in bad.output


def test_missing_knowledge_folder_is_a_message(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["corpus", "check", "-K", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert "does not exist" in result.output and "nope" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_index_then_search_json_and_stdin(runner: CliRunner, knowledge_dir: Path) -> None:
    built = runner.invoke(app, ["index", "-K", str(knowledge_dir)])
    assert built.exit_code == 0, built.output
    assert "full build" in built.output and "13 added" in built.output
    again = runner.invoke(app, ["index", "-K", str(knowledge_dir)])
    assert "refresh" in again.output and "13 unchanged" in again.output
    result = runner.invoke(
        app, ["search", "Sperrmüll alte Möbel", "--city", "bottrop", "--json", "--k", "3", "-K", str(knowledge_dir)]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout.strip().splitlines()[-1])
    assert hits[0]["article_id"] == "bottrop/sperrmuell"
    assert set(hits[0]) == {"article_id", "title", "city", "service", "score", "passage"}
    assert all(h["city"] in ("bottrop", "common") for h in hits)
    batch = runner.invoke(
        app,
        ["search", "--city", "duisburg", "--mode", "lexical", "-K", str(knowledge_dir)],
        input="Hund anmelden\n\nRundfunkbeitrag GEZ\n",
    )
    lines = [json.loads(line) for line in batch.stdout.strip().splitlines()]
    assert len(lines) == 3 and lines[1] == []
    assert lines[0][0]["article_id"] == "duisburg/hundesteuer"
    assert lines[2][0]["article_id"] == "common/rundfunkbeitrag"
    table = runner.invoke(app, ["search", "Hund anmelden", "--city", "duisburg", "-K", str(knowledge_dir)])
    assert table.exit_code == 0 and "Hundesteuer" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search", "Sperrmüll", "--city", "essen"], "Known cities: duisburg, bottrop, dinslaken"),
        (["search", "   ", "--city", "bottrop"], "the query is empty"),
        (["search", "Sperrmüll", "--city", "bottrop", "--mode", "fuzzy"], "unknown mode 'fuzzy'"),
        (["search", "Sperrmüll"], "--city is required"),
    ],
)
def test_search_user_errors_are_messages(runner: CliRunner, knowledge_dir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, [*args, "-K", str(knowledge_dir)])
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output


def test_import_dldb_command(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "dldb.json"
    source.write_text(
        json.dumps({"data": [{"id": "7", "name": "Fundbüro", "description": "<p>Fundsachen abgeben.</p>"}]})
    )
    result = runner.invoke(
        app, ["corpus", "import-dldb", str(source), "--city", "berlin", "--out", str(tmp_path / "k")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "k" / "berlin" / "fundbuero-7.md").is_file()
    missing = runner.invoke(app, ["corpus", "import-dldb", "nope.json", "--city", "x", "--out", "k"])
    assert missing.exit_code == 2 and "No such file" in missing.output


@pytest.mark.unit
def test_replay_with_an_unknown_call_id_lists_the_valid_ones(runner: CliRunner, tmp_path: Path) -> None:
    calls = tmp_path / "calls.jsonl"
    script = {"id": "bottrop-01", "city": "bottrop", "expected": [], "turns": [["caller", "sperrmüll"]]}
    calls.write_text(json.dumps(script) + "\n")
    result = runner.invoke(app, ["replay", str(calls), "--call", "nope", "--server", "http://127.0.0.1:9"])
    assert result.exit_code != 0
    assert "no call nope" in result.output and "its calls: bottrop-01" in result.output


@pytest.mark.unit
def test_serve_on_a_busy_port_fails_before_starting(runner: CliRunner) -> None:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(app, ["serve", "--host", "127.0.0.1", "--port", str(port)])
    assert result.exit_code != 0
    assert f"Port {port} on 127.0.0.1 is in use" in result.output
    assert "Souffleur on http" not in result.output


def test_the_server_keeps_connections_longer_than_clients_and_sends_events_uncompressed(tmp_path: Path) -> None:
    import uvicorn

    from assistant.cli.serve import KEEP_ALIVE_SECONDS, _uvicorn_config
    from assistant.settings import Settings

    config = _uvicorn_config(object(), Settings(data_dir=tmp_path), "127.0.0.1", 8765, "warning")
    assert isinstance(config, uvicorn.Config)
    # httpx (and most HTTP clients) drop an idle connection after 5 s: the server must keep it longer.
    assert config.timeout_keep_alive == KEEP_ALIVE_SECONDS > 5
    assert config.ws_per_message_deflate is False


def test_the_server_runs_on_the_event_loop_uvicorn_chooses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Round 8: `asyncio.run` had kept the service on asyncio's own loop although uvloop is installed.
    import uvicorn
    import uvloop

    from assistant.cli import serve as serve_module
    from assistant.settings import Settings

    config = serve_module._uvicorn_config(object(), Settings(data_dir=tmp_path), "127.0.0.1", 8765, "warning")
    assert isinstance(config, uvicorn.Config)
    loops: list[object] = []

    async def record_loop(server: object, message: str) -> None:
        loops.append(asyncio.get_running_loop())

    monkeypatch.setattr(serve_module, "_serve_announced", record_loop)
    serve_module.run_announced(uvicorn.Server(config), "ready")
    assert len(loops) == 1 and isinstance(loops[0], uvloop.Loop)


def test_export_examples_then_corpus_check_reads_them(runner: CliRunner, knowledge_dir: Path, tmp_path: Path) -> None:
    sentence = "Das zuständige Amt der Stadt hilft weiter."
    line = {"call_id": "duisburg-t01", "turn": 1, "article_id": "duisburg/personalausweis", "split": "tune"}
    labels = tmp_path / "labels.jsonl"
    labels.write_text(json.dumps({**line, "question": "an wen wend ich mich", "sentences": [sentence]}) + "\n")
    out = knowledge_dir / "answer-examples.jsonl"
    args = ["eval", "export-examples", "--answers", str(labels), "--out", str(out), "-K", str(knowledge_dir)]
    exported = runner.invoke(app, args)
    assert exported.exit_code == 0, exported.output
    assert "1 answer examples written" in exported.output
    checked = runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)])
    said = " ".join(checked.output.split())
    assert checked.exit_code == 0 and "1 answer examples" in said and "written by editors" not in said
    written = {**json.loads(out.read_text()), "question": "wo muss ich hin", "by": "editor"}
    with out.open("a", encoding="utf-8") as examples:
        examples.write(json.dumps(written) + "\n")
    checked = runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)])
    assert "2 answer examples (1 written by editors)" in " ".join(checked.output.split())
    out.write_text(out.read_text().replace("personalausweis", "reisepass"))
    bad = runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)])
    assert bad.exit_code == 1
    assert "answer-examples.jsonl:1: article: no article has the id 'duisburg/reisepass'" in bad.output
    broken = runner.invoke(app, [*args[:3], str(tmp_path / "missing.jsonl"), *args[4:]])
    assert broken.exit_code != 0 and "Traceback" not in broken.output


def test_export_gaps_then_corpus_check_reads_them(runner: CliRunner, knowledge_dir: Path, tmp_path: Path) -> None:
    turns = [["agent", "Guten Tag"], ["caller", "mein kampfhund braucht ne erlaubnis"]]
    call = {"id": "bottrop-t01", "city": "bottrop", "expected": [], "turns": turns}
    calls = tmp_path / "calls-tune.jsonl"
    calls.write_text(json.dumps(call) + "\n")
    out = knowledge_dir / "known-gaps.jsonl"
    args = ["eval", "export-gaps", "--calls", str(calls), "--out", str(out), "-K", str(knowledge_dir)]
    exported = runner.invoke(app, args)
    assert exported.exit_code == 0, exported.output
    assert "1 known gaps written" in exported.output
    checked = runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)])
    assert checked.exit_code == 0 and "1 known gaps" in " ".join(checked.output.split())
    out.write_text(out.read_text().replace('"bottrop"', '"essen"'))
    bad = runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)])
    assert bad.exit_code == 1 and "known-gaps.jsonl:1: city: unknown city 'essen'" in " ".join(bad.output.split())
    out.unlink()
    held_out = tmp_path / "calls-test.jsonl"
    held_out.write_text(calls.read_text())
    refused = runner.invoke(app, [*args[:3], str(held_out), *args[4:]])
    assert refused.exit_code != 0 and "refusing held-out call files" in " ".join(refused.output.split())
    assert "Traceback" not in refused.output


def test_export_marks_writes_the_agents_marks_as_examples(runner: CliRunner, knowledge_dir: Path) -> None:
    from assistant.settings import Settings
    from assistant.wiring import build_call_service

    out = knowledge_dir / "answer-examples.jsonl"
    args = ["corpus", "export-marks", "--out", str(out), "-K", str(knowledge_dir)]
    assert "no database" in " ".join(runner.invoke(app, args).output.split())
    sentence = "Das zuständige Amt der Stadt hilft weiter."
    service = build_call_service(Settings(knowledge_dir=knowledge_dir))
    try:
        call = service.open_call(city="duisburg").call
        service.utterance(call.id, "caller", "müller hier, an wen wend ich mich wegen dem perso")
        service.feedback(call.id, "duisburg/personalausweis", "answered", sentence=sentence)
    finally:
        service.close()
    exported = runner.invoke(app, args)
    assert exported.exit_code == 0, exported.output
    assert "1 answer marks written" in " ".join(exported.output.split())
    mark = json.loads(out.read_text(encoding="utf-8"))
    assert mark["article"] == "duisburg/personalausweis" and mark["sentences"] == [sentence]
    assert "müller" not in mark["question"].lower() and "an wen wend ich mich" in mark["question"]
    assert runner.invoke(app, ["corpus", "check", "-K", str(knowledge_dir)]).exit_code == 0


def test_export_gaps_writes_the_gaps_marked_on_the_gaps_page_as_known_gaps(
    runner: CliRunner, knowledge_dir: Path
) -> None:
    from assistant.settings import Settings
    from assistant.wiring import build_call_service
    from corpus.knowledge_base import load_knowledge_base
    from corpus.known_gaps import KnownGap

    out = knowledge_dir / "known-gaps.jsonl"
    args = ["corpus", "export-gaps", "--out", str(out), "-K", str(knowledge_dir)]
    assert "no database" in " ".join(runner.invoke(app, args).output.split())
    service = build_call_service(Settings(knowledge_dir=knowledge_dir))
    try:
        kept = service.add_known_gap("bottrop", "Sofa", "mein sofa soll weg, meine nummer ist 0170 1234567")
        removed = service.add_known_gap("duisburg", "Hund", "wo melde ich meinen hund an")
        service.remove_known_gap(removed.id)
    finally:
        service.close()
    exported = runner.invoke(app, args)
    assert exported.exit_code == 0, exported.output
    assert "1 known gaps written" in " ".join(exported.output.split())
    line = json.loads(out.read_text(encoding="utf-8"))
    assert line == {"question": kept.question, "city": "bottrop", "from": f"gaps-page#{kept.id}"}
    assert "mein sofa soll weg" in line["question"] and "1234567" not in line["question"]
    assert load_knowledge_base(knowledge_dir).known_gaps == (KnownGap(kept.question, "bottrop"),)


def test_check_gaps_names_the_known_gaps_like_a_question_an_article_answered(
    runner: CliRunner, knowledge_dir: Path
) -> None:
    empty = runner.invoke(app, ["corpus", "check-gaps", "-K", str(knowledge_dir)])
    assert empty.exit_code == 0 and "no known gaps" in empty.output, empty.output
    answered = "mein altes sofa soll weg wie entsorge ich das beim sperrmüll"
    sentence = "Sperrmüll wird nach Anmeldung kostenlos abgeholt."
    write_lines(
        knowledge_dir / ANSWER_EXAMPLES_FILE,
        {"article": "bottrop/sperrmuell", "question": answered, "sentences": [sentence]},
    )
    write_lines(
        knowledge_dir / KNOWN_GAPS_FILE,
        {"question": "mein altes sofa soll weg, zum sperrmüll, wie entsorge ich das", "city": "bottrop"},
        {"question": "mein altes sofa soll weg, zum sperrmüll, wie entsorge ich das", "city": "duisburg"},
        {"question": "wo kann ich einen kampfhund anmelden"},
    )
    checked = runner.invoke(app, ["corpus", "check-gaps", "--json", "-K", str(knowledge_dir)])
    assert checked.exit_code == 0, checked.output
    lines = [json.loads(line) for line in checked.output.splitlines()]
    assert [(line["gap"], line["city"]) for line in lines] == [(1, "bottrop"), (2, "duisburg"), (3, None)]
    assert [a["article_id"] for a in lines[0]["answered_like"]] == ["bottrop/sperrmuell"]
    # The other check: what the engine shows as the answer without any gap, in the gap's city or every city.
    assert [(a["city"], a["article_id"]) for a in lines[0]["answered_without_gap"]] == [
        ("bottrop", "bottrop/sperrmuell")
    ]
    assert [a["article_id"] for a in lines[1]["answered_without_gap"]] == ["duisburg/sperrmuell"]
    assert {a["city"] for a in lines[2]["answered_without_gap"]} <= {"bottrop", "dinslaken", "duisburg"}
    assert lines[0]["answered_like"][0]["question"] == answered and lines[0]["answered_like"][0]["likeness"] >= 0.3
    assert lines[1]["answered_like"] == [] and lines[2]["answered_like"] == []  # Bottrop's article; unlike
    table = runner.invoke(app, ["corpus", "check-gaps", "-K", str(knowledge_dir)])
    assert table.exit_code == 0 and "bottrop/sperrmuell" in table.output and "duisburg/sperrmuell" in table.output
    flagged = sum(bool(line["answered_like"] or line["answered_without_gap"]) for line in lines)
    assert f"{flagged} of 3 known gaps" in " ".join(table.output.split())


def test_corpus_sentences_lists_what_questions_point_at(runner: CliRunner, knowledge_dir: Path) -> None:
    sentence = "Das zuständige Amt der Stadt hilft weiter."
    article = "duisburg/personalausweis"
    lines = [
        {"article": article, "question": "an wen wend ich mich", "sentences": [sentence]},
        {"article": article, "question": "wer hilft mir da", "sentences": [sentence], "by": "editor"},
        {"article": article, "question": "welches amt hilft weiter", "sentences": [sentence], "by": "editor"},
    ]
    (knowledge_dir / "answer-examples.jsonl").write_text("".join(json.dumps(line) + "\n" for line in lines))
    listed = runner.invoke(app, ["corpus", "sentences", "--article", article, "-K", str(knowledge_dir)])
    assert listed.exit_code == 0, listed.output
    rows = [" ".join(line.split()) for line in listed.output.splitlines()]
    assert f"1 asked 2 written {sentence}" in rows
    unasked = [row for row in rows if row.startswith("0 asked 0 written")]
    assert unasked and all(sentence not in row for row in unasked)
    only = runner.invoke(app, ["corpus", "sentences", "-a", article, "--unasked", "-K", str(knowledge_dir)])
    assert sentence not in only.output and len(only.output.splitlines()) == len(unasked) + 2
    assert f"{len(unasked)} of {len(rows) - 2} sentences and list items have no question yet" in only.output
    unknown = runner.invoke(app, ["corpus", "sentences", "-a", "duisburg/reisepass", "-K", str(knowledge_dir)])
    assert unknown.exit_code == 2 and "no article 'duisburg/reisepass'" in unknown.output
