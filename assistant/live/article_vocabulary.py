"""Which word stems each article uses, and how many articles use each: lets the suggestion engine ask
how much of what the caller said an article talks about at all (a matter the knowledge base does not
cover still has a nearest article, but that article rarely uses the caller's words)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from corpus.models import Passage
from embeddings.index.text_analysis import fold, words

STEM_CHARS = 5  # a crude stem: the first letters (Gebühr / Gebühren / gebuehrenfrei)
MIN_WORD_CHARS = 4


def stem(word: str) -> str:
    return fold(word.lower())[:STEM_CHARS]


class ArticleVocabulary:
    def __init__(self, passages: Sequence[Passage]) -> None:
        stems: dict[str, set[str]] = {}
        for passage in passages:
            found = stems.setdefault(passage.article_id, set())
            found.update(stem(w) for w in words(f"{passage.heading} {passage.text}") if len(w) >= MIN_WORD_CHARS)
        self._stems = {article: frozenset(s) for article, s in stems.items()}
        # How distinctive a stem is: rare across the articles (or in none) weighs more than one that
        # every article uses ("beantragen", "kosten").
        articles = Counter(s for found in self._stems.values() for s in found)
        total = max(len(self._stems), 1)
        self._weight = {s: math.log(1 + total / n) for s, n in articles.items()}
        self._unknown_weight = math.log(1 + total)

    def coverage(self, article_id: str, said: Iterable[str]) -> float:
        """How much of the caller's words ``said`` the article uses: the share of their stems it
        contains, smoothed (no words: 0.5)."""
        mine = self._stems.get(article_id, frozenset())
        stems = {stem(w) for w in said}
        covered = sum(1 for s in stems if s in mine)
        return (covered + 1) / (len(stems) + 2)

    def distinct_coverage(self, article_id: str, said: Iterable[str]) -> float:
        """Like ``coverage``, but each stem weighted by how distinctive it is across the articles: a
        caller's "volkshochschule" or "elterngeld" that the article never uses weighs more than a
        missing "beantragen" (smoothed; no words: 0.5)."""
        mine = self._stems.get(article_id, frozenset())
        weights = {s: self._weight.get(s, self._unknown_weight) for s in {stem(w) for w in said}}
        covered = sum(w for s, w in weights.items() if s in mine)
        return (covered + 1) / (sum(weights.values()) + 2)
