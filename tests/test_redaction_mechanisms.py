"""Unit tests of the general redaction mechanisms: name gazetteer, spoken digit runs, codes, spelling, places."""

from __future__ import annotations

import pytest

from assistant.privacy.names import gazetteer_first_names, gazetteer_names
from assistant.privacy.redaction import GermanRedactor

pytestmark = pytest.mark.unit

REDACTOR = GermanRedactor()


def test_gazetteer_holds_common_first_names_of_many_origins() -> None:
    names = gazetteer_first_names()
    for name in ("peter", "jürgen", "mehmet", "özlem", "agnieszka", "giuseppe", "mohammed", "svetlana"):
        assert name in names


def test_gazetteer_leaves_out_ordinary_german_words() -> None:
    names = gazetteer_names()
    for word in ("rose", "mark", "mai", "august", "fischer", "müller", "rhein", "sperrmüll", "bürger"):
        assert word not in names


@pytest.mark.parametrize(
    ("text", "secrets"),
    [
        ("gestern hat agnieszka nowak wegen dem wohngeld angerufen", ["agnieszka", "nowak"]),
        ("Mehmet Yilmaz braucht eine Meldebescheinigung", ["Mehmet", "Yilmaz"]),
        ("die unterlagen von schimanski sind noch nicht da", ["schimanski"]),
        ("heinz-günter wollte den antrag abholen", ["heinz-günter"]),
    ],
)
def test_gazetteer_names_are_redacted_without_a_cue_word(text: str, secrets: list[str]) -> None:
    redacted = REDACTOR.redact(text)
    for secret in secrets:
        assert secret.lower() not in redacted.lower()
    assert "[NAME]" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "wann ist der fischmarkt am rhein geöffnet",
        "hello, do you speak english, i need an appointment",
        "wer holt den sperrmüll bei müllers nachbarn ab",
        "kann ich mit ner vollmacht das auto zulassen",
        "wie teuer ist eine rose auf dem wochenmarkt im mai",
    ],
)
def test_ordinary_words_are_not_taken_for_names(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "die nummer ist vier sieben null fünf eins",
        "da steht achtundneunzig zwölf sieben drauf",
        "es war dreihundertzwölf vierundfünfzig",
    ],
)
def test_spoken_digit_runs_of_five_digits_are_redacted(text: str) -> None:
    redacted = REDACTOR.redact(text)
    assert "[NUMMER]" in redacted or "[TELEFON]" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "das kostet zwölf euro",
        "wir sind vier personen",
        "es dauert drei vier wochen",
        "die gebühr ist zweihundertfünfzig euro",
        "wir haben zehntausend einwohner",
    ],
)
def test_spoken_quantities_stay(text: str) -> None:
    assert REDACTOR.redact(text) == text


def test_five_digit_number_is_redacted_unless_it_is_an_amount() -> None:
    assert "84321" not in REDACTOR.redact("meine nummer war 84321 glaube ich")
    assert REDACTOR.redact("die förderung ist 10000 euro") == "die förderung ist 10000 euro"


@pytest.mark.parametrize("code", ["xk47z91", "ab12345", "4711kz9"])
def test_codes_of_letters_and_digits_are_redacted(code: str) -> None:
    assert code not in REDACTOR.redact(f"der code lautet {code} oder so")


@pytest.mark.parametrize("text", ["der sack wiegt 100kg", "ein 2026er modell", "die a40 ist gesperrt"])
def test_units_ordinals_and_road_names_are_no_codes(text: str) -> None:
    assert REDACTOR.redact(text) == text


def test_spelled_name_with_the_spelling_alphabet_is_redacted() -> None:
    redacted = REDACTOR.redact("das schreibt sich b wie berta, e wie emil, r wie richard, g")
    assert "berta" not in redacted and "richard" not in redacted
    assert "[NAME]" in redacted


def test_spelled_code_with_digits_is_a_number() -> None:
    redacted = REDACTOR.redact("das ist a wie anton, x, eins zwei drei")
    assert "anton" not in redacted and "eins zwei drei" not in redacted
    assert "[NUMMER]" in redacted


