"""Draft articles for gap topics: valid in the article format, status draft, callers' questions as
synonyms, and another city's structure where that city answers the matter."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from assistant.gaps.draft_article import USUAL_SECTIONS, draft_article, draft_file_name, slug
from corpus.article_parser import ArticleParser
from corpus.knowledge_base import load_knowledge_base

QUESTIONS = ["bei uns im keller laufen ratten rum, wer bekämpft die ratten", "kommt da ein kammerjäger"]


def parse(tmp_path: Path, city: str, text: str) -> object:
    path = tmp_path / city / "entwurf.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    article, issues = ArticleParser().parse(path, city)
    assert not issues, [str(i) for i in issues]
    return article


@pytest.mark.unit
def test_draft_is_a_valid_draft_article_with_the_usual_sections(tmp_path: Path) -> None:
    text = draft_article("duisburg", "Duisburg", "Ratten Keller", QUESTIONS, date(2026, 11, 27))
    article = parse(tmp_path, "duisburg", text)
    assert article.status == "draft" and article.title == "Ratten Keller"  # type: ignore[attr-defined]
    assert list(article.synonyms) == QUESTIONS  # type: ignore[attr-defined]
    assert [s.heading for s in article.sections] == [h for h, _ in USUAL_SECTIONS]  # type: ignore[attr-defined]
    assert article.service == "ratten-keller" and article.todo  # type: ignore[attr-defined]


@pytest.mark.unit
def test_draft_takes_the_structure_of_the_city_that_answers(tmp_path: Path, knowledge_dir: Path) -> None:
    model = load_knowledge_base(knowledge_dir).articles["bottrop/sperrmuell"]
    text = draft_article("duisburg", "Duisburg", "Sperrmüll", ["alte couch weg"], date(2026, 11, 27), model, "Bottrop")
    article = parse(tmp_path, "duisburg", text)
    assert [s.heading for s in article.sections] == [s.heading for s in model.sections]  # type: ignore[attr-defined]
    assert article.service == model.service  # type: ignore[attr-defined]
    assert any("bottrop/sperrmuell" in t for t in article.todo)  # type: ignore[attr-defined]


@pytest.mark.unit
def test_file_names_and_slugs_are_plain() -> None:
    assert slug("Bücherei-Ausweis für Kinder?") == "buecherei-ausweis-fuer-kinder"
    assert slug("???") == "neues-thema"
    assert draft_file_name("dinslaken", "Baum fällen") == "dinslaken-baum-faellen.md"
