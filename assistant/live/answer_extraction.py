"""Finds the sentence or list item of an article that answers what the caller asked last."""

from __future__ import annotations

import copy
import math
import re
import threading
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from functools import cache, cached_property

import numpy as np
from cachetools import LRUCache

from assistant.live.utterance_analysis import content_words
from corpus.answer_examples import AnswerExample, normal_text
from corpus.models import Passage
from corpus.passages import split_blocks
from embeddings.encoders.encoder import Vectors
from embeddings.index.text_analysis import TextAnalyzer
from embeddings.retrieval.retriever import Retriever

MIN_ANSWER_CHARS = 25
SNIPPET_CHARS = 320
HEADING_SHARE = 0.3  # a query token in the section heading counts this much (an intent word fully)


@dataclass(frozen=True)
class Answer:
    answer: str
    snippet: str
    heading: str


# What a question asks for, the words articles use for it, and what an answering sentence looks
# like: "kostet das was?" finds the fees sentence, "müssen beide Eltern mit?" the consent rule.
# (name, pattern on the question, words added to it, pattern on a sentence and its heading)
_INTENTS: tuple[tuple[str, str, str, str], ...] = (
    (
        "costs",
        r"kost|gebühr|gebuehr|(?<![a-zäöüß])teu(?:er|r)|preis|euro|umsonst|gratis"
        r"|wie\s*viel\b(?!\s+(?:zeit|tage|wochen|monate|leute|personen))"
        r"|^(?!.*\bwann\b).*?(?:bezahl|zahlen)"
        r"|\bcosts?\b|how\s+much|\bfees?\b|\bprice|ne\s+kadar(?!\s+s[üu]r)|ücret|fiyat|تكلف|رسوم|سعر|بكم",
        "kosten kostet gebühr euro",
        r"euro|€|gebühr|kostenlos|gebührenfrei|kostet|kosten\b|beitragsfrei|entgelt|beiträge",
    ),
    (
        "duration",
        r"wie\s*lange?\b|wie\s+schnell|dauer(?!haft|auftrag)|aufbewahr|wann\s+(ist|krieg|bekomm|hab|kommt|komm)|fertig"
        r"|bis\s+die\s+kommen|schaff\w*\s+(ich|man|wir|er|sie)\s+(dat|das)\s+(\w+\s+)?(noch|rechtzeitig)"
        r"|how\s+long|ne\s+kadar\s+s[üu]r|كم\s+من\s+الوقت|كم\s+يستغرق",
        "dauer wochen werktage",
        r"dauert|dauer\b|wochen|werktage|\btage|monate|sofort|gleich\s+mit|direkt",
    ),
    (
        "documents",
        r"mitbring|mitnehm|unterlagen|dokument|papiere|nachweis|zettel|wa[st]\s+(brauch|muss\s+ich\s+mit)"
        r"|wa[st]\s+(\w+\s+){0,4}(einreich|vorleg)"
        r"|brauch\w*\s+(ich|man|wir|sie|er)\s+(da\s+|denn\s+|dann\s+)*(alles|für|an\b)"
        r"|wa[st]\s+(nehm|bring)\w*\s+(ich|man|wir)\s+(\w+\s+){0,3}mit\b"
        r"|documents?\b|papers\b|\bbring\s+(with|along)|need\s+to\s+bring|belge|evrak|وثائق|مستندات|أوراق",
        "unterlagen mitbringen nachweis",
        r"unterlagen|mitbring|vorleg|ausweis|urkunde|\bnachweis",
    ),
    (
        "place",
        r"\bwo\b|wohin|adresse|hingehen|welche[sm]?\s+amt|zuständig|zustaendig|\bwhere\b|nerede|nereye|أين",
        "zuständig bürgerbüro adresse",
        r"bürgerbüro|bürgerservice|rathaus|stadthaus|adresse|straße|zuständig|amt\b",
    ),
    (
        "online",
        r"online|internet|computer|handy|app\b|sofa|übers\s+netz|e-?mail",
        "online internet",
        r"online|www\.|internet|\bapp\b|portal|e-mail|formular|digital",
    ),
    (
        "appointment",
        r"termin|einfach\s+(vorbei)?kommen|ohne\s+anmeld|appointment|randevu|موعد",
        "termin buchen",
        r"termin|sprechstunde|ohne\s+anmeldung",
    ),
    (
        "parents",
        r"elternteil|sorgerecht|beide\s+eltern|(eltern|vater|mutter|papa|mama)\w*\s+(\w+\s+){0,3}"
        r"(mit|zustimm|unterschr|einverst|dabei|erlaub|allein)|(zustimm|unterschr|einverst|erlaub)\w*\s+"
        r"(\w+\s+){0,3}(eltern|vater|mutter|papa|mama)|müssen\s+(\w+\s+){0,2}beide",
        "elternteil zustimmung sorgeberechtigten",
        r"elternteil|zustimmung|sorgeberechtigt|beide\s+eltern|einverständnis",
    ),
    (
        "deadline",
        r"frist|bis\s+wann|spätestens|spaetestens|rechtzeitig|wie\s+lange?\s+hab|zu\s+spät"
        r"|wann\s+(muss|soll|müssen)\s+(ich|man|wir)\s+(\w+\s+){0,4}((an|ab|um)?melden|kümmern|beantragen)",
        "frist spätestens innerhalb",
        r"frist|innerhalb|spätestens|bis\s+zum|vor\s+ablauf|sofort|rechtzeitig|bußgeld|verwarn",
    ),
    (
        "opening hours",
        r"öffnungszeit|oeffnungszeit|geöffnet|geoeffnet|auf\b.*\bhaben|wann\s+(hab|habt|haben)\s+(ihr|sie)\s+auf"
        r"|((wann|samstags?|sonntags?|abends)\s+(hat|haben|habt|ham|is|ist|sind)\s+(\w+\s+){0,5}"
        r"|(hat|haben|habt|ham|is|ist|sind)\s+(\w+\s+){0,4}(samstags?|sonntags?|abends|mittags|morgens)\s+(\w+\s+){0,2})"
        r"(auf|offen)\b(?=\s*([?,.!]|$|oder\b|und\b|ich\b|wenn\b|weil\b))",
        "öffnungszeiten geöffnet",
        r"öffnungszeit|geöffnet|\buhr\b",
    ),
    (
        "objection",
        r"dagegen|widerspruch|einspruch|falsch|nicht\s+einverstanden|beschwer",
        "einspruch widerspruch rechtsbehelf",
        r"widerspruch|einspruch|rechtsbehelf|klage",
    ),
    (
        "instalments",
        r"\braten\b|auf\s+einmal|fällig|faellig|vierteljähr|monatlich|wann\s+(muss|soll)\s+\w+\s+(\w+\s+)?(be)?zahl",
        "fällig raten",
        r"fällig|raten|vierteljähr|februar|quartal|monatlich|jährlich",
    ),
    (
        "in person or by proxy",
        r"\bselbst\b|\bselber\b|persönlich|persoenlich|vollmacht|vertret|jemand\s+anders|für\s+(ihn|sie|mich|uns)\b"
        r"|(kann|darf|könnte|soll)\s+ich\s+(\w+\s+){0,3}für\s+(die|den|dem|meine?[nmr]?|ihn|sie)\b"
        r"|mit\s+anmelden|hin\s*kommen|vorbeikommen|beide\s+(zusammen\s+)?hin|gleich\s+mit\b"
        r"|oder\s+muss\s+(ich|man)\s+(da\s+)?(extra\s+|selbst\s+|selber\s+)?hin\b"
        r"|(kann|darf)\s+(dat|das)\s+(\w+\s+){0,2}(meine?[nmr]?)\s+\w+\s+(machen|erledigen|abholen)"
        r"|meine?[nmr]?\s+\w+\s+(kann|darf|könnte|soll)\s+(\w+\s+){0,3}(machen|erledigen|abholen|beantragen)\b"
        r"|(reicht|geht|kann|darf)\s+(\w+\s+){0,4}allein(e)?\b|allein(e)?\s+(hin|kommen|beantrag|machen)"
        r"|muss\s+(der|die|das|dat)\s+\w+\s+(da\s+)?mit\s+hin|reicht\s+(es\s+|dat\s+|das\s+)?wenn\s+ich\s+(\w+\s+)?(komm|hingeh|hin\s+geh)",
        "persönlich vollmacht vertretung selbst",
        r"vollmacht|vertret|bevollmächtigt|persönlich|betreuer|erscheinen|allein",
    ),
    (
        "how early",
        r"wie\s+fr(ü|ue)h|fr(ü|ue)hestens|im\s+voraus|vorlauf|schon\s+vorher",
        "frühestens vorher monate",
        r"frühestens|vorher|im\s+voraus|monate\s+vor|vorlauf",
    ),
    ("photo", r"foto|lichtbild|bild\b", "passfoto foto biometrisch", r"foto|lichtbild|biometrisch"),
    (
        "eligibility",
        r"anspruch|berechtigt|steht\s+(mir|uns)|wer\s+(kann|darf)|krieg(e|en)?\s+ich\s+(dat|das)"
        r"|krieg(e|en)?\s+ich\s+(den|die|ihn)\s+(\w+\s+)?(überhaupt|trotzdem)"
        r"|kann\s+ich\s+(dat|das|den|die)\s+((dann|trotzdem|überhaupt|auch)\s+){0,2}(kriegen|bekommen)",
        "anspruch voraussetzungen berechtigt",
        r"anspruch|voraussetzung|berechtigt|erhalten|bekommen|rechner",
    ),
    (
        "validity",
        r"\bgilt\b|gültig|gueltig",
        "gültig gilt",
        r"gültig|\bgilt\b|gelten\b|läuft\s+(\w+\s+){0,3}ab|\bjahre?\b",
    ),
    (
        "procedure",
        r"wie\s+(mach|geht|funktioniert|läuft|laeuft)|wa[st]\s+(muss|soll)\s+ich\s+(\w+\s+){0,2}(machen|tun)\b"
        r"|wa[st]\s+mach\s+ich|wie\s+geh\s+ich\s+(da\s+)?vor|wie\s+kri(e)?[cg]h?\s+ich"
        r"|wa[st]\s+(ich|wir|man)\s+(da\s+|dann\s+|denn\s+)*(machen|tun)\s+(muss|müssen|soll)",
        "beantragen antrag",
        r"was\s+ist\s+zu\s+tun|beantrag|anmelden|\bmelde[nt]?\b|einreichen|ausfüllen|buchen|\bantrag",
    ),
    (
        "permit needed",
        r"brauch\w*\s+(ich|man|wir)\s+(\w+\s+){0,3}(bau\s*)?genehmigung|genehmigungs\s*(frei|pflichtig)|genehmigen\s+lassen",
        "genehmigungspflichtig genehmigungsfrei verfahrensfrei",
        r"genehmigungsfrei|genehmigungspflichtig|verfahrensfrei|(keine|ohne|braucht\w*)\s+(\w+\s+)?genehmigung",
    ),
    (
        "choice",
        r"aussuch|auswähl|(frei|selbst|selber)\s+wähl|nach\s+(dem\s+)?wohnort"
        r"|oder\s+muss\s+(\w+\s+){0,4}(nächste|nähe|umme\s+ecke)",
        "wählen wunsch",
        r"wählen|gewählt|wunsch|schulbezirk|einzugsbereich|nächstgelegen|wohnortnah",
    ),
    (
        "consequences",
        r"ärger|strafe|bußgeld|bussgeld|illegal|schlimm|passiert\s+(dann|da|wenn)|wa[st]\s+is[t]?\s+(dann\s+)?wenn",
        "bußgeld ungültig",
        r"bußgeld|geahndet|ordnungswidrig|strafe|verwarn|fortbestehend|fiktionsbescheinigung|ungültig|sonst\b"
        r"|andernfalls|droht",
    ),
    (
        "by post",
        r"zuschick|schicken|per\s+post|zugeschickt|abholen|zusend",
        "post zusenden abholen",
        r"\bpost|zugesandt|zusenden|abholen|zugeschickt|versand",
    ),
)