@pytest.mark.parametrize(
    "text", ["ich wohne jetzt im schlenk 33", "wir sind auf der mülheimer 212", "das ist am hagedorn zwölf"]
)
def test_place_with_house_number_is_an_address(text: str) -> None:
    assert "[ADRESSE]" in REDACTOR.redact(text)


@pytest.mark.parametrize(
    "text",
    [
        "im jahr 2026 steigt die gebühr",
        "der zug fährt am gleis 3",
        "kommen sie am montag um 10 uhr",
        "im raum 12 ist das bürgerbüro",
        "am wochenende 2 säcke",
    ],
)
def test_years_times_and_counted_things_are_no_house_numbers(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "meine mail ist petra punkt lange bei gmail punkt com",
        "die mail is hans.wurst(at)t-online(dot)de",
    ],
)
def test_spoken_email_with_provider_or_bracketed_dot(text: str) -> None:
    redacted = REDACTOR.redact(text)
    assert "[EMAIL]" in redacted
    assert "lange" not in redacted and "wurst" not in redacted


def test_single_word_between_greeting_and_comma_is_a_name() -> None:
    redacted = REDACTOR.redact("ja moin, bredenbröker, ich ruf wegen der hundesteuer an")
    assert "bredenbröker" not in redacted
    assert "hundesteuer" in redacted


def test_spoken_id_serial_after_its_keyword() -> None:
    redacted = REDACTOR.redact("ausweisnummer l zwei x null null t vier sieben")
    assert "vier sieben" not in redacted and "x null null" not in redacted


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("der nachname ist brakelmann", "brakelmann"),
        ("mit nachnamen terhorst, bitte", "terhorst"),
        ("ihr geburtsname war kleinekathöfer", "kleinekathöfer"),
    ],
)
def test_any_word_after_a_name_field_is_a_name(text: str, secret: str) -> None:
    assert secret not in REDACTOR.redact(text)


@pytest.mark.parametrize("text", ["der name ist egal", "welchen nachnamen muss ich angeben", "wie ist ihr name"])
def test_questions_about_name_fields_stay(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "ich bin jahrgang sechsundsechzig",
        "geboren bin ich im märz zweiundachtzig",
        "mein geburtsdatum ist der vierte juli",
    ],
)
def test_birth_dates_with_a_spoken_two_digit_year_or_article(text: str) -> None:
    assert "[GEBURTSDATUM]" in REDACTOR.redact(text)


def test_spoken_plate_with_hundreds_after_its_keyword() -> None:
    redacted = REDACTOR.redact("kennzeichen dinslaken x y dreihundert")
    assert "dreihundert" not in redacted


@pytest.mark.parametrize(
    ("text", "secret"),
    [("mein mann horst kümmert sich darum", "horst"), ("ja hallo, ich bin die rose und brauche hilfe", "rose")],
)
def test_first_names_that_are_words_count_in_name_position(text: str, secret: str) -> None:
    redacted = REDACTOR.redact(text)
    assert secret not in redacted
    assert "kümmert" in redacted or "brauche" in redacted


def test_first_names_that_are_words_stay_elsewhere() -> None:
    text = "der horst im baum und die rose im garten"
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "ich wohne in der altstadt, kuhlenwall zehn",
        "wir wohnen kuhlenwall 10 in duisburg",
        "die adresse ist grabenacker 7a",
        "bei mir vor der tür, wanheimer 45, liegt müll",
        "meine hausnummer ist 17",
    ],
)
def test_addresses_without_a_street_ending(text: str) -> None:
    assert "[ADRESSE]" in REDACTOR.redact(text)


@pytest.mark.parametrize("text", ["wir sind vier kinder 3, 5 und 7", "im oktober 12, vielleicht", "zimmer 12, bitte"])
def test_counted_nouns_ending_in_er_are_no_streets(text: str) -> None:
    assert REDACTOR.redact(text) == text
