"""Passages: one per section plus keywords, long sections cut at sentence ends within the budget."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from corpus.models import Article, Section
from corpus.passages import PassageSplitter, approximate_token_count, split_sentences

pytestmark = pytest.mark.unit


def make_article(text: str) -> Article:
    return Article(
        id="bottrop/test",
        city="bottrop",
        path=Path("bottrop/test.md"),
        title="Testartikel",
        service="test",
        updated=date(2026, 1, 1),
        status="published",
        sections=(Section("Kurz", "Ein kurzer Satz.", 6), Section("Lang", text, 9)),
        synonyms=("Probe", "Versuch"),
    )


def test_one_passage_per_section_plus_keywords() -> None:
    passages = PassageSplitter(max_tokens=256).split(make_article("Noch ein Satz."))
    assert [p.heading for p in passages] == ["Stichwörter", "Kurz", "Lang"]
    assert passages[0].kind == "keywords" and "Probe, Versuch" in passages[0].text
    assert all(p.article_id == "bottrop/test" and p.title == "Testartikel" for p in passages)
    assert [p.id for p in passages] == ["bottrop/test#0", "bottrop/test#1", "bottrop/test#2"]


def test_long_sections_are_cut_at_sentences_within_the_budget() -> None:
    long_text = " ".join(f"Dies ist Satz Nummer {i} mit einigen Wörtern darin." for i in range(200))
    splitter = PassageSplitter(max_tokens=64)
    passages = [p for p in splitter.split(make_article(long_text)) if p.heading == "Lang"]
    assert len(passages) > 5
    for p in passages:
        assert approximate_token_count(f"passage: {p.title} – {p.heading}\n{p.text}") <= 64 + 3
        assert p.text.endswith(".")
    assert " ".join(p.text for p in passages) == long_text


def test_a_single_huge_sentence_is_still_split() -> None:
    passages = PassageSplitter(max_tokens=32).split(make_article("wort " * 500))
    assert all(approximate_token_count(p.text) <= 32 for p in passages)


def test_invalid_budget_is_rejected() -> None:
    with pytest.raises(ValueError):
        PassageSplitter(max_tokens=4)


def test_split_sentences_handles_lists() -> None:
    text = "Bitte mitbringen:\n- Ausweis\n- Foto\n\nDanach. Fertig."
    assert split_sentences(text) == ["Bitte mitbringen:", "- Ausweis", "- Foto", "Danach.", "Fertig."]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "sentences"),
    [
        ("Mitbringen, z. B. Ausweis. Danach.", ["Mitbringen, z. B. Ausweis.", "Danach."]),
        (
            "Kosten ca. 28 Euro bzw. 10 Euro. Ggf. Nr. 5 fragen.",
            ["Kosten ca. 28 Euro bzw. 10 Euro.", "Ggf. Nr. 5 fragen."],
        ),
        (
            "Termine ab dem 1. Januar 2025. Im Jahr 2024. Ende.",
            ["Termine ab dem 1. Januar 2025.", "Im Jahr 2024.", "Ende."],
        ),
        ("Sie brauchen u. a. Fotos. Die Frist: zwei Wochen.", ["Sie brauchen u. a. Fotos.", "Die Frist: zwei Wochen."]),
        ("Unterlagen:\n- Ausweis, d. h. Pass\n- Foto", ["Unterlagen:", "- Ausweis, d. h. Pass", "- Foto"]),
    ],
)
def test_split_sentences_respects_german_abbreviations_and_list_items(text: str, sentences: list[str]) -> None:
    assert split_sentences(text) == sentences


@pytest.mark.unit
def test_an_abbreviation_after_an_opening_bracket_does_not_end_a_sentence() -> None:
    text = "Für andere beantragen (z. B. Ehepartner) nur mit Vollmacht. Das geht (u. a. online) schnell."
    assert split_sentences(text) == [
        "Für andere beantragen (z. B. Ehepartner) nur mit Vollmacht.",
        "Das geht (u. a. online) schnell.",
    ]