@dataclass(frozen=True)
class QuestionIntent:
    """What a question can ask for: how to recognize the question, the words articles use for it,
    and how to recognize a sentence (with its section heading) that gives that kind of answer."""

    name: str
    asks: re.Pattern[str]
    words: str
    answers: re.Pattern[str]


QUESTION_INTENTS: tuple[QuestionIntent, ...] = tuple(
    QuestionIntent(name, re.compile(asks, re.IGNORECASE), words, re.compile(answers, re.IGNORECASE))
    for name, asks, words, answers in _INTENTS
)
INTENT_WEIGHT = 0.6
LIST_INTRO_SHARE = 0.3  # a list item inherits this share of its introducing line's score
# How the three parts of a sentence's score add up: its word overlap with the question (scaled so the
# article's best sentence has 1), whether it gives the kind of answer the question asks for, and how
# far into the article it stands (0 first, 1 last: articles are written answer first). Fitted on the
# tuning triples of demo/calls/answer-labels{,2,3}.jsonl (`python -m eval.highlight_fit`).
TYPE_WEIGHT = 1.3
EARLIER_INTENT_SHARE = 0.5
LISTED_KINDS = frozenset({"documents"})  # kinds of answer that articles give as a list
# Kinds of answer that about a quarter of all sentences of the demo articles give (a place: 25 %, a
# step of the procedure: 29 %; a fee: 11 %): they do not tell the answer apart. Such a question still
# adds its words ("zuständig bürgerbüro adresse") and is still recognized as a question (a follow-up,
# the topic features), but the kind itself is not scored: the word overlap and the place in the article
# decide, and the article's opening sentences say where and how. On the tune triples this moved the
# three later-written label files up (+5 of 169) and the two older ones, on which these kinds were
# written, down (-1 of 184).
UNSCORED_KINDS = frozenset({"place", "procedure"})
POSITION_WEIGHT = 1.1
# A fourth part, from the knowledge folder's answer examples (``corpus.answer_examples``): a unit scores
# the likeness to the question of every example question of the same article that it answered, summed
# (each 0 to 1: the cosine of their words weighted by inverse document frequency, averaged with the
# overlap of the kinds of answer both ask for, when both ask for one), times this weight. Chosen on the
# tune triples, five-fold by call (a question's own call never among its examples; 897 questions): 0.687
# without examples; summed 0.774 / 0.787 / 0.787 / 0.778 with weights 2 / 3 / 4 / 6; the likest example
# alone instead of the sum 0.764 / 0.769 / 0.773 / 0.768.
EXAMPLE_WEIGHT = 3.0
# An example question's likeness to the caller's question may also count what the two mean: the cosine
# of their content words embedded by the search's encoder, above the cosine that unrelated example
# questions reach (``UNLIKE_PERCENTILE`` of the cosines between the examples' questions; about 0.85 for
# multilingual-e5-small) and scaled to 0..1, mixed in with the share ``SuggestionConfig.example_meaning``
# (0.5). Words alone miss a paraphrase ("kann ich dat anonym melden" after "muss ich meinen namen
# sagen"). On the 1,656 tune questions of round 19, five folds by call: 0.766 words alone, 0.776 with the share 0.5
# (0.775 with 0.3 or 0.4; 0.768 for the meaning alone; floors 0.88 / 0.90 instead of 0.85: 0.769 / 0.766); on the
# 1,814 of round 20: 0.771 and 0.776; docs/suggestions.md, round 20.
# A fifth part: what the unit means against what the question means, the cosine of the unit (embedded as a
# passage, with its section heading) and the question's content words (embedded as a query: the vector the
# answer examples' likeness uses), scaled within the article (0 for its least like unit, 1 for the likest)
# and weighted by this. Chosen on the tune triples, five folds by call (1,981 questions, the labeled
# article, examples of the other folds): 0.777 without; 0.786 / 0.787 / 0.788 with 0.5 / 1 / 1.5
# (docs/suggestions.md, round 22). Off (``SuggestionConfig.sentence_meaning``) or without an encoder: 0.
SENTENCE_WEIGHT = 1.0
UNLIKE_PERCENTILE = 90.0
UNLIKE_SAMPLE = 500  # example questions whose pairwise cosines set that floor (the first ones)
MIN_MEANING_EXAMPLES = 10  # fewer example questions than this: words alone (no floor to measure)
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")


