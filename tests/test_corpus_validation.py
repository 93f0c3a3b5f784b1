"""Article validation: every problem reported with file, line and field; drafts not published."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.errors import CorpusValidationError, KnowledgeFolderError, UnknownCityError
from corpus.knowledge_base import load_knowledge_base, scan_knowledge_folder
from tests.helpers import article_text

pytestmark = pytest.mark.unit


def issues_for(root: Path) -> list[tuple[str, int | None, str, str]]:
    _, issues = scan_knowledge_folder(root)
    return [(i.path.name, i.line, i.field, i.message) for i in issues]


def test_valid_article_is_parsed_with_id_city_and_sections(knowledge_dir: Path) -> None:
    kb = load_knowledge_base(knowledge_dir)
    article = kb.get("bottrop/sperrmuell")
    assert article.city == "bottrop"
    assert article.title == "Sperrmüll anmelden in Bottrop"
    assert article.synonyms == ("alte Möbel", "Sofa entsorgen", "Sperrgut")
    assert [s.heading for s in article.sections] == ["Das Wichtigste", "Zuständige Stelle"]
    assert article.updated.isoformat() == "2026-05-01"
    assert len(kb.published) == 13


def test_every_problem_is_reported_with_file_line_and_field(knowledge_dir: Path) -> None:
    folder = knowledge_dir / "duisburg"
    (folder / "no-title.md").write_text("---\nservice: x\nupdated: 2026-01-01\nstatus: published\n---\n## A\nText\n")
    (folder / "bad-status.md").write_text(article_text("T", "x", "Body").replace("published", "online"))
    (folder / "bad-date.md").write_text(article_text("T", "x", "Body", updated="31.12.2026"))
    (folder / "empty.md").write_text("---\ntitle: T\nservice: x\nupdated: 2026-01-01\nstatus: draft\n---\n\n")
    (folder / "bad-leika.md").write_text(article_text("T", "x", "Body", extra='leika: "123"\n'))
    (folder / "bad-service.md").write_text(article_text("T", "Not A Slug", "Body"))
    found = issues_for(knowledge_dir)
    assert ("no-title.md", 1, "title", "missing") in found
    assert ("bad-status.md", 5, "status", "unknown status 'online' (published or draft)") in found
    assert any(f[0] == "bad-date.md" and f[1] == 4 and f[2] == "updated" and "31.12.2026" in f[3] for f in found)
    assert any(f[0] == "empty.md" and f[2] == "body" and "empty" in f[3] for f in found)
    assert any(f[0] == "bad-leika.md" and f[2] == "leika" for f in found)
    assert any(f[0] == "bad-service.md" and f[2] == "service" for f in found)
    with pytest.raises(CorpusValidationError) as err:
        load_knowledge_base(knowledge_dir)
    message = str(err.value)
    assert "6 problem(s)" in message
    assert "no-title.md:1: title: missing" in message


def test_unknown_city_folder_and_duplicate_id_are_reported(knowledge_dir: Path) -> None:
    (knowledge_dir / "oberhausen").mkdir()
    (knowledge_dir / "oberhausen" / "a.md").write_text(article_text("T", "x", "Body"))
    nested = knowledge_dir / "bottrop" / "archiv"
    nested.mkdir()
    (nested / "sperrmuell.md").write_text(article_text("T", "x", "Body"))
    found = issues_for(knowledge_dir)
    assert any(f[2] == "city" and "unknown city folder 'oberhausen'" in f[3] and "duisburg" in f[3] for f in found)
    assert any(f[2] == "id" and "duplicate article id 'bottrop/sperrmuell'" in f[3] for f in found)


def test_broken_yaml_names_the_line(knowledge_dir: Path) -> None:
    (knowledge_dir / "bottrop" / "broken.md").write_text("---\ntitle: T\nsynonyms: [a, b\nstatus: draft\n---\nBody\n")
    found = issues_for(knowledge_dir)
    broken = [f for f in found if f[0] == "broken.md"]
    assert broken and broken[0][2] == "front matter" and "invalid YAML" in broken[0][3]
    assert broken[0][1] is not None


def test_missing_front_matter_and_unknown_field(knowledge_dir: Path) -> None:
    (knowledge_dir / "bottrop" / "plain.md").write_text("# Nur Text\n")
    (knowledge_dir / "bottrop" / "extra.md").write_text(article_text("T", "x", "Body", extra="autor: Max\n"))
    found = issues_for(knowledge_dir)
    assert ("plain.md", 1, "front matter", "missing: the file must start with '---'") in found
    assert any(f[0] == "extra.md" and f[2] == "autor" and f[3] == "unknown field" for f in found)


def test_drafts_are_valid_but_not_published(knowledge_dir: Path) -> None:
    (knowledge_dir / "bottrop" / "entwurf.md").write_text(article_text("Entwurf", "x", "Body", status="draft"))
    kb = load_knowledge_base(knowledge_dir)
    assert "bottrop/entwurf" in kb.articles
    assert all(a.id != "bottrop/entwurf" for a in kb.published)


def test_missing_or_empty_knowledge_folder_says_where_it_looked(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeFolderError, match="does not exist") as err:
        load_knowledge_base(tmp_path / "nowhere")
    assert str(tmp_path / "nowhere") in str(err.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(KnowledgeFolderError, match=r"cities\.yaml"):
        load_knowledge_base(tmp_path / "empty")
    (tmp_path / "empty" / "cities.yaml").write_text("cities:\n  bottrop: {name: Bottrop}\n")
    with pytest.raises(KnowledgeFolderError, match="no article files"):
        load_knowledge_base(tmp_path / "empty")


def test_unknown_city_lists_known_cities(knowledge_dir: Path) -> None:
    kb = load_knowledge_base(knowledge_dir)
    with pytest.raises(UnknownCityError) as err:
        kb.cities.get("Oberhausen")
    assert "duisburg, bottrop, dinslaken" in str(err.value)
    assert kb.cities.get(" Bottrop ").name == "Bottrop"
    assert kb.cities.scope("bottrop") == ("bottrop", "common")


def test_dialed_numbers_match_in_any_notation(knowledge_dir: Path) -> None:
    cities = load_knowledge_base(knowledge_dir).cities
    for number in ("+49 2041 700", "02041/700", "0049 2041 700"):
        city = cities.by_dialed_number(number)
        assert city is not None and city.key == "bottrop"
    assert cities.by_dialed_number("0208 123") is None
