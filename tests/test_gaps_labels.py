"""Topic labels: a short German phrase of nouns from the callers' (redacted) words."""

from __future__ import annotations

import re

import pytest

from assistant.gaps.labels import CTfIdfLabeler
from assistant.privacy.redaction import GermanRedactor
from corpus.german_words import NOT_A_TOPIC

RATS = [
    "ja hallo äh ich hab da ne frage, bei uns im hinterhof laufen ratten rum",
    "so ekliges viehzeug, wer bekämpft die",
]
LIBRARY = ["mein ausweis von der bibliothek is abgelaufen", "wie verlänger ich den ausweis, kostet das was"]
TREE = ["ich will die große eiche im garten fällen", "brauche ich für das fällen vom baum eine genehmigung"]


def labels(labeler: CTfIdfLabeler, topics: list[list[str]], groups: list[int] | None = None) -> list[str]:
    words = labeler.characteristic_words(topics, groups)
    return [labeler.label_phrase(texts, found) for texts, found in zip(topics, words, strict=True)]


@pytest.mark.unit
def test_a_topic_is_named_by_a_phrase_of_the_callers_nouns() -> None:
    labeler = CTfIdfLabeler(["duisburg"])
    rats, library, tree = labels(labeler, [RATS, LIBRARY, TREE])
    assert rats == "Ratten im Hinterhof", "the best noun with a place the callers named"
    assert library == "Ausweis von der Bibliothek", "two nouns as the caller joined them"
    assert tree.split()[0] in ("Baum", "Eiche") and tree.split()[-1][0].isupper()


@pytest.mark.unit
def test_labels_hold_nouns_only_never_fillers_verbs_or_adjectives() -> None:
    labeler = CTfIdfLabeler(["duisburg"])
    topics = [RATS, LIBRARY, TREE, ["äh also genau, ich wollte mal fragen wegen dem termin, danke tschüss"]]
    words = labeler.characteristic_words(topics)
    never = NOT_A_TOPIC | {"ekliges", "laufen", "bekämpft", "kostet"}
    for texts, found in zip(topics, words, strict=True):
        label = labeler.label_phrase(texts, found)
        assert not never & set(found), found
        nouns = [w for w in label.split() if w.lower() not in {"im", "von", "der", "und", "am", "aus", "dem"}]
        assert all(w[0].isupper() for w in nouns) and not never & {w.lower() for w in nouns}, label
    assert words[3] == ["termin"]
    assert "Frage" not in labels(labeler, [RATS])[0] and "Hallo" not in labels(labeler, [RATS])[0]


@pytest.mark.unit
def test_singular_and_plural_count_as_one_noun() -> None:
    labeler = CTfIdfLabeler(words_per_label=3)
    words = labeler.characteristic_words([["eine ratte im keller", "die ratten im keller", "wieder ratten"]])[0]
    assert words[0] == "ratten" and "ratte" not in words, "one noun, shown as the callers said it most"


@pytest.mark.unit
def test_the_same_matter_in_other_cities_supports_its_nouns() -> None:
    labeler = CTfIdfLabeler()
    alone = labeler.characteristic_words([["der gärtner sagt der baum muss weg"], ["der kompost im garten"]])[0]
    helped = labeler.characteristic_words(
        [["der gärtner sagt der baum muss weg"], ["ein baum vor dem haus"], ["der kompost im garten"]], [0, 0, 1]
    )[0]
    assert "baum" not in alone, "alone, the tagger takes 'baum' for a name in this sentence"
    assert helped[0] == "baum"


@pytest.mark.unit
def test_labels_hold_no_personal_data() -> None:
    redactor = GermanRedactor()
    spoken = [
        "ja guten tag, schmitz hier, mein name ist klaus becker, ich wohne in der königstraße 12 in meiderich",
        "bei uns im keller sind ratten, meine nummer is 0176 98765432",
        "meine mail is sabine.krause@example.com, die ratten kommen aus dem kanal",
    ]
    redacted = [redactor.redact(t) for t in spoken]
    assert all("[" in t for t in redacted)
    labeler = CTfIdfLabeler(["duisburg"])
    labeler.learn_vocabulary(["Ratten im Keller. Der Kanal. Die Königstraße in Meiderich. Herr Becker."])
    missed = ["frau wrzlbrmpf hat ratten im keller gesehen", "schmitz sagt die ratten kommen aus dem kanal"]
    for texts in (redacted, missed):
        words = labeler.characteristic_words([texts])[0]
        label = labeler.label_phrase(texts, words)
        said = set(re.findall(r"\w+", " ".join([label, *words]).lower()))
        personal = {"schmitz", "klaus", "becker", "königstraße", "meiderich", "sabine", "krause", "wrzlbrmpf", "0176"}
        placeholders = {"name", "adresse", "telefon", "email", "nummer"}
        assert not said & (personal | placeholders), label
        assert label.startswith("Ratten"), label