@dataclass(frozen=True)
class ScoredUnit:
    """A sentence or list item of an article with the parts of its answer score."""

    text: str
    passage: int  # which of the sections it is in
    index: int  # which unit of that section
    overlap: float  # word overlap with the question, 1 for the article's best
    answers_kind: float  # the summed weights of the asked-for kinds of answer it gives (0: none)
    position: float  # 0 for the article's first unit, 1 for its last
    remembered: float = 0.0  # how like the question are those this unit answered before (answer examples)
    meaning: float = 0.0  # how like the question it is by meaning, 0 to 1 within the article (``SENTENCE_WEIGHT``)


def answer_score(unit: ScoredUnit, type_weight: float = TYPE_WEIGHT, position_weight: float = POSITION_WEIGHT) -> float:
    """How well a unit answers the question: its word overlap, plus the kind of answer asked for,
    minus how far into the article it stands, plus what the answer examples remember and what it means
    against what the question means, weighted (the shipped weights by default)."""
    return (
        unit.overlap
        + type_weight * unit.answers_kind
        - position_weight * unit.position
        + EXAMPLE_WEIGHT * unit.remembered
        + SENTENCE_WEIGHT * unit.meaning
    )


@dataclass(frozen=True)
class _Unit:
    """A sentence or a list item of a passage, as the agent reads it."""

    text: str
    item: bool
    block: int  # which paragraph or list item of the passage it belongs to


