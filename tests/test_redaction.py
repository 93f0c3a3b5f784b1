from __future__ import annotations

import json
import random
import re
import time
from pathlib import Path
from typing import Any

import pytest

from assistant.privacy.redaction import PLACEHOLDERS, GermanRedactor, Redactor

pytestmark = pytest.mark.unit

CASES_FILE = Path(__file__).parent / "data" / "redaction_cases.jsonl"


def load_cases() -> list[tuple[int, dict[str, Any]]]:
    lines = CASES_FILE.read_text(encoding="utf-8").splitlines()
    return [(number, json.loads(line)) for number, line in enumerate(lines, start=1) if line.strip()]


CASES = load_cases()
NEGATIVE_CASES = [(number, case) for number, case in CASES if not case["secrets"]]


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    return GermanRedactor()


def without_spaces(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.unit
def test_the_case_file_is_well_formed_and_large_enough() -> None:
    assert len(CASES) >= 60
    assert len(NEGATIVE_CASES) >= 10
    for number, case in CASES:
        assert set(case) == {"text", "secrets", "keep"}, f"line {number}"
        assert all(secret.lower() in case["text"].lower() for secret in case["secrets"]), f"line {number}"
        assert all(keep in case["text"] for keep in case["keep"]), f"line {number}"


@pytest.mark.unit
@pytest.mark.parametrize(("number", "case"), CASES, ids=[f"line{number}" for number, _ in CASES])
def test_no_secret_survives_and_the_content_stays(redactor: Redactor, number: int, case: dict[str, Any]) -> None:
    redacted = redactor.redact(case["text"])
    for secret in case["secrets"]:
        assert secret.lower() not in redacted.lower(), f"{secret!r} survived in {redacted!r}"
        if any(c.isdigit() for c in secret):
            assert without_spaces(secret) not in without_spaces(redacted), f"{secret!r} survived in {redacted!r}"
    for keep in case["keep"]:
        assert keep in redacted, f"{keep!r} was lost in {redacted!r}"


@pytest.mark.unit
@pytest.mark.parametrize(("number", "case"), NEGATIVE_CASES, ids=[f"line{number}" for number, _ in NEGATIVE_CASES])
def test_text_without_personal_data_is_unchanged(redactor: Redactor, number: int, case: dict[str, Any]) -> None:
    assert redactor.redact(case["text"]) == case["text"]


@pytest.mark.unit
def test_every_placeholder_is_used_by_some_case(redactor: Redactor) -> None:
    outputs = " ".join(redactor.redact(case["text"]) for _, case in CASES)
    assert [p for p in PLACEHOLDERS if p not in outputs] == []


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mein name ist müller und ich wollte fragen", "mein name ist [NAME] und ich wollte fragen"),
        ("Rückruf unter 0203 / 12 34 56 bitte", "Rückruf unter [TELEFON] bitte"),
        ("max punkt muster at gmx punkt de", "[EMAIL]"),
        ("IBAN DE66 3705 0198 0012 3456 78", "IBAN [IBAN]"),
        ("geboren am 3. April 1980 in Duisburg", "geboren am [GEBURTSDATUM] in Duisburg"),
        ("am buchenweg 7 in bottrop", "am [ADRESSE] in bottrop"),
        ("kennzeichen du ab 1234", "kennzeichen [KENNZEICHEN]"),
        ("ausweisnummer L01X00T47", "ausweisnummer [AUSWEISNR]"),
        ("steuer-id 57 549 285 017", "steuer-id [STEUER-ID]"),
        ("Kundennummer 4711 0815, Hundesteuer 2026", "Kundennummer [NUMMER], Hundesteuer 2026"),
    ],
)
def test_each_kind_gets_its_placeholder(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.redact(text) == expected


FRAGMENTS = [
    " ",
    "  ",
    ".",
    ",",
    ":",
    "-",
    "/",
    "+",
    "@",
    "(0)",
    "0",
    "7",
    "49",
    "0203",
    "12",
    "1980",
    "a",
    "e",
    "du",
    "ab",
    "de",
    "straße",
    "weg",
    "herr",
    "frau",
    "mein name ist",
    "hier ist",
    "punkt",
    "at",
    "geboren am",
    "april",
    "dritter",
    "null",
    "zwei",
    "kundennummer",
    "ausweisnummer",
    "steuer-id",
    "[NAME]",
    "[TELEFON]",
    "ß",
    "Ü",
    "ẞ",
    "İ",
    "ﬁ",
    "\u0301",
    "\u200b",
    "\u202e",
    "\t",
    "\n",
    "\x00",
    "😀",
    "١٢٣",
    "\ud800",
]


def random_texts(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    texts = ["", " ", "\n", "[NAME]", "[[]]", "\ud800\udfff"]
    case_texts = [case["text"] for _, case in CASES]
    for _ in range(count):
        if rng.random() < 0.5:
            texts.append("".join(rng.choice(FRAGMENTS) for _ in range(rng.randint(1, 40))))
        elif rng.random() < 0.5:
            texts.append("".join(chr(rng.randint(0, 0x2FFFF)) for _ in range(rng.randint(1, 60))))
        else:
            texts.append(" ".join(rng.sample(case_texts, 3)).lower())
    return texts


@pytest.mark.unit
def test_redact_never_raises_and_is_idempotent(redactor: Redactor) -> None:
    for text in random_texts(1500, seed=20260704):
        once = redactor.redact(text)
        assert redactor.redact(once) == once, repr(text)


@pytest.mark.unit
@pytest.mark.parametrize(
    "text",
    [
        "a" * 200_000,
        "1 " * 50_000,
        "0" * 100_000,
        "max punkt " * 10_000,
        "herr " * 20_000,
        "kaiser wilhelm " * 10_000,
        "a." * 50_000 + "@",
        "du ab " * 20_000,
        ("mein name ist müller kaiserstraße 5 0203 123456 " * 2_000),
    ],
    ids=["letters", "spaced-digits", "digits", "spoken-dots", "titles", "street-words", "dots", "plates", "mixed"],
)
def test_huge_inputs_finish_quickly(redactor: Redactor, text: str) -> None:
    started = time.perf_counter()
    redactor.redact(text)
    assert time.perf_counter() - started < 5.0
