"""Characteristic words of topics: class-based TF-IDF (c-TF-IDF) over the topics' texts.

Each topic is one class. A word's term frequency is the number of the topic's texts that contain it,
plus half the number of texts of the same group's topics in other cities (the same matter, so its
words should agree across cities). It is weighted by ``log(1 + N / f)``, where ``f`` counts the texts
containing the word among the topics' texts and a background (knowledge articles, other calls) of
``N`` texts in all: words frequent in one topic and rare elsewhere win. Words are grouped by their
German Snowball stem ("Ratte", "Ratten") and shown in their most frequent form. Stop words, spoken
fillers, conversation words and the placeholders of redacted personal data never become labels.

Labels are whole words: a piece of a word that speech recognition split ("person alausweis") comes
last, recognized because it joins its neighbour to a word of the knowledge articles
(``learn_vocabulary``). Words the articles write only in lower case (verbs, adjectives: "kostet")
come after nouns and words the articles never use. A word the articles write with a capital (a German
noun) is shown so (``label_phrase``).
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

import Stemmer

from assistant.live.utterance_analysis import content_words
from corpus.german_words import FILLER_WORDS

_PLACEHOLDER = re.compile(r"\[[A-ZÄÖÜ-]+\]")


class CTfIdfLabeler:
    """Labels topics with their most characteristic words."""

    def __init__(self, stopwords: Iterable[str] = (), words_per_label: int = 3) -> None:
        self.stopwords = frozenset(w.lower() for w in stopwords) | FILLER_WORDS
        self.words_per_label = words_per_label
        self._stemmer = Stemmer.Stemmer("german")
        self.vocabulary: dict[str, str] = {}

    def learn_vocabulary(self, texts: Iterable[str]) -> None:
        """Words of well-written texts (the knowledge articles), in their usual spelling: lower-case
        word -> the form written most often (``Ratten`` for a noun)."""
        forms: dict[str, Counter[str]] = {}
        for text in texts:
            for word in re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", text):
                forms.setdefault(word.lower(), Counter())[word] += 1
        self.vocabulary = {low: max(c, key=lambda f: (c[f], f)) for low, c in forms.items()}

    def display(self, word: str) -> str:
        return self.vocabulary.get(word, word)

    def terms(self, text: str) -> list[str]:
        """The label candidates of a text, in order."""
        return [w for w in content_words(_PLACEHOLDER.sub(" ", text)) if w not in self.stopwords]

    def stems(self, text: str) -> dict[str, str]:
        """Stem -> the first surface form, for the label candidates of a text."""
        terms = self.terms(text)
        return dict(zip((str(s) for s in self._stemmer.stemWords(terms)), terms, strict=False))

    def characteristic_words(
        self, topics: Sequence[Sequence[str]], groups: Sequence[int] | None = None, background: Sequence[str] = ()
    ) -> list[list[str]]:
        """For each topic (its texts), the best label words, best first. ``groups`` gives each topic's
        group; topics of one group support each other's words."""
        groups = list(groups) if groups is not None else list(range(len(topics)))
        counts: list[Counter[str]] = []
        surfaces: dict[str, Counter[str]] = {}
        frequency: Counter[str] = Counter()
        for texts in topics:
            present: Counter[str] = Counter()
            for text in texts:
                found = self.stems(text)
                for stem, surface in found.items():
                    surfaces.setdefault(stem, Counter())[surface] += 1
                present.update(found.keys())
            counts.append(present)
            frequency.update(present)
        for text in background:
            frequency.update(self.stems(text).keys())
        documents = sum(len(t) for t in topics) + len(background)
        group_counts: dict[int, Counter[str]] = {}
        for group, present in zip(groups, counts, strict=True):
            group_counts.setdefault(group, Counter()).update(present)
        fragments = self.fragments(t for texts in topics for t in texts)
        labels = []
        for group, present in zip(groups, counts, strict=True):
            elsewhere = group_counts[group]

            def score(stem: str, present: Counter[str] = present, elsewhere: Counter[str] = elsewhere) -> float:
                support = present[stem] + 0.5 * (elsewhere[stem] - present[stem])
                return support * math.log(1 + documents / frequency[stem])

            def rank(stem: str, present: Counter[str] = present) -> tuple[bool, bool, float, int, str]:
                forms = surfaces[stem]
                fragment = all(form in fragments for form in forms)
                # A word the articles only ever write in lower case is a verb or adjective ("kostet",
                # "dunkel"); nouns (and words the articles never use) say more about a matter.
                plain = all(self.vocabulary.get(form, "X")[:1].islower() for form in forms)
                return (fragment, plain, -score(stem), -present[stem], stem)

            scored = sorted(present, key=rank)
            labels.append([self._surface(surfaces[stem]) for stem in scored[: self.words_per_label]])
        return labels

    def fragments(self, texts: Iterable[str]) -> set[str]:
        """Pieces of a word that speech recognition split ("person alausweis", "öffnungs zeiten"): a word
        that, joined to its neighbour, makes a word of the articles while it is none itself."""
        pieces: set[str] = set()
        for text in texts:
            words = re.findall(r"[a-zäöüß]+", text.lower())
            for left, right in itertools.pairwise(words):
                if left + right in self.vocabulary:
                    pieces.update(w for w in (left, right) if w not in self.vocabulary)
        return pieces

    def label_phrase(self, words: Sequence[str]) -> str:
        """The label words, most characteristic first, in their usual spelling (nouns capitalized)."""
        phrase = ", ".join(self.display(w) for w in words)
        return phrase[:1].upper() + phrase[1:]

    @staticmethod
    def _surface(forms: Counter[str]) -> str:
        """The most frequent spelling of a stem (the shorter one on a tie)."""
        return min(forms, key=lambda f: (-forms[f], len(f), f))