@dataclass(frozen=True)
class TokenProfile:
    """A text's distinct tokens (the index's analyzer) weighted by their inverse document frequency in
    the articles, for comparing what two callers said (``likeness``)."""

    weights: dict[str, float]
    norm: float

    def likeness(self, other: TokenProfile) -> float:
        """Cosine of the two weighted token sets: 0 when they share no token, 1 for the same tokens."""
        if not self.norm or not other.norm:
            return 0.0
        shared = sum(w * other.weights[t] for t, w in self.weights.items() if t in other.weights)
        return shared / (self.norm * other.norm)


@dataclass(frozen=True)
class _Remembered:
    """An answer example as the extractor uses it: its question's token profile, the kinds of answer it
    asks for, and the units of each section of the article (by passage id, with the passage text they
    were found in) that answered it."""

    profile: TokenProfile
    kinds: frozenset[str]
    units: dict[str, tuple[str, frozenset[int]]]
    question: str
    meaning: Vectors | None = None  # its content words embedded (normalized), when meanings are used
    by_editor: bool = False  # written by an editor for a sentence, not asked by a caller


@dataclass(frozen=True)
class LikeExample:
    """An answer example like some text: the article that answered it, its question, and how like."""

    article_id: str
    question: str
    likeness: float


@dataclass(frozen=True)
class SentenceQuestions:
    """A sentence or list item of an article, as the extractor picks answers, with how many answer examples
    point at it: questions callers asked and questions editors wrote."""

    text: str
    callers: int
    editors: int