@pytest.mark.unit
def test_a_text_without_a_noun_names_no_matter() -> None:
    labeler = CTfIdfLabeler()
    assert labeler.names_a_matter("bei uns im keller laufen ratten rum")
    for text in ("okay ja mach ich danke ihnen", "ja guten tag [NAME] hier", "und wie lange dauert dat", "[TELEFON]"):
        assert not labeler.names_a_matter(text), text
    assert not labeler.names_a_matter("wir wohnen in rheinhausen"), "a district is a place, not a matter"


@pytest.mark.unit
def test_a_matter_called_in_every_city_keeps_its_name_in_each() -> None:
    """Words are weighed against the other topics of the same city: a matter said in every city (split
    into a group per city) is named by its own noun there, not by one caller's incidental word."""
    labeler = CTfIdfLabeler()
    topics = [
        ["auf unserem dachboden wohnen waschbären\\ndie dämmung ist schon ganz zerfetzt"],
        ["bei uns sind waschbären in der garage\\ndie kletterrosen sind ganz zertrampelt"],
        ["in der gartenlaube hausen waschbären\\nmein rhabarber ist ganz zerfressen"],
        ["die straßenlaterne vor der kita flackert seit tagen"],
    ]
    words = labeler.characteristic_words(topics, [0, 1, 2, 3], cities=["essen", "bochum", "hagen", "essen"])
    labels = [labeler.label_phrase(texts[0].split("\\n"), found) for texts, found in zip(topics, words, strict=True)]
    assert all(label.startswith("Waschbären") for label in labels[:3]), labels


@pytest.mark.unit
def test_people_around_a_matter_come_after_the_matter() -> None:
    labeler = CTfIdfLabeler()
    texts = ["der hausmeister sagt, die heizung tropft", "der hausmeister hat schon zweimal nachgeschaut"]
    assert labeler.characteristic_words([texts])[0][0] == "heizung", "not the person named in both questions"


@pytest.mark.unit
def test_a_label_says_what_the_callers_want_done_with_the_matter() -> None:
    labeler = CTfIdfLabeler()
    texts = ["darf ich die hecke an der grundstücksgrenze einfach kürzen", "die hecke ist drei meter hoch"]
    assert labeler.label_phrase(texts, labeler.characteristic_words([texts])[0]) == "Hecke kürzen"
    light = ["muss ich für die hecke einen gärtner holen", "die hecke ist drei meter hoch"]
    assert not labeler.label_phrase(light, labeler.characteristic_words([light])[0]).endswith("holen")


@pytest.mark.unit
def test_a_place_far_from_the_matter_is_not_part_of_its_label() -> None:
    """The caller's district at the start of a long sentence says where they live, not where the matter is."""
    labeler = CTfIdfLabeler()
    far = ["hier is frau [NAME] aus der südstadt und ich wollte mal wissen wie dat mit dem wohngeld is"]
    assert labeler.label_phrase(far, labeler.characteristic_words([far])[0]) == "Wohngeld"
    near = ["im hinterhof steht ein sperrmüllhaufen", "der sperrmüllhaufen stinkt"]
    assert labeler.label_phrase(near, labeler.characteristic_words([near])[0]) == "Sperrmüllhaufen im Hinterhof"


@pytest.mark.unit
def test_the_question_shown_with_a_label_says_what_the_label_says() -> None:
    labeler = CTfIdfLabeler()
    central = ["also ich krieg die arme nich rum, so n meter umfang", "darf ich die hecke einfach kürzen", "die hecke"]
    assert labeler.naming_question(central, "Hecke kürzen", ["hecke", "umfang"]) == central[1]
    assert labeler.naming_question(["wie lange dauert dat"], "Hecke kürzen", ["hecke"]) is None
    compound = ["ja und dat mit der heckenschere", "wat kostet dat"]
    assert labeler.naming_question(compound, "Hecke", ["hecke"]) == compound[0], "a compound holds the word"


@pytest.mark.unit
def test_a_verb_of_another_clause_is_not_what_is_done_with_the_matter() -> None:
    labeler = CTfIdfLabeler()
    texts = ["ich brauch nen parkausweis weil ich bald umziehen will"]
    assert labeler.label_phrase(texts, labeler.characteristic_words([texts])[0]) == "Parkausweis"


@pytest.mark.unit
def test_a_label_says_the_article_where_the_caller_said_my_or_our() -> None:
    labeler = CTfIdfLabeler()
    texts = ["die wespen sitzen unter unserem vordach", "die wespen sind schon wieder da"]
    assert labeler.label_phrase(texts, labeler.characteristic_words([texts])[0]) == "Wespen unter dem Vordach"
