"""Spoken-German redaction: name positions, spelling, spoken numbers, plates, streets, dates and codes.

The cases of ``tests/data/redaction_mechanism_cases.jsonl`` were written for these mechanisms by the
redactor's author (new names, streets and numbers, none taken from the independent set); they are
development cases, not a quality measurement. Every case with secrets must lose them all and keep its
``keep`` words; every ordinary question (``kind`` "ordinary") must come back unchanged.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from assistant.privacy.names import gazetteer_names
from assistant.privacy.places import PLACE_NAMES
from assistant.privacy.redaction import GermanRedactor, spelled_out

pytestmark = pytest.mark.unit

CASES_FILE = Path(__file__).parent / "data" / "redaction_mechanism_cases.jsonl"
REDACTOR = GermanRedactor()


def _load() -> list[tuple[str, dict[str, Any]]]:
    lines = CASES_FILE.read_text(encoding="utf-8").splitlines()
    return [(f"{json.loads(line)['kind']}-line{n}", json.loads(line)) for n, line in enumerate(lines, 1) if line]


CASES = _load()
SECRET_CASES = [(case_id, case) for case_id, case in CASES if case["secrets"]]
ORDINARY_CASES = [(case_id, case) for case_id, case in CASES if not case["secrets"]]


def _squashed(text: str) -> str:
    return re.sub(r"\s+", "", text.lower())


def test_the_case_file_covers_every_kind_and_is_well_formed() -> None:
    kinds = {case["kind"] for _, case in CASES}
    assert {"name", "spelled", "address", "email", "phone", "plate", "id_number", "health_insurance"} <= kinds
    assert {"birth_date", "iban", "customer_number", "ordinary"} <= kinds
    assert len(ORDINARY_CASES) >= 100
    for case_id, case in CASES:
        assert all(secret.lower() in case["text"].lower() for secret in case["secrets"]), case_id
        assert all(keep in case["text"] for keep in case["keep"]), case_id


@pytest.mark.parametrize(("case_id", "case"), SECRET_CASES, ids=[case_id for case_id, _ in SECRET_CASES])
def test_every_secret_is_removed_and_the_concern_stays(case_id: str, case: dict[str, Any]) -> None:
    redacted = REDACTOR.redact(case["text"])
    for secret in case["secrets"]:
        assert secret.lower() not in redacted.lower(), f"{secret!r} survived in {redacted!r}"
        if any(c.isdigit() for c in secret):
            assert _squashed(secret) not in _squashed(redacted), f"{secret!r} survived in {redacted!r}"
    for keep in case["keep"]:
        assert keep in redacted, f"{keep!r} was lost in {redacted!r}"
    assert REDACTOR.redact(redacted) == redacted  # redacting twice changes nothing


@pytest.mark.parametrize(("case_id", "case"), ORDINARY_CASES, ids=[case_id for case_id, _ in ORDINARY_CASES])
def test_ordinary_questions_stay_untouched(case_id: str, case: dict[str, Any]) -> None:
    assert REDACTOR.redact(case["text"]) == case["text"]


@pytest.mark.parametrize(
    ("spelled", "letters"),
    [
        ("k wie kaufmann, o, c, h", "koch"),
        ("em, a, ka, e, el", "makel"),
        ("s c h m i d t", "schmidt"),
        ("b wie berta, r wie richard, ö, c, k, e, r", "bröcker"),
        ("zett, i, e, ge, el, e, er", "ziegler"),
        ("theodor ulrich richard ida", "turi"),
    ],
)
def test_spelled_runs_are_read_back_as_letters(spelled: str, letters: str) -> None:
    assert spelled_out(spelled) == letters


def test_a_spelled_name_is_also_removed_where_it_was_said_plainly() -> None:
    redacted = REDACTOR.redact("ja also terjung, t, e, r, j, u, n, g, wegen dem wohngeld")
    assert "terjung" not in redacted
    assert "wohngeld" in redacted


def test_local_place_names_are_never_names() -> None:
    assert not PLACE_NAMES & gazetteer_names()
    for text in ("hallo, hamborn hier, wann kommt der sperrmüll", "die oma von hiesfeld zieht nach kirchhellen"):
        redacted = REDACTOR.redact(text)
        for place in ("hamborn", "hiesfeld", "kirchhellen"):
            if place in text:
                assert place in redacted


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("der termin ist am 02.12.2026 um neun uhr", "02.12.2026"),
        ("den bescheid vom 03.11.2025 versteh ich nicht", "03.11.2025"),
    ],
)
def test_recent_and_future_dates_are_no_birth_dates(text: str, kept: str) -> None:
    assert kept in REDACTOR.redact(text)


def test_a_recent_date_after_a_birth_word_is_still_removed() -> None:
    assert "03.11.2025" not in REDACTOR.redact("unser sohn ist am 03.11.2025 geboren")


@pytest.mark.parametrize(
    "text",
    [
        "die mutter von drei kindern bekommt mehr kindergeld",
        "ich hab fünf kubik sperrmüll",
        "ha ha ha ha, nee im ernst, wann kommt die tonne",
        "moment, moment, ich such den bescheid",
        "die hausnummer 12 fehlt im stadtplan",
        "der kurs b1-2025 ist voll",
        "ob es zwanzig sind weiß ich nicht",
    ],
)
def test_the_general_rules_leave_look_alikes_alone(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "meine nummer is null zwo null acht doppel-null vier sieben eins",
        "null eins sieben eins, zweimal die fünf, dreimal die acht",
        "die ersten ziffern sind null zwo null acht und dann kommt vier vier fünf fünf",
    ],
)
def test_digits_said_twice_and_groups_joined_by_dann_are_one_number(text: str) -> None:
    redacted = REDACTOR.redact(text)
    assert not any(word in redacted for word in ("null", "fünf", "acht", "sieben")), redacted


def test_a_spoken_postal_code_keeps_the_space_after_it() -> None:
    assert REDACTOR.redact("meine postleitzahl is vier sechs zwei vier zwei, bottrop") == (
        "meine postleitzahl is [ADRESSE], bottrop"
    )


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("die hotline 0800 123 45 67 ist besetzt", "0800 123 45 67"),
        ("ist die postleitzahl vom rathaus 46535", "46535"),
        ("das bürgerbüro ist in der düsseldorfer straße 1, oder?", "düsseldorfer straße 1"),
    ],
)
def test_numbers_and_addresses_of_offices_stay(text: str, kept: str) -> None:
    assert kept in REDACTOR.redact(text)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("Wohngeldstelle: Rückruf 0171 2233445", "0171 2233445"),
        ("ich bin beim jugendamt unter 0203 4455667 erreichbar", "0203 4455667"),
        ("hinterm rathaus, kirchstraße 5, da liegt der sperrmüll", "kirchstraße 5"),
    ],
)
def test_a_callers_number_or_address_next_to_an_office_is_still_removed(text: str, secret: str) -> None:
    assert secret not in REDACTOR.redact(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mein name ist ruth tenhagen, ich bin achtundsiebzig", "mein name ist [NAME], ich bin [ALTER]"),
        ("mein onkel, ewald prumbaum, der is jetz neunzig", "mein onkel, [NAME], der is jetz [ALTER]"),
        ("Frau Cornelia Hebbing, 81, bittet um Rückruf", "Frau [NAME], [ALTER], bittet um Rückruf"),
        ("Tochter: Wiebke Ommer (9 J.)", "Tochter: [NAME] ([ALTER])"),
        ("sie is mit dreiundneunzig gestorben", "sie is mit [ALTER] gestorben"),
    ],
)
def test_an_exact_age_of_an_identified_person_is_removed(text: str, expected: str) -> None:
    assert REDACTOR.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ich bin neunundsechzig, krieg ich schon rente",  # nobody identified: the age is the question's topic
        "mein sohn is siebzehn, darf der schon allein zum bürgerbüro",
        "wir sind sechs, wie groß darf die wohnung sein",  # a household, not an age
        "kinder im alter von drei bis sechs jahren zahlen keinen beitrag",
        "die spülmaschine ist elf jahre alt, nimmt die der sperrmüll",
        "es ist zehn vor zwölf, hat das amt noch auf",
    ],
)
def test_ages_without_an_identified_person_and_quantities_stay(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("mein vater is am sechsten juli verstorben", "sechsten juli"),
        ("meine frau is gestorben am 11.4., ich brauch hilfe", "11.4."),
        ("sie is mit achtzig eingeschlafen, am ersten advent", "ersten advent"),
        ("der todestag war der zwanzigste mai", "zwanzigste mai"),
    ],
)
def test_a_date_of_death_is_removed(text: str, secret: str) -> None:
    redacted = REDACTOR.redact(text)
    assert secret not in redacted
    assert "[STERBEDATUM]" in redacted


@pytest.mark.parametrize(
    "text",
    [
        "mein vater is gestorben, kann ich am sechsten juli zum standesamt kommen",
        "die urne wird am neunten mai beigesetzt, brauch ich dafür ne genehmigung",
        "wie lange nach dem todestag kann ich die sterbeurkunde holen",
    ],
)
def test_appointments_after_a_death_stay(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "meine tochter geht auf die grundschule an der emscher, klasse eins b",
            "meine tochter geht auf die [SCHULE]",
        ),
        ("der junge aus der 5c von der gesamtschule nordviertel", "der junge aus der [SCHULE]"),
        ("unser sohn besucht das carl-zuckmayer-gymnasium", "unser sohn besucht das [SCHULE]"),
    ],
)
def test_a_childs_school_and_class_are_removed(text: str, expected: str) -> None:
    assert REDACTOR.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "mein kind geht in die kita, brauch ich da nen nachweis",
        "wo ist die grundschule an der emscher",
        "wann ist anmeldung an der gesamtschule nordviertel",
        "wir gehen zur volkshochschule, gibt es da kurse",
        "ab der zweiten klasse gibt es schwimmen",
    ],
)
def test_a_school_named_as_a_place_or_a_school_word_alone_stays(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "der hund heißt bruno und ist entlaufen",  # a pet
        "das fahrrad ist von der marke winora",  # a brand
        "im wilhelm busch haus gibt es einen kurs",  # a public place named after a person
        "ich hab nen wolf am kanal gesehen",  # a listed name after an indefinite article
        "die sterbeurkunde von neunzehnhundertfünfundsiebzig ist weg",  # a year after a preposition
        "das haus ist von neunzehnhundertachtundfünfzig",
    ],
)
def test_look_alikes_of_names_and_birth_years_stay(text: str) -> None:
    assert REDACTOR.redact(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("mein name is vogel, annegret vogel", "vogel"),  # a surname around a first name, even an ordinary word
        ("hier is ahmad al-rashid", "al-rashid"),  # an Arabic article surname
        ("ich wohn bei marie-luise, marie-luise terbrack", "marie-luise"),  # a double first name
        ("mein nachname is o'donnell", "o'donnell"),
        ("hier is e punkt f punkt surmann", "surmann"),  # spoken initials
        ("meine mail ist te e es te at web punkt de", "te e es te"),  # a spelled local part
    ],
)
def test_new_name_and_mail_forms_are_removed(text: str, secret: str) -> None:
    assert secret not in REDACTOR.redact(text)