class AnswerExtractor:
    """Picks the sentence or list item of an article that answers the caller's question. Each unit
    is scored by three things: the inverse document frequency of the question's tokens it contains
    (the same analyzer as the lexical index, so split compounds and misheard words still match; plus
    the words articles use for what the question asks), whether it gives the kind of answer asked for
    (a fee for "was kostet das", a deadline for "bis wann"), and its place in the article. When no
    word of the latest question matches and no kind is asked for, the fallback query (the concern's
    window) decides; failing that, the article's first sentence: articles are written answer first."""

    def __init__(
        self,
        analyzer: TextAnalyzer,
        passages: Sequence[Passage],
        examples: Sequence[AnswerExample] = (),
        meanings: Retriever | None = None,
        meaning_share: float = 0.0,
        sentence_meaning: bool = False,
    ) -> None:
        """``meanings``: the retriever whose encoder embeds the example questions and the caller's
        question, with ``meaning_share`` the share of that likeness in an example's (0: words alone);
        with ``sentence_meaning`` it also embeds every sentence and list item of the passages (kept across
        starts: ``Retriever.passage_vectors``), compared with the question by meaning."""
        self.analyzer = analyzer
        self._meanings = meanings if meaning_share > 0 or sentence_meaning else None
        self.meaning_share = meaning_share
        self._meaning_of: dict[str, Vectors] = {}  # example question's content words -> vector
        self._unlike = 1.0  # the cosine unrelated example questions reach (1: meanings unused)
        frequency: Counter[str] = Counter()
        for passage in passages:
            frequency.update(set(analyzer.tokens(passage.text)))
        total = max(len(passages), 1)
        self._idf = {token: math.log(1 + total / count) for token, count in frequency.items()}
        self._default_idf = math.log(1 + total)
        # Split and tokenized once here, not per request: the sentences and list items of every
        # passage, with their token sets, and the tokens of each heading and of the intents' words.
        self._prepared = {p.id: _prepare(analyzer, p) for p in passages}
        self._intent_tokens = {intent: analyzer.tokens(intent.words) for intent in QUESTION_INTENTS}
        # One caller turn asks for the intents of the same texts several times (the topic features, each
        # card's answer, the window as the fallback): remembered by text (redacted text only).
        self._intents_of: LRUCache[str, dict[QuestionIntent, float]] = LRUCache(maxsize=1024)
        self._intents_lock = threading.Lock()
        self._sections_of: dict[str, list[_Prepared]] = {}  # each article's prepared sections
        for prepared in self._prepared.values():
            self._sections_of.setdefault(prepared.article_id, []).append(prepared)
        self._memory_lock = threading.Lock()
        self._remembered = self._remember(examples, measure=True)
        # Each passage's units embedded (normalized, one row per unit), by passage id and text.
        self._unit_meanings: dict[str, tuple[str, Vectors]] = {}
        if sentence_meaning and meanings is not None:
            self._unit_meanings = self._embed_units(list(self._prepared.values()))

    def remember(self, example: AnswerExample) -> None:
        """Use one more answer example from now on (an agent's answer mark)."""
        found = self._remember([example], measure=False)
        with self._memory_lock:
            merged = dict(self._remembered)
            for article, remembered in found.items():
                merged[article] = [*merged.get(article, []), *remembered]
            self._remembered = merged

    def with_examples(self, examples: Sequence[AnswerExample]) -> AnswerExtractor:
        """This extractor with other answer examples (the knowledge folder's file changed); the passages,
        their preparation and the remembered intents are shared."""
        other = copy.copy(self)
        other._remembered = other._remember(examples, measure=True)
        return other

    def _remember(self, examples: Sequence[AnswerExample], measure: bool) -> dict[str, list[_Remembered]]:
        """The answer examples by article, with the units of the article's sections that answered each
        (and their questions' meanings, with the floor of unrelated ones measured anew if ``measure``)."""
        remembered: dict[str, list[_Remembered]] = {}
        for example in examples:
            quotes = [q for q in (normal_text(s) for s in example.sentences) if q]
            units: dict[str, tuple[str, frozenset[int]]] = {}
            for passage in self._sections_of.get(example.article_id, []):
                found = frozenset(
                    index
                    for index, text in enumerate(passage.normal_units)
                    if text and any(q in text or text in q for q in quotes)
                )
                if found:
                    units[passage.passage_id] = (passage.text, found)
            profile = self.profile(example.question)
            if units and profile.weights:
                kinds = frozenset(intent.name for intent in _asked_intents(example.question))
                remembered.setdefault(example.article_id, []).append(
                    _Remembered(profile, kinds, units, example.question, by_editor=example.by_editor)
                )
        if self.meaning_share > 0 and self._meanings is not None:
            return self._with_meanings(remembered, measure)
        return remembered

    def _embed_units(self, prepared: Sequence[_Prepared]) -> dict[str, tuple[str, Vectors]]:
        """The units of ``prepared`` embedded as passages (with their section heading), by passage id."""
        assert self._meanings is not None
        texts = [_unit_text(p, u) for p in prepared for u in p.units]
        vectors = iter(self._meanings.passage_vectors(texts)) if texts else iter(())
        embedded = {}
        for passage in prepared:
            rows = [_normalized(next(vectors)) for _ in passage.units]
            if rows:
                embedded[passage.passage_id] = (passage.text, np.stack(rows))
        return embedded

    def _with_meanings(self, remembered: dict[str, list[_Remembered]], measure: bool) -> dict[str, list[_Remembered]]:
        """``remembered`` with each question's meaning: its content words embedded (those not embedded
        before), past the retriever's query cache (from its stored query vectors, kept across starts)."""
        assert self._meanings is not None
        texts = {e.question: _meaning_text(e.question) for found in remembered.values() for e in found}
        missing = [t for t in dict.fromkeys(texts.values()) if t not in self._meaning_of]
        if missing:
            for text, vector in zip(missing, self._meanings.query_vectors(missing, cached=False), strict=True):
                self._meaning_of[text] = _normalized(vector)
        if measure:
            self._unlike = _unlike_cosine([self._meaning_of[t] for t in dict.fromkeys(texts.values())])
        return {
            article: [replace(e, meaning=self._meaning_of[texts[e.question]]) for e in found]
            for article, found in remembered.items()
        }

    @property
    def uses_meaning(self) -> bool:
        """Whether an example question's likeness counts what it means too (a share above 0, an encoder and
        enough examples to measure what unrelated questions reach)."""
        return self._meanings is not None and self.meaning_share > 0 and self._unlike < 1.0

    @property
    def uses_sentence_meaning(self) -> bool:
        """Whether a unit's score counts what it means against what the question means."""
        return bool(self._unit_meanings)

    def meaning_text(self, question: str) -> str | None:
        """What is embedded for the question's meaning (its content words), or None where meanings are not
        used: a search can embed it in the same encoder request as its own text."""
        return _meaning_text(question) if self.uses_meaning or self.uses_sentence_meaning else None

    def _question_meaning(self, query: str) -> Vectors | None:
        """The caller's question's content words embedded (through the query cache: the turn's search
        usually embedded the same words), or None where meanings are not used."""
        text = self.meaning_text(query)
        if text is None or self._meanings is None:
            return None
        return _normalized(self._meanings.query_vectors([text])[0])

    def profile(self, text: str) -> TokenProfile:
        """``text``'s distinct tokens weighted by their inverse document frequency in the passages."""
        return self._profile(self.analyzer.tokens(text))

    def _profile(self, tokens: Sequence[str]) -> TokenProfile:
        weights = {t: self._idf.get(t, self._default_idf) for t in set(tokens)}
        return TokenProfile(weights, math.sqrt(sum(w * w for w in weights.values())))

    def example_likeness(self, article_id: str, profile: TokenProfile) -> float:
        """How like ``profile`` the likest question callers asked about the article is (its answer examples
        but those an editor wrote; 0: none). Editors write a question for every sentence, short everyday
        ones among them ("wo muss ich da hin"), so a matter no article covers often resembles one of them:
        only what callers asked speaks for a caller's matter being covered."""
        return max(
            (e.profile.likeness(profile) for e in self._remembered.get(article_id, ()) if not e.by_editor),
            default=0.0,
        )

    def like_examples(self, text: str, articles: Collection[str], at_least: float, limit: int = 3) -> list[LikeExample]:
        """The callers' questions among the answer examples of ``articles`` (as for ``example_likeness``)
        that are at least ``at_least`` like ``text``, likest first, at most ``limit``: what the articles
        answered before that resembles ``text`` (a known gap the articles may answer after all)."""
        profile = self.profile(text)
        found = [
            LikeExample(article, example.question, likeness)
            for article in articles
            for example in self._remembered.get(article, ())
            if not example.by_editor and (likeness := example.profile.likeness(profile)) >= at_least
        ]
        return sorted(found, key=lambda e: (-e.likeness, e.article_id, e.question))[:limit]

    def _recalled(
        self,
        meant: Callable[[], Vectors | None],
        tokens: Sequence[str],
        intents: dict[QuestionIntent, float],
        prepared: Sequence[_Prepared],
    ) -> list[float]:
        """For each unit, in reading order: the summed likeness to the question (what it means, ``meant()``,
        its ``tokens`` and ``intents``) of the answer examples it answered (0 when none did, or the article
        has none)."""
        scores = [[0.0] * len(passage.units) for passage in prepared]
        articles = {passage.article_id for passage in prepared}
        examples = [e for article in articles for e in self._remembered.get(article, ())]
        if examples:
            asked = frozenset(intent.name for intent in intents)
            question = self._profile(tokens)
            meaning = meant() if self.uses_meaning else None
            share, unlike = self.meaning_share, self._unlike
            for example in examples:
                likeness = example.profile.likeness(question)
                if meaning is not None and example.meaning is not None:
                    alike = max(0.0, (float(example.meaning @ meaning) - unlike) / (1.0 - unlike))
                    likeness = (1.0 - share) * likeness + share * alike
                if likeness <= 0:
                    continue
                if asked and example.kinds:
                    likeness = 0.5 * likeness + 0.5 * len(asked & example.kinds) / len(asked | example.kinds)
                for order, passage in enumerate(prepared):
                    text, found = example.units.get(passage.passage_id, ("", frozenset()))
                    if found and text == passage.text:
                        for index in found:
                            scores[order][index] += likeness
        return [score for passage in scores for score in passage]

    def questions_per_sentence(self, sections: Sequence[Passage]) -> list[SentenceQuestions]:
        """Every sentence and list item of an article's ``sections``, in reading order, with the number of its
        answer examples (callers' and editors') that point at it: the sentences no question points at yet are
        where a content team writes questions."""
        listed = []
        for passage in (self._prepared_for(p) for p in sections):
            counts = [[0, 0] for _ in passage.units]
            for example in self._remembered.get(passage.article_id, ()):
                text, found = example.units.get(passage.passage_id, ("", frozenset()))
                for index in found if text == passage.text else ():
                    counts[index][example.by_editor] += 1
            listed += [SentenceQuestions(u.text, *n) for u, n in zip(passage.units, counts, strict=True)]
        return listed

    def prepare_kinds(self) -> None:
        """Work out now which kinds of answer each unit of every passage gives (``_Prepared.kinds_given``,
        otherwise computed at a passage's first card): about 0.7 s of CPU for the demo's 920 passages,
        paid once at start (or on an index reload) instead of by the first calls' utterances."""
        for prepared in self._prepared.values():
            _ = prepared.kinds_given

    def intents(self, query: str) -> dict[QuestionIntent, float]:
        """What the question asks for (costs, documents, duration, ...), maybe nothing, each with its
        weight: 1 for what the caller asked last in the utterance, ``EARLIER_INTENT_SHARE`` for
        what came before (callers give context first: "n zettel vom vermieter hab ich nich, und bis
        wann muss ich dat gemacht ham" asks for the deadline)."""
        with self._intents_lock:
            known = self._intents_of.get(query)
        if known is None:
            known = _asked_intents(query)
            with self._intents_lock:
                self._intents_of[query] = known
        return dict(known)

    def query_weights(self, query: str) -> dict[str, float]:
        """Query tokens (weight 1) and the tokens of the intents the question expresses."""
        return self._weights(self.analyzer.tokens(query), self.intents(query))

    def _weights(self, tokens: Sequence[str], intents: dict[QuestionIntent, float]) -> dict[str, float]:
        weights = dict.fromkeys(tokens, 1.0)
        for intent in intents:
            for token in self._intent_tokens[intent]:
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
        """The answer to ``query`` in the article of ``best`` (the passage the search found), whose
        sections in reading order are ``sections``."""
        ordered = list(sections) if any(p.id == best.id for p in sections) else [best, *sections]
        prepared = [self._prepared_for(p) for p in ordered]
        units = self._scored(query, prepared, fallback_query)
        if not units:
            text = plain(best.text)
            return Answer(answer=text, snippet=_snippet(text, text), heading=best.heading)
        chosen = max(units, key=answer_score)
        passage, found = ordered[chosen.passage], prepared[chosen.passage].units
        answer = chosen.text
        following = found[chosen.index + 1] if chosen.index + 1 < len(found) else None
        preceding = found[chosen.index - 1] if chosen.index > 0 else None
        if answer.endswith(":") and following is not None:
            if following.block == found[chosen.index].block:
                answer = f"{answer} {following.text}"  # a lead-in ("Titel abgelaufen:") with what it says
            elif following.item:
                answer = following.text  # the first item, not the line that introduces the list
        elif preceding is not None and preceding.block == found[chosen.index].block and preceding.text.endswith(":"):
            answer = f"{preceding.text} {answer}"  # what a lead-in says, with the lead-in ("Gebühr: 37 Euro.")
        return Answer(answer=answer, snippet=_snippet(plain(passage.text), answer), heading=passage.heading)

    def units(self, query: str, sections: Sequence[Passage], fallback_query: str | None = None) -> list[ScoredUnit]:
        """Every sentence and list item of ``sections`` (in reading order) with the three parts of
        its score (see ``TYPE_WEIGHT``); also what ``eval.highlight_fit`` fits the weights on."""
        return self._scored(query, [self._prepared_for(p) for p in sections], fallback_query)

    def _scored(self, query: str, prepared: Sequence[_Prepared], fallback_query: str | None) -> list[ScoredUnit]:
        intents = self.intents(query)
        tokens = self.analyzer.tokens(query)
        lexical = self._lexical(self._weights(tokens, intents), prepared)
        kinds = self._answers_kind({i: w for i, w in intents.items() if i.name not in UNSCORED_KINDS}, prepared)
        if not any(lexical) and not any(kinds) and fallback_query:
            lexical = self._lexical(self.query_weights(fallback_query), prepared)
        top = max(lexical, default=0.0)
        # The question's meaning, embedded (or taken from the query cache) only if a part needs it, once.
        question = cache(lambda: self._question_meaning(query))
        recalled = self._recalled(question, tokens, intents, prepared)
        meant = self._meant(question, prepared)
        places = [(order, index) for order, passage in enumerate(prepared) for index in range(len(passage.units))]
        last = max(len(places) - 1, 1)
        return [
            ScoredUnit(
                text=prepared[order].units[index].text,
                passage=order,
                index=index,
                overlap=found / top if top > 0 else 0.0,
                answers_kind=kind,
                position=position / last,
                remembered=memory,
                meaning=meaning,
            )
            for position, ((order, index), found, kind, memory, meaning) in enumerate(
                zip(places, lexical, kinds, recalled, meant, strict=True)
            )
        ]

    def _meant(self, meant: Callable[[], Vectors | None], prepared: Sequence[_Prepared]) -> list[float]:
        """For each unit, in reading order: its cosine with the question's meaning (``meant()``), scaled
        within these units from 0 (the least like) to 1 (the likest); all 0 where sentence meanings are not
        used."""
        count = sum(len(passage.units) for passage in prepared)
        question = meant() if self.uses_sentence_meaning else None
        if question is None or count < 2:
            return [0.0] * count
        missing = [p for p in prepared if self._unit_meanings.get(p.passage_id, ("", None))[0] != p.text]
        fresh = self._embed_units(missing) if missing else {}
        if fresh:  # an edited passage's units: embedded once, not at every card
            with self._memory_lock:
                self._unit_meanings.update(fresh)
        rows = [(fresh.get(p.passage_id) or self._unit_meanings[p.passage_id])[1] for p in prepared if p.units]
        cosines = np.concatenate([unit_rows @ question for unit_rows in rows])
        low, high = float(cosines.min()), float(cosines.max())
        return ((cosines - low) / (high - low)).tolist() if high > low else [0.0] * count

    def _lexical(self, query: dict[str, float], prepared: Sequence[_Prepared]) -> list[float]:
        """Each unit's word overlap with the query, in reading order; a list item also gets a share
        of the line that introduces its list."""
        scores: list[float] = []
        for passage in prepared:
            intro = 0.0
            for unit, tokens in zip(passage.units, passage.tokens, strict=True):
                own = self._overlap(query, unit.text, tokens, passage.heading)
                if unit.item:
                    own += LIST_INTRO_SHARE * intro
                else:
                    intro = own
                scores.append(own)
        return scores

    @staticmethod
    def _answers_kind(intents: dict[QuestionIntent, float], prepared: Sequence[_Prepared]) -> list[float]:
        """For each unit, in reading order: the summed weights of the asked-for kinds of answer it
        gives (0 for none). A unit is read with its section heading, a list item also with the line
        that introduces its list ("Mitzubringen sind:"). Kinds that articles give as a list count a
        sentence outside a list half: it names the documents, the list's items are the answer."""
        if not intents:
            return [0.0] * sum(len(passage.units) for passage in prepared)
        return [
            sum(weight * given[intent] for intent, weight in intents.items() if intent in given)
            for passage in prepared
            for given in passage.kinds_given
        ]

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


