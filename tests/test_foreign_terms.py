"""The glossary that lets the German lexical index take part in a question asked in English, Turkish
or Arabic."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.knowledge_base import KnowledgeBase
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.passage_index import IndexBuilder, IndexSettings
from embeddings.retrieval.foreign_terms import ForeignTermGlossary, default_glossary
from embeddings.retrieval.retriever import HybridRetriever, RetrievalConfig

GLOSSARY = ForeignTermGlossary(
    [
        {"de": "Personalausweis", "en": ["id card", "ausweis"], "tr": ["kimlik"], "ar": ["بطاقة الهوية", "hawiye"]},
        {"de": "Hundesteuer Hund", "en": ["dog*"], "tr": ["köpek"], "ar": ["كلب"]},
        {"de": "Wohngeld", "en": ["help with rent"], "tr": ["kira yardım"], "ar": ["مساعدة الإيجار"]},
        {"de": "Lärm Nachbar", "en": ["neighbour*"], "tr": ["komşu"], "ar": ["جار"]},
        {"de": "Fahrzeug", "en": ["car"], "tr": ["araba"], "ar": ["سيارة"]},
    ]
)


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "language", "german"),
    [
        ("I lost my ID card", "en", "Personalausweis"),
        ("my Ausweis expired", "en", "Personalausweis"),
        ("we have two dogs and a puppy", "en", "Hundesteuer Hund"),
        ("my neighbours are loud", "en", "Lärm Nachbar"),
        ("I need a card for the library", "en", ""),  # "car" is a whole word, not the start of "card"
        ("kimliğimi kaybettim", "tr", "Personalausweis"),  # suffix and the softened final k
        ("KİMLİGİMİ kaybettim", "tr", "Personalausweis"),  # capitals and no Turkish letters
        ("köpeğim için vergi", "tr", "Hundesteuer Hund"),
        ("kira yardımı alabilir miyim", "tr", "Wohngeld"),
        ("ضاعت بطاقةُ الهويّة", "ar", "Personalausweis"),  # diacritics and the article
        ("هل بقدر أطلب مساعدة للإيجار", "ar", "Wohngeld"),  # a clitic instead of the article
        ("الإيجار غالي", "ar", ""),  # "جار" (neighbour) is not a word start inside "الإيجار"
        ("عندي مشكلة مع جاري", "ar", "Lärm Nachbar"),  # a pronoun suffix
        ("ana badi hawiye jdide", "ar", "Personalausweis"),  # Arabic in Latin letters
        ("Hund anmelden", "de", ""),  # German questions are searched as they are
    ],
)
def test_glossary_matches_how_callers_write(text: str, language: str, german: str) -> None:
    assert GLOSSARY.german_words(text, language) == german  # type: ignore[arg-type]


@pytest.mark.unit
def test_a_malformed_glossary_names_the_entry(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="entry 2 needs 'de'"):
        ForeignTermGlossary([{"de": "Hund", "en": ["dog"]}, {"en": ["cat"]}])
    with pytest.raises(ValueError, match=r"entry 1 \(Hund\): 'tr' must be a list"):
        ForeignTermGlossary([{"de": "Hund", "tr": "köpek"}])
    path = tmp_path / "terms.yaml"
    path.write_text("de: Hund\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"terms\.yaml: expected a list"):
        ForeignTermGlossary.from_file(path)


@pytest.mark.unit
def test_the_bundled_glossary_loads_and_covers_every_language() -> None:
    glossary = default_glossary()
    assert "Reisepass" in glossary.german_words("passport for my baby", "en")
    assert "Reisepass" in glossary.german_words("çocuğum için pasaport lazım", "tr")
    assert "Reisepass" in glossary.german_words("بدي جواز سفر لابني", "ar")


@pytest.mark.unit
def test_a_foreign_question_is_searched_lexically_by_its_german_words(
    knowledge_base: KnowledgeBase, fake_encoder: HashingFakeEncoder
) -> None:
    """The fake encoder's dense ranking knows no language, so only the glossary's German words can
    bring the dog article to the top; without the glossary the lexical half finds nothing."""
    index, _ = IndexBuilder(fake_encoder, IndexSettings(lexical_analyzer="char4")).refresh(knowledge_base)
    lexical_only = RetrievalConfig(dense_weight=0.0)
    retriever = HybridRetriever(index, fake_encoder, knowledge_base.cities, lexical_only, glossary=GLOSSARY)
    question = "how much do I pay for my dog every year"
    assert retriever.lexical_text(question) == "Hundesteuer Hund"
    assert retriever.search(question, "bottrop", k=1)[0].article_id == "bottrop/hundesteuer"
    empty = HybridRetriever(index, fake_encoder, knowledge_base.cities, lexical_only, glossary=ForeignTermGlossary([]))
    assert empty.lexical_text(question) == ""
    assert empty.search(question, "bottrop", k=1, mode="lexical") == []
