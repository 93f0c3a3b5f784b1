"""The DLDB service-export importer: valid articles with fees, LeiKa ids and synonyms; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpus.dldb_import import DldbFormatError, html_to_markdown, import_dldb
from corpus.knowledge_base import load_knowledge_base
from tests.conftest import SHARED

MUNICH = SHARED / "data" / "munich_services" / "services_de.raw.json"


def export(tmp_path: Path, services: list[dict[str, object]]) -> Path:
    path = tmp_path / "export.json"
    path.write_text(json.dumps({"data": services, "meta": {}}), encoding="utf-8")
    return path


SERVICE = {
    "id": "42",
    "name": "Hund anmelden",
    "description": "<p>\u200bSie halten einen <strong>Hund</strong>.</p><h2>Ablauf</h2><ul><li>Formular</li></ul>",
    "fees": "<p>100 Euro pro Jahr</p>",
    "leika": "99012003000000",
    "meta": {"lastupdate": "2026-06-08T07:41:01", "keywords": "Hundesteuer, Hundemarke"},
    "authorities": [{"id": "1", "name": "Stadtkasse"}],
    "requirements": [{"name": "Nachweis", "link": "", "description": "<p>Chipnummer</p>"}],
}


@pytest.mark.unit
def test_import_writes_valid_articles_with_fees_leika_and_synonyms(tmp_path: Path) -> None:
    empty = {"id": "43", "name": "Leer", "description": "", "meta": {}}
    report = import_dldb(export(tmp_path, [SERVICE, empty]), "Musterstadt", tmp_path / "kb")
    assert [p.name for p in report.written] == ["hund-anmelden-42.md"]
    assert report.skipped and "43" in report.skipped[0]
    kb = load_knowledge_base(tmp_path / "kb")
    article = kb.get("musterstadt/hund-anmelden-42")
    assert article.leika == "99012003000000" and article.fees == "100 Euro pro Jahr"
    assert article.synonyms == ("Hundesteuer", "Hundemarke") and article.office == "Stadtkasse"
    assert article.updated.isoformat() == "2026-06-08"
    headings = [s.heading for s in article.sections]
    assert headings == ["Beschreibung", "Unterlagen", "Kosten"]
    assert "**Hund**" in article.sections[0].text and "### Ablauf" in article.sections[0].text
    assert "\u200b" not in article.sections[0].text
    assert kb.cities.get("musterstadt").name == "Musterstadt"


@pytest.mark.unit
def test_keywords_can_be_left_out(tmp_path: Path) -> None:
    import_dldb(export(tmp_path, [SERVICE]), "musterstadt", tmp_path / "kb", with_keywords=False)
    assert load_knowledge_base(tmp_path / "kb").get("musterstadt/hund-anmelden-42").synonyms == ()


@pytest.mark.unit
def test_not_a_dldb_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"services": 1}')
    with pytest.raises(DldbFormatError, match="expected a DLDB export"):
        import_dldb(bad, "x", tmp_path / "kb")
    bad.write_text("not json")
    with pytest.raises(DldbFormatError, match="cannot read"):
        import_dldb(bad, "x", tmp_path / "kb")


@pytest.mark.unit
def test_html_to_markdown_keeps_structure() -> None:
    md = html_to_markdown("<h1>Titel</h1><p>Text mit <a href='https://x.de'>Link</a></p><ol><li>eins</li></ol>")
    assert md.startswith("### Titel") and "[Link](https://x.de)" in md and "1. eins" in md


@pytest.mark.integration
@pytest.mark.skipif(not MUNICH.is_file(), reason="../shared/data is not beside the checkout")
def test_import_of_the_munich_export(tmp_path: Path) -> None:
    report = import_dldb(MUNICH, "muenchen", tmp_path / "kb", with_keywords=False)
    kb = load_knowledge_base(tmp_path / "kb")
    assert len(report.written) == len(kb.published) >= 200
    raw = json.loads(MUNICH.read_text(encoding="utf-8"))["data"]
    assert len(report.written) + len(report.skipped) == len(raw)
    gewerbe = kb.get("muenchen/gewerbe-anmeldung-1063423")
    assert gewerbe.leika == "99050012104000" and gewerbe.fees and "50 bis 60 Euro" in gewerbe.fees
    assert all(not a.synonyms for a in kb.published)
    with_keywords = import_dldb(MUNICH, "muenchen", tmp_path / "kb2", with_keywords=True)
    kb2 = load_knowledge_base(tmp_path / "kb2")
    assert len(with_keywords.written) == len(report.written)
    assert "Gewerbeanmeldung" in kb2.get("muenchen/gewerbe-anmeldung-1063423").synonyms