def _asked_intents(query: str) -> dict[QuestionIntent, float]:
    """``AnswerExtractor.intents``, computed."""
    last_match: dict[QuestionIntent, int] = {}
    for intent in QUESTION_INTENTS:
        ends = [m.end() for m in intent.asks.finditer(query)]
        if ends:
            last_match[intent] = ends[-1]
    if not last_match:
        return {}
    latest = max(last_match.values())
    return {intent: 1.0 if at == latest else EARLIER_INTENT_SHARE for intent, at in last_match.items()}


def _listed_share(intent: QuestionIntent, item: bool, context: str) -> float:
    """How much a unit that gives ``intent``'s kind of answer counts: fully, unless the kind is one
    that articles give as a list (documents); then only an item of a list that is about it (its
    heading or introducing line says so) counts fully, anything else that mentions it half."""
    if intent.name not in LISTED_KINDS:
        return 1.0
    return 1.0 if item and intent.answers.search(context) else 0.5


@dataclass(frozen=True)
class _Prepared:
    """A passage as the extractor scores it: its units, each unit's token set, its heading's tokens."""

    passage_id: str
    article_id: str
    text: str
    heading_text: str
    units: list[_Unit]
    tokens: list[frozenset[str]]
    heading: frozenset[str]

    @cached_property
    def normal_units(self) -> list[str]:
        """Each unit as ``normal_text`` compares it (answer examples quote units), worked out once."""
        return [normal_text(unit.text) for unit in self.units]

    @cached_property
    def kinds_given(self) -> list[dict[QuestionIntent, float]]:
        """For each unit: the kinds of answer it gives (read with its section heading, a list item also
        with the line that introduces its list), each with its ``_listed_share``. The same for every
        question, so worked out once per passage, when first needed."""
        given: list[dict[QuestionIntent, float]] = []
        intro = ""
        for unit in self.units:
            if not unit.item:
                intro = ""
            context = f"{self.heading_text} {intro}"
            read = f"{context} {unit.text}"
            given.append(
                {
                    intent: _listed_share(intent, unit.item, context)
                    for intent in QUESTION_INTENTS
                    if intent.answers.search(read)
                }
            )
            if not unit.item:
                intro = unit.text
        return given


