"""Split articles into passages that fit the encoder's input limit."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from corpus.models import Article, Passage

TokenCounter = Callable[[str], int]
KEYWORDS_HEADING = "Stichwörter"
_SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[A-ZÄÖÜ0-9\"„(])")
# German abbreviations after which a period does not end a sentence ("z. B. Ausweis", "Nr. 5").
ABBREVIATIONS = frozenset(
    [
        "z.b.",
        "z.",
        "b.",
        "bzw.",
        "ggf.",
        "ggfs.",
        "nr.",
        "ca.",
        "u.a.",
        "u.",
        "a.",
        "d.h.",
        "d.",
        "h.",
        "usw.",
        "etc.",
        "evtl.",
        "inkl.",
        "zzgl.",
        "exkl.",
        "bzgl.",
        "vgl.",
        "sog.",
        "max.",
        "min.",
        "mind.",
        "tel.",
        "str.",
        "abs.",
        "art.",
        "dr.",
        "prof.",
        "st.",
        "hl.",
        "gem.",
        "lt.",
        "i.d.r.",
        "i.",
        "d.",
        "r.",
        "o.ä.",
        "o.",
        "ä.",
        "u.u.",
        "u.",
        "u.",
        "s.",
        "o.",
        "a.",
        "v.",
        "i.",
        "jan.",
        "feb.",
        "mrz.",
        "apr.",
        "jun.",
        "jul.",
        "aug.",
        "sep.",
        "sept.",
        "okt.",
        "nov.",
        "dez.",
        "mo.",
        "di.",
        "mi.",
        "do.",
        "fr.",
        "sa.",
        "bzw",
    ]
)
_ORDINAL = re.compile(r"(?:^|\s)(?:\d{1,2}\.){1,2}\d{0,4}$")  # "1." "15.03." before a month or noun


def _ends_with_abbreviation(left: str) -> bool:
    # An opening bracket or quote before the abbreviation ("(z. B. Ehepartner)") is not part of it.
    last = left.rsplit(None, 1)[-1].lower().lstrip("([{\"'„‚«»") if left.strip() else ""
    if not last.endswith("."):
        return False
    tail = left.lower()[-8:]
    if last in ABBREVIATIONS or any(tail.endswith(a) for a in ("z. b.", "u. a.", "d. h.", "o. ä.", "i. d. r.")):
        return True
    if len(last) == 2 and last[0].isalpha():  # a single letter: "z." of "z. B.", an initial
        return True
    return bool(_ORDINAL.search(left))


def approximate_token_count(text: str) -> int:
    """A cheap upper estimate for SentencePiece tokens of German text (about 1.6 per word)."""
    return int(len(text.split()) * 1.6) + 2


def split_sentences(text: str) -> list[str]:
    """Sentences and list items of a Markdown text, in order, without empty ones."""
    return [sentence for block in split_blocks(text) for sentence in block]


def split_blocks(text: str) -> list[list[str]]:
    """The sentences of a Markdown text per block (a paragraph or one list item), in order, without
    empty ones: a list item with a lead-in ("**Titel abgelaufen:** Sofort beantragen.") is one block."""
    blocks: list[list[str]] = []
    for raw_block in re.split(r"\n\s*\n|\n(?=\s*(?:[-*]|\d+\.)\s)", text):
        block = " ".join(raw_block.split())
        if not block:
            continue
        merged: list[str] = []
        for piece in _SENTENCE_END.split(block):
            if merged and merged[-1].endswith(".") and _ends_with_abbreviation(merged[-1]):
                merged[-1] = f"{merged[-1]} {piece}"
            else:
                merged.append(piece)
        sentences = [s.strip() for s in merged if s.strip()]
        if sentences:
            blocks.append(sentences)
    return blocks


class PassageSplitter:
    """One passage per ``##`` section; sections over ``max_tokens`` are cut at sentence ends.

    Each article also gets a keyword passage (title, service and the words callers use), so that a
    colloquial word finds the article even when the body never uses it.
    """

    def __init__(self, max_tokens: int = 256, count_tokens: TokenCounter = approximate_token_count) -> None:
        if max_tokens < 16:
            raise ValueError("max_tokens must be at least 16")
        self.max_tokens = max_tokens
        self.count_tokens = count_tokens

    def split(self, article: Article) -> list[Passage]:
        """The article's keywords passage (title and synonyms, see ``keyword_phrases``) and its sections
        in chunks of at most ``max_tokens``."""
        passages: list[Passage] = []
        keywords = ", ".join(article.synonyms)
        keyword_text = f"{article.title}. {keywords}" if keywords else article.title
        passages.append(self._passage(article, 0, KEYWORDS_HEADING, keyword_text, "keywords"))
        for section in article.sections:
            for chunk in self._chunks(article, section.heading, section.text):
                passages.append(self._passage(article, len(passages), section.heading, chunk, "section"))
        return passages

    def split_all(self, articles: Iterable[Article]) -> list[Passage]:
        return [p for a in articles for p in self.split(a)]

    def _passage(self, article: Article, n: int, heading: str, text: str, kind: str) -> Passage:
        return Passage(
            id=f"{article.id}#{n}",
            article_id=article.id,
            city=article.city,
            title=article.title,
            heading=heading,
            text=text,
            kind="keywords" if kind == "keywords" else "section",
        )

    def _chunks(self, article: Article, heading: str, text: str) -> list[str]:
        overhead = self.count_tokens(f"passage: {article.title} – {heading}\n")
        budget = max(8, self.max_tokens - overhead)
        if self.count_tokens(text) <= budget:
            return [text]
        chunks: list[str] = []
        current: list[str] = []
        for sentence in split_sentences(text):
            pieces = [sentence] if self.count_tokens(sentence) <= budget else self._hard_split(sentence, budget)
            for piece in pieces:
                candidate = " ".join([*current, piece])
                if current and self.count_tokens(candidate) > budget:
                    chunks.append(" ".join(current))
                    current = [piece]
                else:
                    current.append(piece)
        if current:
            chunks.append(" ".join(current))
        return chunks

    def _hard_split(self, sentence: str, budget: int) -> list[str]:
        pieces: list[str] = []
        current: list[str] = []
        for word in sentence.split():
            if current and self.count_tokens(" ".join([*current, word])) > budget:
                pieces.append(" ".join(current))
                current = []
            current.append(word)
        if current:
            pieces.append(" ".join(current))
        return pieces


def keyword_phrases(passage: Passage) -> list[str]:
    """The title and the synonyms a keywords passage was made of (``PassageSplitter.split``)."""
    if passage.kind != "keywords":
        return []
    if not passage.text.startswith(f"{passage.title}. "):
        return [passage.text]
    return [passage.title, *(p for p in passage.text[len(passage.title) + 2 :].split(", ") if p)]
