"""Analyzers that turn German text into lexical tokens: character n-grams or Snowball word stems."""

from __future__ import annotations

import re
from typing import Literal, Protocol

from corpus.german_words import SPOKEN_TO_WRITTEN, STOPWORDS

LexicalAnalyzerName = Literal["char4", "char3", "char5", "stem", "word"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SPOKEN_WORD = re.compile(r"(?<![\w'])[^\W\d_]+(?![\w'])", re.UNICODE)
_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


class TextAnalyzer(Protocol):
    """Turns text into the tokens a lexical index counts."""

    name: str

    def tokens(self, text: str) -> list[str]: ...


def fold(word: str) -> str:
    """Umlauts and ß spelled out (``Gebühr`` and ``gebuehr`` compare equal)."""
    return word.translate(_FOLD)


def written_german(text: str) -> str:
    """Spoken Ruhr forms as written German ("wat kost dat" -> "was kost das"), for the embedding model,
    which learned written German; other words, case and punctuation stay as they are."""
    return _SPOKEN_WORD.sub(lambda m: SPOKEN_TO_WRITTEN.get(m.group(0).lower(), m.group(0)), text)


def words(text: str) -> list[str]:
    """Lower-cased words without stop words and fillers."""
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


class CharNgramAnalyzer:
    """Character n-grams of each word, padded at word boundaries, umlauts folded (``ü`` -> ``ue``).

    N-grams survive split and merged compounds ("personal ausweis" / "personalausweis") and small
    recognition errors, which is what live transcripts are full of.
    """

    def __init__(self, n: int = 4) -> None:
        if n < 2:
            raise ValueError("n must be at least 2")
        self.n = n
        self.name = f"char{n}"

    def tokens(self, text: str) -> list[str]:
        grams: list[str] = []
        for word in words(text):
            padded = f"_{word.translate(_FOLD)}_"
            if len(padded) <= self.n:
                grams.append(padded)
                continue
            grams.extend(padded[i : i + self.n] for i in range(len(padded) - self.n + 1))
        return grams


class GermanStemAnalyzer:
    """German Snowball stems of the words (PyStemmer)."""

    name = "stem"

    def __init__(self) -> None:
        import Stemmer

        self._stemmer = Stemmer.Stemmer("german")

    def tokens(self, text: str) -> list[str]:
        return [str(s) for s in self._stemmer.stemWords(words(text))]


class WordAnalyzer:
    """Plain lower-cased words, umlauts folded."""

    name = "word"

    def tokens(self, text: str) -> list[str]:
        return [fold(w) for w in words(text)]


def make_analyzer(name: str) -> TextAnalyzer:
    if name.startswith("char") and name[4:].isdigit():
        return CharNgramAnalyzer(int(name[4:]))
    if name == "stem":
        return GermanStemAnalyzer()
    if name == "word":
        return WordAnalyzer()
    raise ValueError(f"Unknown lexical analyzer '{name}' (char3, char4, char5, stem, word)")