def _prepare(analyzer: TextAnalyzer, passage: Passage) -> _Prepared:
    units = _units(passage.text)
    return _Prepared(
        passage_id=passage.id,
        article_id=passage.article_id,
        text=passage.text,
        heading_text=passage.heading,
        units=units,
        tokens=[frozenset(analyzer.tokens(u.text)) for u in units],
        heading=frozenset(analyzer.tokens(passage.heading)),
    )


def _units(text: str) -> list[_Unit]:
    """The sentences and list items of a passage, in reading order. Only a block's first sentence can
    start a list item: a later one that starts with a number is a date or an amount ("Meldefrist für
    das kommende Kita-Jahr: 1. November." splits after the colon), not a list marker to remove."""
    blocks = split_blocks(text) or [[text]]
    units = []
    for number, block in enumerate(blocks):
        for order, x in enumerate(block):
            starts_item = order == 0 and bool(_LIST_ITEM.match(x))
            shown = plain(x) if order == 0 else _without_emphasis(x)
            if shown:
                units.append(_Unit(shown, starts_item, number))
    return units


_EMPHASIS = re.compile(r"\*\*|__|`")
_MARKUP = re.compile(rf"{_EMPHASIS.pattern}|^\s*(?:[-*+]|\d+\.)\s+", re.MULTILINE)


