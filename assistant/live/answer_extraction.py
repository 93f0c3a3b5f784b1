"""Finds the sentence or list item of an article that answers what the caller asked last."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.models import Passage
from corpus.passages import split_sentences
from embeddings.index.text_analysis import TextAnalyzer

MIN_ANSWER_CHARS = 25
SNIPPET_CHARS = 320
OTHER_SECTION_WEIGHT = 0.9
HEADING_SHARE = 0.3  # a query token in the section heading counts this much (an intent word fully)


@dataclass(frozen=True)
class Answer:
    answer: str
    snippet: str
    heading: str


# What a question asks for, in the words articles use for it: "kostet das was?" finds the fees
# sentence, "müssen beide Eltern mit?" the consent rule. (pattern on the question, words added)
QUESTION_INTENTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), words)
    for pattern, words in (
        (r"kost|gebühr|gebuehr|teuer|bezahl|zahlen|preis|euro|geld|umsonst|gratis", "kosten kostet gebühr euro"),
        (r"wie\s*lange|dauer|dauert|wann\s+(ist|krieg|bekomm|hab)|wochen|fertig", "dauer wochen werktage"),
        (r"mitbring|unterlagen|dokument|papiere|brauch", "unterlagen mitbringen nachweis"),
        (r"\bwo\b|wohin|adresse|hingehen|welche[sm]?\s+amt|zuständig|zustaendig", "zuständig bürgerbüro adresse"),
        (r"online|internet|computer|handy|app\b", "online internet"),
        (r"termin", "termin buchen"),
        (r"eltern|vater|mutter|papa|mama|elternteil|sorgerecht|beide", "elternteil zustimmung sorgeberechtigten"),
        (r"frist|bis\s+wann|spätestens|spaetestens|rechtzeitig|wie\s+lange?\s+hab", "frist spätestens innerhalb"),
        (r"öffnungszeit|oeffnungszeit|geöffnet|geoeffnet|auf\b.*\bhaben", "öffnungszeiten geöffnet"),
        (r"dagegen|widerspruch|einspruch|falsch|nicht\s+einverstanden|beschwer", "einspruch widerspruch rechtsbehelf"),
        (r"\braten\b|auf\s+einmal|fällig|faellig|wann\s+(muss|soll)\s+\w+\s+(\w+\s+)?(be)?zahl", "fällig raten"),
        (
            r"selbst|selber|persönlich|persoenlich|vollmacht|vertret|jemand\s+anders|für\s+(ihn|sie|mich)\b",
            "persönlich vollmacht vertretung selbst",
        ),
        (r"wie\s+fr(ü|ue)h|fr(ü|ue)hestens|im\s+voraus|vorlauf|vorher", "frühestens vorher monate"),
        (r"foto|lichtbild|bild\b", "passfoto foto biometrisch"),
        (r"anspruch|berechtigt|steht\s+(mir|uns)|wer\s+(kann|darf)", "anspruch voraussetzungen berechtigt"),
        (r"zuschick|schicken|per\s+post|zugeschickt|abholen", "post zusenden abholen"),
    )
)
INTENT_WEIGHT = 0.6
LIST_INTRO_SHARE = 0.3  # a list item inherits this share of its introducing line's score
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


@dataclass(frozen=True)
class _Unit:
    """A sentence or a list item of a passage, as the agent reads it."""

    text: str
    item: bool


class AnswerExtractor:
    """Scores the sentences and list items of an article's sections by the inverse document
    frequency of the query tokens they contain (the same analyzer as the lexical index, so split
    compounds and misheard words still match), plus the words articles use for what the question
    asks (costs, documents, duration, ...). The answer is one sentence or one list item. The
    best-matching passage of the search is preferred. When nothing matches the latest question, the
    fallback query (the concern's window) decides; failing that, the passage's first sentence:
    articles are written answer first."""

    def __init__(self, analyzer: TextAnalyzer, passages: Sequence[Passage]) -> None:
        self.analyzer = analyzer
        frequency: Counter[str] = Counter()
        for passage in passages:
            frequency.update(set(analyzer.tokens(passage.text)))
        total = max(len(passages), 1)
        self._idf = {token: math.log(1 + total / count) for token, count in frequency.items()}
        self._default_idf = math.log(1 + total)
        # Split and tokenized once here, not per request: the sentences and list items of every
        # passage, with their token sets, and the tokens of each heading and of the intents' words.
        self._prepared = {p.id: _prepare(analyzer, p) for p in passages}
        self._intent_tokens = tuple((pattern, analyzer.tokens(words)) for pattern, words in QUESTION_INTENTS)

    def query_weights(self, query: str) -> dict[str, float]:
        """Query tokens (weight 1) and the tokens of the intents the question expresses."""
        weights = dict.fromkeys(self.analyzer.tokens(query), 1.0)
        for pattern, tokens in self._intent_tokens:
            if pattern.search(query):
                for token in tokens:
                    weights.setdefault(token, INTENT_WEIGHT)
        return weights

    def _prepared_for(self, passage: Passage) -> _Prepared:
        """The passage split and tokenized at construction; a passage this extractor was not built
        with (or one whose text changed) is prepared now."""
        found = self._prepared.get(passage.id)
        if found is not None and found.text == passage.text and found.heading_text == passage.heading:
            return found
        return _prepare(self.analyzer, passage)

    def extract(
        self, query: str, best: Passage, sections: Sequence[Passage], fallback_query: str | None = None
    ) -> Answer:
        ordered = [best, *[p for p in sections if p.id != best.id]]
        prepared = [self._prepared_for(p) for p in ordered]
        where = self._best(self.query_weights(query), prepared)
        if where is None and fallback_query:
            where = self._best(self.query_weights(fallback_query), prepared)
        order, index = where or (0, 0)
        passage, found = ordered[order], prepared[order].units
        answer = found[index].text if found else plain(passage.text)
        if answer.endswith(":") and index + 1 < len(found) and found[index + 1].item:
            answer = found[index + 1].text  # the first item, not the line that introduces the list
        return Answer(answer=answer, snippet=_snippet(plain(passage.text), answer), heading=passage.heading)

    def _best(self, query: dict[str, float], prepared: Sequence[_Prepared]) -> tuple[int, int] | None:
        best_score, where = 0.0, None
        for order, passage in enumerate(prepared):
            weight = 1.0 if order == 0 else OTHER_SECTION_WEIGHT
            heading = passage.heading
            intro = 0.0
            for i, (unit, tokens) in enumerate(zip(passage.units, passage.tokens, strict=True)):
                own = self._overlap(query, unit.text, tokens, heading)
                if unit.item:
                    own += LIST_INTRO_SHARE * intro
                else:
                    intro = own
                score = weight * own * (0.5 if unit.text.endswith(":") else 1.0)
                if score > best_score:
                    best_score, where = score, (order, i)
        return where

    def _overlap(
        self, query: dict[str, float], sentence: str, tokens: frozenset[str], heading: frozenset[str]
    ) -> float:
        if not tokens:
            return 0.0
        shared = sum(w * self._idf.get(t, self._default_idf) for t, w in query.items() if t in tokens)
        shared += sum(
            (HEADING_SHARE if w == 1.0 else 1.0) * w * self._idf.get(t, self._default_idf)
            for t, w in query.items()
            if t in heading
        )
        # A mild length normalization: long sentences are not favoured for containing more, and a
        # fragment of a few words does not win on a single shared token.
        penalty = 0.5 if len(sentence) < MIN_ANSWER_CHARS else 1.0
        return float(penalty * shared / len(tokens) ** 0.3)


@dataclass(frozen=True)
class _Prepared:
    """A passage as the extractor scores it: its units, each unit's token set, its heading's tokens."""

    text: str
    heading_text: str
    units: list[_Unit]
    tokens: list[frozenset[str]]
    heading: frozenset[str]


def _prepare(analyzer: TextAnalyzer, passage: Passage) -> _Prepared:
    units = _units(passage.text)
    return _Prepared(
        text=passage.text,
        heading_text=passage.heading,
        units=units,
        tokens=[frozenset(analyzer.tokens(u.text)) for u in units],
        heading=frozenset(analyzer.tokens(passage.heading)),
    )


def _units(text: str) -> list[_Unit]:
    raw = split_sentences(text) or [text]
    return [_Unit(plain(x), bool(_LIST_ITEM.match(x))) for x in raw if plain(x)]


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
