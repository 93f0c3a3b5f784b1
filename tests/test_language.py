"""The cheap language guess that lets hybrid search trust the multilingual dense ranking."""

from __future__ import annotations

import pytest

from embeddings.retrieval.language import detect_language


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("how do I get a new passport for my son", "en"),
        ("pasaportumu nasıl yenileyebilirim", "tr"),
        ("benim ehliyet lazım ne yapmam gerekiyor", "tr"),
        ("أريد تجديد جواز السفر", "ar"),
        ("ana badi nomra mmayaze lal sayyara", "ar"),  # Arabic in Latin letters
        ("ibni 3omro 6 snin badi sajlo bl madrase", "ar"),
        ("ich bin 3 mal da gewesen wat kostet dat", "de"),  # digits alone make no arabizi
        ("hallo ich brauch n termin für 2 personen", "de"),
        ("wat kostet n Kampfhund im Jahr an Steuern", "de"),
        ("bei uns in Grafenwald is n Loch in der Fahrbahn", "de"),
        ("die is kaputt, kommt da wer", "de"),
        ("perso abgelaufen", "de"),
        ("", "de"),
    ],
)
def test_detect_language(text: str, language: str) -> None:
    assert detect_language(text) == language