def _unit_text(passage: _Prepared, unit: _Unit) -> str:
    """What is embedded for a unit's meaning: the unit, after its section heading."""
    return f"{passage.heading_text}: {unit.text}" if passage.heading_text else unit.text


def _meaning_text(question: str) -> str:
    """What is embedded for a question's meaning: its content words (the turn's gist or focus, which the
    search embeds too), or the question itself when it has none."""
    return " ".join(content_words(question)) or question


def _normalized(vector: Vectors) -> Vectors:
    norm = float(np.linalg.norm(vector))
    return np.asarray(vector / norm if norm else vector, dtype=np.float32)


def _unlike_cosine(meanings: Sequence[Vectors]) -> float:
    """The cosine two unrelated example questions reach: ``UNLIKE_PERCENTILE`` of the cosines between
    the first ``UNLIKE_SAMPLE`` questions (most pairs ask about different things); 1 (meanings unused)
    with fewer than ``MIN_MEANING_EXAMPLES``."""
    if len(meanings) < MIN_MEANING_EXAMPLES:
        return 1.0
    sample = np.stack(meanings[:UNLIKE_SAMPLE])
    pairs = (sample @ sample.T)[np.triu_indices(len(sample), 1)]
    return min(float(np.percentile(pairs, UNLIKE_PERCENTILE)), 0.99)


def plain(text: str) -> str:
    """The text an agent reads out: Markdown emphasis and list markers removed."""
    return " ".join(_MARKUP.sub("", text).split())


def _without_emphasis(text: str) -> str:
    """A sentence inside a block as the agent reads it: Markdown emphasis removed, a leading number kept."""
    return " ".join(_EMPHASIS.sub("", text).split())


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
