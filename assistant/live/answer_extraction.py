"""Finds the sentence or two of an article that answer what the caller said."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.models import Passage
from corpus.passages import split_sentences
from embeddings.index.text_analysis import TextAnalyzer

SHORT_SENTENCE = 60
MIN_ANSWER_CHARS = 25
SNIPPET_CHARS = 320
OTHER_SECTION_WEIGHT = 0.8


@dataclass(frozen=True)
class Answer:
    answer: str
    snippet: str
    heading: str


class AnswerExtractor:
    """Scores the sentences of an article's sections by the inverse document frequency of the
    query tokens they contain (the same analyzer as the lexical index, so split compounds and
    misheard words still match). The best-matching passage of the search is preferred. When no
    sentence shares a token with the query, the answer is the passage's first sentence: articles
    are written answer first."""

    def __init__(self, analyzer: TextAnalyzer, passages: Sequence[Passage]) -> None:
        self.analyzer = analyzer
        frequency: Counter[str] = Counter()
        for passage in passages:
            frequency.update(set(analyzer.tokens(passage.text)))
        total = max(len(passages), 1)
        self._idf = {token: math.log(1 + total / count) for token, count in frequency.items()}
        self._default_idf = math.log(1 + total)

    def extract(self, query: str, best: Passage, sections: Sequence[Passage]) -> Answer:
        query_tokens = set(self.analyzer.tokens(query))
        ordered = [best, *[p for p in sections if p.id != best.id]]
        split = [[plain(x) for x in split_sentences(p.text) or [p.text]] for p in ordered]
        best_score, where = 0.0, (0, 0)
        for order, sentences in enumerate(split):
            weight = 1.0 if order == 0 else OTHER_SECTION_WEIGHT
            for i, sentence in enumerate(sentences):
                score = weight * self._overlap(query_tokens, sentence)
                if score > best_score:
                    best_score, where = score, (order, i)
        order, index = where
        passage, sentences = ordered[order], split[order]
        answer = sentences[index]
        if (len(answer) < SHORT_SENTENCE or answer.endswith(":")) and index + 1 < len(sentences):
            answer = f"{answer} {sentences[index + 1]}"
        return Answer(answer=answer, snippet=_snippet(plain(passage.text), answer), heading=passage.heading)

    def _overlap(self, query_tokens: set[str], sentence: str) -> float:
        tokens = set(self.analyzer.tokens(sentence))
        if not tokens:
            return 0.0
        shared = sum(self._idf.get(t, self._default_idf) for t in query_tokens & tokens)
        # A mild length normalization: long sentences are not favoured for containing more, and a
        # fragment of a few words does not win on a single shared token.
        penalty = 0.5 if len(sentence) < MIN_ANSWER_CHARS else 1.0
        return float(penalty * shared / len(tokens) ** 0.3)


_MARKUP = re.compile(r"\*\*|__|`|^\s*(?:[-*+]|\d+\.)\s+", re.MULTILINE)


def plain(text: str) -> str:
    """The text an agent reads out: Markdown emphasis and list markers removed."""
    return " ".join(_MARKUP.sub("", text).split())


def _snippet(text: str, answer: str) -> str:
    """Up to ``SNIPPET_CHARS`` of the passage around the answer, cut at word boundaries."""
    flat = " ".join(text.split())
    if len(flat) <= SNIPPET_CHARS:
        return flat
    start = max(flat.find(answer[:40]), 0)
    begin = max(0, start - (SNIPPET_CHARS - min(len(answer), SNIPPET_CHARS)) // 2)
    if begin > 0:
        begin = flat.find(" ", begin) + 1
    end = min(len(flat), begin + SNIPPET_CHARS)
    if end < len(flat):
        end = flat.rfind(" ", begin, end)
    return ("… " if begin > 0 else "") + flat[begin:end] + (" …" if end < len(flat) else "")
