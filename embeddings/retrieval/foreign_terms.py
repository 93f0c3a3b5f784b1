"""German words for a question asked in English, Turkish or Arabic: a glossary of what callers call
municipal services in those languages (``foreign_terms.yaml``), so that the German lexical index can
take part in the search of such a question instead of being switched off."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from embeddings.retrieval.language import Language

GLOSSARY_FILE = Path(__file__).with_name("foreign_terms.yaml")
LANGUAGES: tuple[Language, ...] = ("en", "tr", "ar")

_ARABIC_DIACRITICS = re.compile(r"[\u064b-\u065f\u0670\u0640]")  # harakat, superscript alef, tatweel
_ARABIC_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ؤ": "و", "ئ": "ي"})
_TURKISH_FOLD = str.maketrans({"ı": "i", "ş": "s", "ğ": "g", "ç": "c", "ö": "o", "ü": "u", "â": "a", "î": "i"})
_ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
_ARABIC_CLITICS = r"(?:[وف])?(?:ال|لل|بال|كال|[بلك])?"
_TURKISH_SOFTENING = {"k": "[kg]", "p": "[pb]", "t": "[td]", "c": "c"}  # after the fold: ğ -> g, ç -> c
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


def normalize(text: str, language: Language) -> str:
    """Lower case, apostrophes unified, and per language the spelling variants callers type:
    Turkish without its letters, Arabic without diacritics and with one form of alef and ta marbuta."""
    text = unicodedata.normalize("NFC", text).translate(_APOSTROPHES)
    if language == "tr":
        text = text.replace("İ", "i").replace("I", "ı").lower().translate(_TURKISH_FOLD)
    elif language == "ar":
        text = _ARABIC_DIACRITICS.sub("", text).translate(_ARABIC_FOLD).lower()
    else:
        text = text.lower()
    return " ".join(text.split())


def _pattern(term: str, language: Language) -> re.Pattern[str]:
    """English: whole words (an optional plural ``s``; ``*`` for any ending); Turkish: at the start of
    a word, any ending; Arabic: each word with optional clitics in front and any ending."""
    prefix = term.endswith("*")
    words = normalize(term.rstrip("*"), language).split()
    if language == "ar" and not _ARABIC_LETTER.search(term):
        latin = r"\s+".join(re.escape(w) for w in words)  # Arabic in Latin letters: at a word's start
        return re.compile(rf"(?<!\w){latin}")
    if language == "ar":
        # Each word may carry the clitics written onto it (و ف ب ل ك and the article ال), and any
        # ending (pronoun suffixes); the term's own article is one of those optional clitics.
        stems = [re.escape(w[2:] if w.startswith("ال") and len(w) > 4 else w) for w in words]
        return re.compile(r"\s+".join(rf"(?<!\S){_ARABIC_CLITICS}{stem}\S*" for stem in stems))
    text = r"\s+".join(re.escape(w) for w in words)
    if language == "tr" and len(words[-1]) >= 4 and words[-1][-1] in _TURKISH_SOFTENING:
        # A final k, p, t, ç softens before a vowel suffix: kimlik -> kimliğimi, köpek -> köpeği.
        text = text[:-1] + _TURKISH_SOFTENING[words[-1][-1]]
    if language == "tr" or prefix:
        return re.compile(rf"(?<!\w){text}")
    return re.compile(rf"(?<!\w){text}(?:s|es|'s)?(?!\w)")


@dataclass(frozen=True)
class _Entry:
    german: str
    terms: Mapping[Language, tuple[str, ...]]


class ForeignTermGlossary:
    """Finds the glossary's terms in a question of a given language and returns the German words of
    every entry that matched, in glossary order (empty when nothing matched).

    The terms are checked when the glossary is loaded; their patterns (about a thousand regular
    expressions) are compiled for a language the first time a question in it comes, so a process
    that only sees German questions (``souffleur search`` in German) does not pay for them."""

    def __init__(self, entries: Sequence[Mapping[str, object]], source: str = "glossary") -> None:
        self._entries: list[_Entry] = []
        self._compiled: dict[Language, list[tuple[str, tuple[re.Pattern[str], ...]]]] = {}
        self._lock = threading.Lock()
        for number, raw in enumerate(entries, start=1):
            german = raw.get("de")
            if not isinstance(german, str) or not german.strip():
                raise ValueError(f"{source}: entry {number} needs 'de' (the German words)")
            terms: dict[Language, tuple[str, ...]] = {}
            for language in LANGUAGES:
                listed = raw.get(language, [])
                if not isinstance(listed, list) or not all(isinstance(t, str) and t.strip() for t in listed):
                    raise ValueError(f"{source}: entry {number} ({german}): '{language}' must be a list of terms")
                terms[language] = tuple(str(t) for t in listed)
            self._entries.append(_Entry(german.strip(), terms))

    def _patterns(self, language: Language) -> list[tuple[str, tuple[re.Pattern[str], ...]]]:
        compiled = self._compiled.get(language)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(language)
                if compiled is None:
                    compiled = [
                        (e.german, tuple(_pattern(t, language) for t in e.terms[language])) for e in self._entries
                    ]
                    self._compiled[language] = compiled
        return compiled

    @classmethod
    def from_file(cls, path: Path) -> ForeignTermGlossary:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's, where PyYAML was built with it
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or []  # a safe loader
        if not isinstance(raw, list) or not all(isinstance(e, dict) for e in raw):
            raise ValueError(f"{path}: expected a list of entries with 'de', 'en', 'tr', 'ar'")
        return cls(raw, source=str(path))

    def german_words(self, text: str, language: Language) -> str:
        if language not in LANGUAGES:
            return ""
        said = normalize(text, language)
        found = [german for german, patterns in self._patterns(language) if any(p.search(said) for p in patterns)]
        return " ".join(found)


@cache
def default_glossary() -> ForeignTermGlossary:
    """The bundled glossary (loaded once per process)."""
    return ForeignTermGlossary.from_file(GLOSSARY_FILE)
