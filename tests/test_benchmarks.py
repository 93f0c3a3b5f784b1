"""The external benchmarks (Munich DLDB, XQuAD, RAGSource): loaders, generated articles, `souffleur eval bench`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app
from corpus.knowledge_base import load_knowledge_base
from corpus.passages import PassageSplitter
from eval.benchmarks.article_writer import GeneratedArticle, article_markdown
from eval.benchmarks.benchmark_corpus import BenchmarkDataError
from eval.benchmarks.markdown_sections import DEFAULT_HEADING, markdown_sections
from eval.benchmarks.munich import MunichKeywordBenchmark
from eval.benchmarks.ragsource import RagsourceBenchmark
from eval.benchmarks.xquad import XquadBenchmark
from tests.conftest import SHARED

FILLER = "Die Gemeinde erhebt dafür eine Gebühr nach der geltenden Satzung. "


def jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def munich_data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    services = [
        {
            "id": "1001",
            "name": "Gewerbe-Anmeldung",
            "description": "<p>Sie melden ein Gewerbe beim Gewerbeamt an.</p>",
            "meta": {"lastupdate": "2026-06-08T07:41:01", "keywords": "gewerbeschein, selbstständig machen"},
        },
        {
            "id": "1002",
            "name": "Hund anmelden",
            "description": "<p>Hunde werden bei der Steuerstelle angemeldet und bekommen eine Marke.</p>",
            "meta": {"lastupdate": "2026-06-08T07:41:01", "keywords": "hundemarke"},
        },
        {"id": "1003", "name": "Leer", "description": "", "meta": {}},
    ]
    (folder / "services_de.raw.json").write_text(json.dumps({"data": services}), encoding="utf-8")
    jsonl(
        folder / "munich_keyword_queries.jsonl",
        [
            {"qid": "m1", "query": "gewerbeschein", "relevant_ids": ["1001"]},
            {"qid": "m2", "query": "hundemarke", "relevant_ids": ["1002", "1003"]},
            {"qid": "m3", "query": "leer", "relevant_ids": ["1003"]},
            {"qid": "m4", "query": "unbekannt", "relevant_ids": ["9999"]},
        ],
    )
    return folder


def xquad_data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    context = "Der Rhein entspringt in den Alpen und fließt in die Nordsee."
    data = {
        "version": "1.1",
        "data": [
            {
                "title": "Rhine",
                "paragraphs": [
                    {"context": context, "qas": [{"id": "x1", "question": "Wo entspringt der Rhein?"}]},
                    {"context": "Köln liegt am Rhein.", "qas": [{"id": "x2", "question": "Woran liegt Köln?"}]},
                ],
            },
            {
                "title": "Rhine_copy",
                "paragraphs": [
                    {"context": context.replace(" ", "  "), "qas": [{"id": "x3", "question": "Wohin fließt er?"}]}
                ],
            },
        ],
    }
    (folder / "xquad.de.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return folder


STATUTE = """# Hundesteuersatzung der Gemeinde

## Abschnitt 1

Allgemeines

#### § 1 Steuergegenstand

Die Gemeinde erhebt eine Hundesteuer für das Halten von Hunden im Gemeindegebiet. {filler}

#### § 2 (weggefallen)

### § 3 Steuersatz

Die Steuer beträgt für jeden Hund 108 Euro im Jahr, für Kampfhunde 720 Euro. {filler}

