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

from assistant.privacy.names import gazetteer_names, without_diacritics
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


# ---- round 5 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("guten tag, brigitte sondermann, S-O-N-D-E-R-M-A-N-N, wegen der grundsteuer", "S-O-N-D-E-R-M-A-N-N"),
        ("hallo hier ist pham van long, ich brauch nen reisepass", "pham van long"),  # three name words
        ("ja also ich bin tomasz und ich hab ne frage", "tomasz"),  # "ich bin" at the start, a name in no list
        ("mein bruder tuan und ich wollen uns ummelden", "tuan"),  # a relative, a word, "und ich"
        ("das formular ist für lukasz grabowski", "lukasz"),  # a listed name without its diacritic
        ("ja ralle hier, der sperrmüll steht noch", "ralle"),  # a short form of a first name
        ("wir sind fundsachen, heinrich albersmeyer mein name.", "albersmeyer"),  # name before "mein name"
        ("mein name ist carmen ortega ruiz, ich brauch ne meldebescheinigung", "ruiz"),  # a third name word
        ("mein nachname is ha e el em ce ka, also helmeck", "helmeck"),  # spelled with a letter missed
    ],
)
def test_round5_name_forms_are_removed(text: str, secret: str) -> None:
    assert secret.lower() not in REDACTOR.redact(text).lower()


def test_names_are_also_known_without_their_diacritics() -> None:
    assert without_diacritics("łukasz") == "lukasz"
    assert without_diacritics("kılıç") == "kilic"
    assert "lukasz" in gazetteer_names()
    assert "honig" not in gazetteer_names()  # German umlauts are not folded ("hönig" would give a word)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("das kennzeichen ist DU – RT 77", "DU – RT 77"),  # an en dash
        ("unser wohnmobil kle zb 2004 steht am rhein", "kle zb 2004"),  # after a vehicle word, a year-like number
        ("mein wagen du-lm vierhundertzwölf muss umgemeldet werden", "du-lm vierhundertzwölf"),
        ("meine adresse ist m.brandt-ley (ät) gmx.de", "brandt-ley"),
        ("das aktenzeichen is zwo slash vierzehn slash neun", "zwo slash vierzehn"),
        ("sperrmüll für den kaldenhausener ring sechzig", "ring sechzig"),
        ("ich bin der werner vom hamborner markt elf", "markt elf"),
        ("wir sind die von zweiundzwanzig c in der fliederstraße", "fliederstraße"),
        ("ich wohn gegenüber in der vierzehn, da is ne laterne aus", "vierzehn"),
        ("die frau [NAME] aus der ahornstraße hat sich beschwert", "ahornstraße"),
    ],
)
def test_round5_plates_addresses_and_numbers_are_removed(text: str, secret: str) -> None:
    assert secret.lower() not in REDACTOR.redact(text).lower()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "hier spricht milena radić, ich bin serbische staatsangehörige mit duldung",
            "hier spricht [NAME], ich bin [HERKUNFT]",
        ),
        ("mein name is kerem aydın und mein vater ist kurde", "mein name is [NAME] und mein vater ist [HERKUNFT]"),
        (
            "meine tante [NAME] ist seit freitag im marienhospital in hochfeld",
            "meine tante [NAME] ist [GESUNDHEIT]",
        ),
        ("ich bin verkäuferin bei der bäckerei terhorst und brauche", "ich bin [ARBEIT] und brauche"),
        ("ich arbeite bei kühne logistik im hafen und brauch", "ich arbeite [ARBEIT] und brauch"),
        ("mein mann is am montag den neunten verstorben", "mein mann is am [STERBEDATUM] verstorben"),
        ("sie hat bis zu ihrem tod am 3. mai hier gewohnt", "sie hat bis zu ihrem tod am [STERBEDATUM] hier gewohnt"),
    ],
)
def test_round5_nationality_workplace_care_and_deaths_are_removed(text: str, expected: str) -> None:
    assert REDACTOR.redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ich bin syrer, brauche ich für die heirat eine ledigkeitsbescheinigung",  # nobody identified
        "meine schwester liegt im krankenhaus, kann ich für sie die briefwahl machen",  # a kind of care place
        "ich arbeite bei der stadt, krieg ich trotzdem wohngeld",  # a generic employer
        "ich bin lehrerin an der grundschule und brauch ein führungszeugnis",  # a kind of school names none
        "ich bin die mutter von einem schulkind, wie geht die anmeldung",
        "ich bin student an der uni duisburg-essen, krieg ich wohngeld",  # learning is no workplace
        "ich bin neu hier und will mich anmelden",
        "ich bin umgezogen und brauch ne meldebescheinigung",
        "die gebühr ist 28,80 euro für die nummer",
        "wann ist die grundsteuer fällig, am 15. mai, 15. august?",
        "Öffnungszeiten Mo–Fr 9–12 Uhr",
        "der herr vonne stadtwerke war schon da",
        "mein auto ist von 2015, brauch ich ne neue plakette",
        "also ich bin pensionär und will briefwahl machen",  # "-är" describes the caller
        "ich bin hier in der warteschleife seit zehn minuten",  # "hier" is no occupation
        "ich bin vorsitzender vom kleingartenverein und will ein fest anmelden",  # a kind of workplace
        "ich bin koch im restaurant und brauch ne belehrung",
    ],
)
def test_round5_look_alikes_stay(text: str) -> None:
    assert REDACTOR.redact(text) == text
