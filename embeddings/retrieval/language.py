"""A cheap guess at the language of a query: German, or one of the languages callers often switch to
(English, Turkish, Arabic). Hybrid search weights the dense (multilingual) ranking over the German
lexical index for a query that is not German, so the lexical half cannot outvote the cross-lingual
signal.

Script decides Arabic; for Latin script, Turkish letters and counts of very common function words
decide. Anything unsure is German: a German query must never lose its lexical half by mistake.
"""

from __future__ import annotations

import re
from typing import Literal

Language = Literal["de", "en", "tr", "ar"]

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_ARABIC = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
_TURKISH_LETTERS = re.compile(r"[ğışİĞŞı]")

GERMAN = frozenset(
  {
    "ich", "du", "er", "sie", "es", "wir", "ihr", "der", "die", "das", "den", "dem", "des", "ein", "eine",
    "einen", "einem", "und", "oder", "ist", "bin", "sind", "hab", "habe", "haben", "nicht", "kein", "keine",
    "mit", "mein", "meine", "was", "wie", "wo", "wann", "wer", "auch", "noch", "schon", "für", "fuer", "auf",
    "bei", "zum", "zur", "von", "im", "ins", "ja", "nee", "nein", "muss", "kann", "soll", "will", "möchte",
    "moechte", "da", "dann", "denn", "mal", "ne", "äh", "also", "dat", "wat", "is", "n", "so", "in", "an",
    "am", "war", "hier", "uns",
  }
)  # fmt: skip
ENGLISH = frozenset(
  {
    "i", "my", "me", "you", "your", "the", "is", "are", "do", "does", "did", "have", "has", "how", "what",
    "where", "when", "which", "who", "can", "could", "need", "want", "would", "should", "to", "of", "for",
    "on", "with", "and", "or", "this", "that", "it", "not", "there", "please", "get", "apply", "i'm", "don't",
  }
)  # fmt: skip
TURKISH = frozenset(
  {
    "bir", "ve", "ne", "nasıl", "nasil", "için", "icin", "mi", "mı", "mu", "mü", "ben", "benim", "bu", "şu",
    "var", "yok", "nerede", "zaman", "kaç", "kac", "lazım", "lazim", "gerekiyor", "istiyorum",
    "yapabilirim", "yardım", "yardim", "de", "da", "ile", "çok", "cok", "ama",
  }
)  # fmt: skip


# Arabic written in Latin letters ("arabizi"): digits stand for sounds Latin lacks (3omro, 7arf,
# ebtida2iye), plus its commonest words.
_ARABIZI_TOKEN = re.compile(r"^[a-z]*[a-z][235789][a-z]+$|^[2357][a-z]{2,}$")
ARABIZI = frozenset(
  {
    "ana", "badi", "baddi", "biddi", "bidi", "bde", "shu", "shou", "sho", "wein", "wen", "fini", "feni",
    "3andi", "3ndi", "andi", "3ala", "kif", "kaif", "lazem", "lazim", "ya3ni", "yani", "inshallah",
    "emta", "eza", "iza", "mesh", "mish", "hayda", "hadi", "hatha", "bas", "kteer", "ktir", "3ashan",
  }
)  # fmt: skip


def detect_language(text: str) -> Language:
    """``ar`` for Arabic script or Arabic in Latin letters; ``tr`` or ``en`` when their function words
    clearly outnumber German ones; otherwise ``de``."""
    if len(_ARABIC.findall(text)) >= 3:
        return "ar"
    tokens = [w.lower() for w in _WORD.findall(text)]
    if not tokens:
        return "de"
    german = sum(1 for w in tokens if w in GERMAN)
    arabizi = sum(1 for w in tokens if w in ARABIZI) + sum(
        1 for w in text.lower().split() if _ARABIZI_TOKEN.match(w.strip(".,!?;:"))
    )
    if arabizi >= 2 and arabizi > german:
        return "ar"
    english = sum(1 for w in tokens if w in ENGLISH and w not in GERMAN)
    turkish = sum(1 for w in tokens if w in TURKISH and w not in GERMAN)
    if _TURKISH_LETTERS.search(text):
        turkish += 2
    best, count = max((("en", english), ("tr", turkish)), key=lambda p: p[1])
    if count >= 2 and count > german:
        return "tr" if best == "tr" else "en"
    return "de"