#### § 4 Inkrafttreten
"""


def ragsource_data(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    jsonl(
        folder / "docs.jsonl",
        [
            {
                "doc_id": "rs001",
                "title": "Hundesteuersatzung",
                "keywords": ["GEHEIMESSCHLAGWORT"],
                "fragen": ["Wie hoch ist die Hundesteuer?"],
                "text": STATUTE.format(filler=FILLER * 6),
            },
            {"doc_id": "rs002", "title": "Friedhofssatzung", "text": "Gräber werden gepflegt. " + FILLER * 40},
        ],
    )
    jsonl(
        folder / "queries.jsonl",
        [
            {"qid": "r1", "query": "Wie hoch ist die Hundesteuer?", "relevant_ids": ["rs001"]},
            {"qid": "r2", "query": "Wer pflegt Gräber?", "relevant_ids": ["rs002"]},
            {"qid": "r3", "query": "Gibt es nicht", "relevant_ids": ["rs999"]},
        ],
    )
    return folder


# ---- loaders -----------------------------------------------------------------------------------
@pytest.mark.unit
def test_munich_loader_maps_service_ids_to_article_ids_and_leaves_keywords_out(tmp_path: Path) -> None:
    corpus = MunichKeywordBenchmark().build(munich_data(tmp_path / "data"), tmp_path / "kb")
    assert corpus.articles == 2 and corpus.dropped_queries == 2
    assert [(q.id, q.city, q.relevant) for q in corpus.queries] == [
        ("m1", "muenchen", {"muenchen/gewerbe-anmeldung-1001": 1}),
        ("m2", "muenchen", {"muenchen/hund-anmelden-1002": 1}),
    ]
    kb = load_knowledge_base(corpus.knowledge_dir)
    assert set(kb.articles) == {"muenchen/gewerbe-anmeldung-1001", "muenchen/hund-anmelden-1002"}
    assert all(not a.synonyms for a in kb.published)
    assert "hundemarke" not in (tmp_path / "kb" / "muenchen" / "hund-anmelden-1002.md").read_text(encoding="utf-8")
    limited = MunichKeywordBenchmark().build(tmp_path / "data", tmp_path / "kb2", limit=1)
    assert [q.id for q in limited.queries] == ["m1"]


@pytest.mark.unit
def test_xquad_loader_one_article_per_distinct_paragraph(tmp_path: Path) -> None:
    corpus = XquadBenchmark().build(xquad_data(tmp_path / "data"), tmp_path / "kb")
    assert corpus.articles == 2 and "1 duplicate paragraphs merged" in corpus.notes[0]
    relevant = {q.id: next(iter(q.relevant)) for q in corpus.queries}
    assert relevant == {"x1": "xquad/p0001", "x2": "xquad/p0002", "x3": "xquad/p0001"}
    kb = load_knowledge_base(corpus.knowledge_dir)
    article = kb.get("xquad/p0001")
    assert article.title == "Rhine – Absatz 1"
    assert [s.heading for s in article.sections] == ["Absatz"]
    assert "entspringt in den Alpen" in article.sections[0].text


@pytest.mark.unit
def test_ragsource_loader_sections_from_headings_of_every_level(tmp_path: Path) -> None:
    corpus = RagsourceBenchmark().build(ragsource_data(tmp_path / "data"), tmp_path / "kb")
    assert corpus.articles == 2 and corpus.dropped_queries == 1
    assert [(q.id, q.relevant) for q in corpus.queries] == [
        ("r1", {"ragsource/rs001": 1}),
        ("r2", {"ragsource/rs002": 1}),
    ]
    kb = load_knowledge_base(corpus.knowledge_dir)
    statute = kb.get("ragsource/rs001")
    headings = [s.heading for s in statute.sections]
    assert headings == ["§ 1 Steuergegenstand", "§ 3 Steuersatz"]
    first = statute.sections[0].text
    # short sections joined a neighbour, their headings kept as lines
    assert first.startswith("Hundesteuersatzung der Gemeinde\n\nAbschnitt 1\n\nAllgemeines\n\nDie Gemeinde")
    assert first.endswith("§ 2 (weggefallen)")
    assert "§ 4 Inkrafttreten" in statute.sections[1].text and "#" not in statute.body.replace("## ", "")
    text = (tmp_path / "kb" / "ragsource" / "rs001.md").read_text(encoding="utf-8")
    assert "GEHEIMESSCHLAGWORT" not in text and "Wie hoch ist die Hundesteuer?" not in text


@pytest.mark.unit
def test_long_document_without_headings_is_cut_into_passages_at_sentence_ends(tmp_path: Path) -> None:
    corpus = RagsourceBenchmark().build(ragsource_data(tmp_path / "data"), tmp_path / "kb")
    article = load_knowledge_base(corpus.knowledge_dir).get("ragsource/rs002")
    assert [s.heading for s in article.sections] == [DEFAULT_HEADING]
    passages = PassageSplitter(max_tokens=64, count_tokens=lambda t: len(t.split()) + 2).split(article)
    sections = [p for p in passages if p.kind == "section"]
    assert len(sections) >= 5
    assert all(p.text.endswith(".") for p in sections)
    assert all(len(p.text.split()) + 2 <= 64 for p in sections)


@pytest.mark.unit
def test_markdown_sections_fold_short_sections() -> None:
    assert markdown_sections("") == []
    assert markdown_sections("Nur Text ohne Überschrift.") == [(DEFAULT_HEADING, "Nur Text ohne Überschrift.")]
    long = "Wort " * 50
    text = f"Vorspann.\n\n### A\n{long}\n\n## B\nkurz\n\n## C\n{long}\n\n#### D\nEnde."
    assert markdown_sections(text) == [
        ("A", f"Vorspann.\n\n{long.strip()}\n\nB\n\nkurz"),
        ("C", f"{long.strip()}\n\nD\n\nEnde."),
    ]
    assert markdown_sections("## Nur\n\n### Überschriften") == [("Nur", "Überschriften")]


@pytest.mark.unit
def test_generated_article_format() -> None:
    text = article_markdown(GeneratedArticle("a", "Titel: mit Doppelpunkt", [("Teil #1", "## kein Abschnitt\nText")]))
    assert text is not None
    assert text.startswith("---\ntitle: 'Titel: mit Doppelpunkt'\n") and "\n## Teil 1\nkein Abschnitt\nText\n" in text
    assert article_markdown(GeneratedArticle("b", "Leer", [("A", "  ")])) is None


@pytest.mark.unit
def test_missing_benchmark_files_are_named(tmp_path: Path) -> None:
    with pytest.raises(BenchmarkDataError, match="No data folder"):
        XquadBenchmark().build(tmp_path / "nope", tmp_path / "kb")
    (tmp_path / "empty").mkdir()
    with pytest.raises(BenchmarkDataError, match=r"has no docs\.jsonl"):
        RagsourceBenchmark().build(tmp_path / "empty", tmp_path / "kb")
    bad = ragsource_data(tmp_path / "bad")
    (bad / "queries.jsonl").write_text('{"qid": "r1"}\n', encoding="utf-8")
    with pytest.raises(BenchmarkDataError, match=r"queries.jsonl:1: expected \{qid, query, relevant_ids"):
        RagsourceBenchmark().build(bad, tmp_path / "kb")


# ---- command line ------------------------------------------------------------------------------
@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOUFFLEUR_ENCODER__MODEL", "fake:64")
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "data-dir"))
    monkeypatch.chdir(tmp_path)
    return CliRunner()


@pytest.mark.integration  # ranx metrics: numba compilation
@pytest.mark.parametrize(
    ("name", "make", "queries", "articles"),
    [("munich", munich_data, 2, 2), ("xquad", xquad_data, 3, 2), ("ragsource", ragsource_data, 2, 2)],
)
def test_bench_commands_json(
    runner: CliRunner, tmp_path: Path, name: str, make: Callable[[Path], Path], queries: int, articles: int
) -> None:
    data = make(tmp_path / name)
    result = runner.invoke(app, ["eval", "bench", name, "--data", str(data), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["benchmark"] == name and out["queries"] == queries and out["articles"] == articles
    assert list(out["modes"]) == ["lexical", "dense", "hybrid"]
    assert set(out["modes"]["hybrid"]) == {"recall@1", "recall@3", "recall@5", "mrr@10", "ndcg@10"} | {
        "latency_p50_ms",
        "latency_p95_ms",
    }
    assert out["index_seconds"] is not None
    again = runner.invoke(app, ["eval", "bench", name, "--data", str(data), "--json", "--limit", "1"])
    reused = json.loads(again.stdout.strip().splitlines()[-1])
    assert reused["queries"] == 1 and reused["index_seconds"] is None  # the index under the data dir is reused


@pytest.mark.integration  # ranx metrics: numba compilation
def test_bench_command_table_mode_and_errors(runner: CliRunner, tmp_path: Path) -> None:
    data = xquad_data(tmp_path / "xquad")
    table = runner.invoke(app, ["eval", "bench", "xquad", "--data", str(data), "--mode", "lexical"])
    assert table.exit_code == 0, table.output
    assert "lexical" in table.output and "hybrid" not in table.output and "R@3" in table.output
    assert runner.invoke(app, ["eval", "bench", "xquad", "--data", str(data), "--json"]).exit_code == 0
    lexical = json.loads(
        runner.invoke(app, ["eval", "bench", "xquad", "--data", str(data), "--json", "--mode", "lexical"]).stdout
    )
    assert lexical["modes"]["lexical"]["recall@1"] == 1.0  # the tiny fixture is easy for BM25
    missing = runner.invoke(app, ["eval", "bench", "munich", "--data", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2 and "No data folder" in missing.output and "Traceback" not in missing.output
    bad_mode = runner.invoke(app, ["eval", "bench", "munich", "--data", str(data), "--mode", "fuzzy"])
    assert bad_mode.exit_code == 2 and "unknown mode 'fuzzy'" in bad_mode.output


# ---- the real data (no model) ------------------------------------------------------------------
DATA = SHARED / "data"


@pytest.mark.integration
@pytest.mark.skipif(not (DATA / "xquad").is_dir(), reason="../shared/data is not beside the checkout")
def test_loaders_on_the_real_benchmark_data(tmp_path: Path) -> None:
    munich = MunichKeywordBenchmark().build(DATA / "munich_services", tmp_path / "munich")
    assert munich.articles == 224 and len(munich.queries) + munich.dropped_queries == 715
    xquad = XquadBenchmark().build(DATA / "xquad", tmp_path / "xquad")
    assert xquad.articles == 240 and len(xquad.queries) == 1190
    ragsource = RagsourceBenchmark().build(DATA / "ragsource_satzungen", tmp_path / "ragsource")
    assert ragsource.articles == 209 and len(ragsource.queries) == 1711 and ragsource.dropped_queries == 0
    for corpus in (munich, xquad, ragsource):
        kb = load_knowledge_base(corpus.knowledge_dir)
        assert all(q.relevant.keys() <= kb.articles.keys() for q in corpus.queries)
