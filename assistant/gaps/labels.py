"""Topic labels: the nouns that characterize a topic (class-based TF-IDF), put into a short German phrase.

Only nouns name a matter ("Ratten", "Hinterhof"); verbs, adjectives and fillers ("kostet", "ekliges",
"gucken") do not. The callers' texts are lower-case transcripts, so the part of speech and the lemma of
each word come from a statistical German tagger that does not rely on capitals (HanTa, the Hanover
Tagger, ``GermanTagger``). Singular and plural meet in the lemma ("Ratte", "Ratten").

*Characteristic nouns* (``characteristic_words``). Each topic is one class; a topic's texts are its
calls, a call's questions one per line. A noun's support is the number of the topic's questions that
contain it, half the number of its questions with a compound of it ("Baumschutz" supports "Baum"), one
per call that names it first among its nouns (``OPENING_SUPPORT``: callers say what they call about
early; a noun said as a place, "bei uns vorm haus", does not open a call), plus the same counts of the
same group's topics in other cities (the same matter, so its words should agree across cities). It is
weighted by ``log(1 + N / (s + f))``, where ``f`` counts the texts containing the noun (by its German
Snowball stem) among the questions of the topics of the same city and a background (knowledge
articles, answered questions) of ``N`` texts in all, and ``s`` (``DF_SMOOTHING``) keeps one caller's
rare word from outweighing the matter's usual word. Counting within the city keeps a matter called in
every city ("Ratten") the name of its topic in each. Nouns the callers only use as the place of the
matter ("im hinterhof") and those of ``NOT_THE_MATTER`` (people and roles, days and weather, generic
places, spoken words a tagger takes for nouns: "Gärtner", "Montag", "Haus", "sowat") come after the
others; they are for the labels only, the grouping (``matter_nouns``) does not use them.

Never a label: stop words, spoken fillers, nouns of the call's circumstances (``NOT_A_TOPIC``: "Frage",
"Sohn", "Woche"), the placeholders of redacted personal data, first names and surnames of the
redactor's gazetteer, a word the tagger only guessed to be a proper noun that occurs in one text alone
and that the knowledge articles do not use (a name the redactor may have missed), and pieces of a word
that speech recognition split ("person alausweis": a word that, joined to its neighbour, makes a word of
the knowledge articles while it is none itself), place names (a noun after "in", "nach" or "aus" without
an article: "in meiderich") and street names.

*The phrase* (``label_phrase``), from the callers' own words, best first:

1. the best noun with what the callers want done with it: a full verb in the infinitive after it in the
   same clause ("nen baum umhauen" -> "Baum umhauen"), not a light verb ("n kammerjäger holen") and not
   after a noun in a prepositional phrase ("in der bibliothek anmelden");
2. the best noun with one of the next nouns as the callers said them together, joined by a preposition
   ("ausweis von der bibliothek" -> "Ausweis von der Bibliothek");
3. the best noun with a prepositional phrase of place of one of the next nouns (a common noun) said
   within ``_PLACE_REACH`` words of it ("im hinterhof laufen ratten" -> "Ratten im Hinterhof");
4. the best two nouns joined by "und" when the second is in at least half of the texts (two or more);
5. the best noun alone.

A possessive is shown as the article ("unter unserem vordach" -> "unter dem Vordach"). ``naming_question``
picks the question shown with the label: the most central one that holds the label's words.

Nouns are capitalized, in the form the callers used most. The texts are the redacted ones the call
store keeps, so a label never holds more than what the report already shows.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import Stemmer

from assistant.live.utterance_analysis import content_words
from assistant.privacy.names import gazetteer_names
from corpus.german_words import NOT_A_TOPIC, NOT_THE_MATTER

_PLACEHOLDER = re.compile(r"\[[A-ZÄÖÜ-]+\]")
# Where a phrase ends besides punctuation: a placeholder, or a line break between two questions.
_PHRASE_BREAK = re.compile(r"\[[A-ZÄÖÜ-]+\]|\n")
_TOKEN = re.compile(r"[a-zäöüß]+(?:-[a-zäöüß]+)*|[.,;:!?]")
# Prepositions that take a place name without an article ("in meiderich", "nach hamborn").
_PLACE_NAME_PREPOSITIONS = frozenset({"in", "nach", "aus"})
# Street names ("königstraße", "kaiser-wilhelm-straße") are part of an address, never of a label.
_STREET = re.compile(r".+(straße|strasse|str)$")
_NOUN_TAGS = ("NN", "NE")
_PROPER_NOUN = "NE"
# Prepositions of place that make a readable modifier anywhere in the texts ("im Hinterhof", "aus dem
# Gully"), and those that do so only right after the noun they modify ("Ausweis von der Bibliothek").
_PLACE_PREPOSITIONS = frozenset(
    {
        "am", "an", "auf", "aus", "hinter", "hinterm", "im", "in", "über", "überm", "unter", "unterm",
        "vor", "vorm"
    }
)  # fmt: skip
# After a preposition of place these articles say where to ("in die Stadt"), not where.
_DIRECTION_ARTICLES = frozenset({"die", "das", "ein", "eine", "einen", "ne", "nen"})
_PREPOSITIONS = _PLACE_PREPOSITIONS | {"bei", "beim", "für", "mit", "ohne", "vom", "von", "zum", "zur"}
_POSSESSIVE_ENDINGS = {"": "ein", "e": "die", "em": "dem", "en": "den", "er": "der"}
# Articles of a prepositional phrase, spoken forms written out ("aus nem Garten" -> "aus einem Garten").
_ARTICLES = {
    **{a: a for a in ("der", "die", "das", "dem", "den", "des", "ein", "eine", "einem", "einen", "einer")},
    "nem": "einem",
    "ner": "einer",
    "nen": "einen",
    # Possessives stand where the article would ("auf unserem Dachboden"); a label says the article.
    **{f"{p}{end}": article for p in ("mein", "unser") for end, article in _POSSESSIVE_ENDINGS.items()},
}
# Weight of a noun's texts in the same group's topics of other cities (the same matter).
GROUP_SUPPORT = 1.0
# Weight of a call that names the noun first among the nouns of the matter (callers say what they call
# about early; circumstances, places and people follow).
OPENING_SUPPORT = 1.0
DF_SMOOTHING = 5.0
# How far after its noun a verb may say what is to be done with it ("nen baum einfach so umhauen").
_ACTION_REACH = 5
# Tags (STTS) after which a verb no longer says what is done with the noun: other verbs, conjunctions,
# personal and relative pronouns, question words.
_CLAUSE_TAGS = ("V", "KO", "PPER", "PRELS", "PW")
# How close to the best noun a phrase of place must be to say where its matter is ("im hof laufen ratten").
_PLACE_REACH = 4
# Share of the texts the second noun of an "A und B" label must be in.
_AND_MIN_SHARE = 0.5


@dataclass(frozen=True)
class Token:
    """One word of a text as spoken (lower case), its lemma and its STTS part-of-speech tag ("NN")."""

    word: str
    lemma: str
    tag: str

    @property
    def noun(self) -> bool:
        return self.tag in _NOUN_TAGS


@dataclass
class _NounCounts:
    """One topic's nouns: the questions that hold each, and the calls that name each first among the
    nouns of the matter."""

    asked: Counter[str] = field(default_factory=Counter)
    opened: Counter[str] = field(default_factory=Counter)

    def support(self, key: str) -> float:
        """Questions holding the noun, half those holding a compound of it, and the calls opening with it."""
        compounds = sum(n for k, n in self.asked.items() if k != key and _compound_of(k, key))
        return self.asked[key] + 0.5 * compounds + OPENING_SUPPORT * self.opened[key]


class _DocumentFrequency:
    """How many texts hold a stem: the reference texts (articles, answered questions) and one city's
    questions. ``weight`` is the inverse document frequency ``log(1 + N / (s + f))``, smoothed by ``s``
    (``DF_SMOOTHING``) so that one caller's rare word does not outweigh the matter's usual word."""

    def __init__(self, stemmer: Any, reference: Sequence[str]) -> None:
        self._stemmer = stemmer
        self._reference = Counter(s for text in reference for s in self._stems(text))
        self._documents = len(reference)
        self._city: dict[str, Counter[str]] = {}
        self._city_documents: Counter[str] = Counter()

    def _stems(self, text: str) -> set[str]:
        return set(self._stemmer.stemWords(re.findall(r"[a-zäöüß]{3,}", text.lower())))

    def add(self, city: str, texts: Sequence[str]) -> None:
        found = self._city.setdefault(city, Counter())
        for text in texts:
            found.update(self._stems(text))
        self._city_documents[city] += len(texts)

    def weight(self, city: str, stem: str) -> float:
        seen = DF_SMOOTHING + self._reference[stem] + self._city.get(city, Counter())[stem]
        return math.log(1 + (self._documents + self._city_documents[city]) / seen)


@functools.cache
def _hanover_tagger() -> Any:
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


class GermanTagger:
    """Part of speech and lemma of the words of lower-case German transcripts (HanTa, its German model
    shipped in the package; no capitals needed). Placeholders and punctuation split the text into
    phrases; results are cached per text."""

    def __init__(self) -> None:
        self._cache: dict[str, list[list[Token]]] = {}

    def phrases(self, text: str) -> list[list[Token]]:
        """The text's phrases (between punctuation and placeholders), each as tagged words."""
        found = self._cache.get(text)
        if found is None:
            found = []
            for part in _PHRASE_BREAK.split(text):
                words = _TOKEN.findall(part.lower())
                if any(w[0].isalpha() for w in words):
                    tagged = _hanover_tagger().tag_sent(words, casesensitive=False, taglevel=1)
                    found.extend(_split_at_punctuation([Token(w, str(lemma), str(tag)) for w, lemma, tag in tagged]))
            self._cache[text] = found
        return found


def _split_at_punctuation(tokens: list[Token]) -> list[list[Token]]:
    phrases: list[list[Token]] = [[]]
    for token in tokens:
        if token.word[0].isalpha():
            phrases[-1].append(token)
        elif phrases[-1]:
            phrases.append([])
    return [p for p in phrases if p]


class CTfIdfLabeler:
    """Labels topics with their most characteristic nouns, put into a short phrase."""

    def __init__(self, stopwords: Iterable[str] = (), words_per_label: int = 3) -> None:
        self.stopwords = frozenset(w.lower() for w in stopwords) | NOT_A_TOPIC
        self.words_per_label = words_per_label
        self._stemmer = Stemmer.Stemmer("german")
        self._tagger = GermanTagger()
        self._context: tuple[str, ...] = ()
        self._known: dict[str, Token] = {}
        self.vocabulary: dict[str, str] = {}

    def learn_vocabulary(self, texts: Iterable[str]) -> None:
        """Words of well-written texts (the knowledge articles), in their usual spelling: lower-case
        word -> the form written most often (``Ratten`` for a noun)."""
        forms: dict[str, Counter[str]] = {}
        for text in texts:
            for word in re.findall(r"[A-Za-zÄÖÜäöüß]{3,}", text):
                forms.setdefault(word.lower(), Counter())[word] += 1
        self.vocabulary = {low: max(c, key=lambda f: (c[f], f)) for low, c in forms.items()}

    def terms(self, text: str) -> list[str]:
        """The content words of a text, without fillers and placeholders (for the text similarity)."""
        return [w for w in content_words(_PLACEHOLDER.sub(" ", text)) if w not in self.stopwords]

    def _stem(self, word: str) -> str:
        return str(self._stemmer.stemWord(word.lower()))

    def _candidate(self, token: Token) -> bool:
        """A noun that may name a matter (before the checks that need all texts)."""
        word = token.word
        return (
            token.noun
            and len(word) > 2
            and "-" not in word
            and _STREET.fullmatch(word) is None
            and word not in self.stopwords
            and token.lemma.lower() not in self.stopwords
            and word not in gazetteer_names()
            and token.lemma.lower() not in gazetteer_names()
        )

    @staticmethod
    def _key(token: Token) -> str:
        """The lemma a noun is counted under; a guessed proper noun keeps its word (its lemma is a guess)."""
        return token.word if token.tag == _PROPER_NOUN else token.lemma.lower()

    def _nouns(self, text: str, context: Sequence[str] = ()) -> list[Token]:
        """The candidate nouns of a text; a word tagged as a common noun in any ``context`` text counts
        as that noun here too (the tagger may take "ratten" for a verb in one sentence)."""
        known = self._common_nouns(tuple(context))
        tokens = [known.get(t.word, t) if t.tag != "NN" else t for p in self._tagger.phrases(text) for t in p]
        return [t for t in tokens if self._candidate(t)]

    def _common_nouns(self, texts: tuple[str, ...]) -> dict[str, Token]:
        if texts != self._context:
            self._context = texts
            self._known = {t.word: t for x in texts for p in self._tagger.phrases(x) for t in p if t.tag == "NN"}
        return self._known

    def characteristic_words(
        self,
        topics: Sequence[Sequence[str]],
        groups: Sequence[int] | None = None,
        background: Sequence[str] = (),
        cities: Sequence[str] | None = None,
    ) -> list[list[str]]:
        """For each topic (its texts, one per call; a call's questions separated by newlines), its best
        nouns as the callers wrote them most often (lower case), best first: twice ``words_per_label`` of
        them, the rest are candidates for the phrase. ``groups`` gives each topic's group; topics of one
        group support each other's nouns. ``cities`` gives each topic's city: a noun is weighed against
        the other topics of its city and the ``background`` (articles, answered questions), so a matter
        called in every city keeps its name in each."""
        groups = list(groups) if groups is not None else list(range(len(topics)))
        cities = list(cities) if cities is not None else [""] * len(topics)
        every_text = [t for texts in topics for t in texts]
        settings = self.settings(every_text)
        counts, surfaces = self._count_nouns(topics, settings)
        frequency = _DocumentFrequency(self._stemmer, background)
        for city, texts in zip(cities, topics, strict=True):
            frequency.add(city, [q for text in texts for q in _questions(text)])
        in_group: dict[int, Counter[str]] = {}
        for group, count in zip(groups, counts, strict=True):
            in_group.setdefault(group, Counter()).update(count.asked + count.opened)
        labels = []
        for group, city, count in zip(groups, cities, counts, strict=True):

            def rank(
                key: str, count: _NounCounts = count, group: int = group, city: str = city
            ) -> tuple[bool, float, int, str]:
                support = count.support(key) + GROUP_SUPPORT * (
                    in_group[group][key] - count.asked[key] - count.opened[key]
                )
                beside = key in settings or key in NOT_THE_MATTER
                return (beside, -support * frequency.weight(city, self._stem(key)), -count.asked[key], key)

            ranked = sorted(count.asked, key=rank)
            labels.append([_surface(surfaces[k]) for k in ranked[: self.words_per_label * 2]])
        for index, texts in enumerate(topics):
            if not labels[index]:  # no noun at all: the most frequent content words
                terms = Counter(w for t in texts for w in self.terms(t) if w not in gazetteer_names())
                labels[index] = [w for w, _ in terms.most_common(self.words_per_label * 2)]
        return labels

    def _count_nouns(
        self, topics: Sequence[Sequence[str]], settings: set[str]
    ) -> tuple[list[_NounCounts], dict[str, Counter[str]]]:
        """Per topic, the questions holding each noun and the calls naming it first; and the spellings
        of each noun."""
        every_text = [t for texts in topics for t in texts]
        dropped = self.fragments(every_text) | self.place_names(every_text)
        tagged = {
            question: [n for n in self._nouns(question, every_text) if n.word not in dropped]
            for text in every_text
            for question in _questions(text)
        }
        common_noun = {self._key(n) for nouns in tagged.values() for n in nouns if n.tag != _PROPER_NOUN}
        texts_with: Counter[str] = Counter(
            k for text in every_text for k in {self._key(n) for q in _questions(text) for n in tagged[q]}
        )

        def trusted(token: Token) -> bool:
            key = self._key(token)
            return key in common_noun or token.word in self.vocabulary or texts_with[key] > 1

        counts = []
        surfaces: dict[str, Counter[str]] = {}
        for texts in topics:
            count = _NounCounts()
            for text in texts:
                said: list[str] = []  # the call's nouns in order, those used as a place left out
                for question in _questions(text):
                    nouns = [n for n in tagged[question] if trusted(n)]
                    for noun in nouns:
                        surfaces.setdefault(self._key(noun), Counter())[noun.word] += 1
                    keys = list(dict.fromkeys(self._key(n) for n in nouns))
                    count.asked.update(keys)
                    where = self._places_in(question)
                    said.extend(k for k in keys if k not in where)
                matter = [k for k in said if k not in settings and k not in NOT_THE_MATTER]
                if matter:
                    count.opened[matter[0]] += 1
            counts.append(count)
        return counts, surfaces

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

    def settings(self, texts: Iterable[str]) -> set[str]:
        """Nouns the callers only ever use as the place where something is ("im hinterhof", "am haus"):
        they say where the matter is, so they come after the nouns that say what it is."""
        inside: Counter[str] = Counter()
        every: Counter[str] = Counter()
        for text in texts:
            for phrase in self._tagger.phrases(text):
                every.update(self._key(t) for t in phrase if t.noun)
                inside.update(
                    self._key(noun) for start, _, noun in _prepositional_phrases(phrase) if _of_place(phrase, start)
                )
        return {key for key, n in inside.items() if n == every[key]}

    def _places_in(self, text: str) -> set[str]:
        """The nouns a text uses as a place ("bei uns vorm haus")."""
        return {
            self._key(noun)
            for phrase in self._tagger.phrases(text)
            for start, _, noun in _prepositional_phrases(phrase)
            if _of_place(phrase, start)
        }

    def matter_nouns(self, text: str) -> list[str]:
        """The lemmas of the nouns of a text that may name a matter, in order ("ratte", "hinterhof")."""
        places = self.place_names([text])
        return [self._key(n) for n in self._nouns(text) if n.word not in places]

    def names_a_matter(self, text: str) -> bool:
        """True when the text holds a noun that may name a matter; greetings, thanks and follow-ups
        like "und wie lange dauert dat" hold none."""
        places = self.place_names([text])
        return any(n.word not in places for n in self._nouns(text))

    def place_names(self, texts: Iterable[str]) -> set[str]:
        """Words spoken as a place ("in meiderich", "nach hamborn"): a noun right after "in", "nach" or
        "aus" without an article. A district is where the caller lives, not what the call is about."""
        places: set[str] = set()
        for text in texts:
            for phrase in self._tagger.phrases(text):
                for before, token in itertools.pairwise(phrase):
                    if before.word in _PLACE_NAME_PREPOSITIONS and token.noun:
                        places.add(token.word)
        return places

    def label_phrase(self, texts: Sequence[str], words: Sequence[str]) -> str:
        """A short German phrase naming the topic: its best noun (``words[0]``, from
        ``characteristic_words``), with what the callers want done with it or another of its nouns where
        the texts join them."""
        if not words:
            return ""
        head = words[0]
        keys = self._keys_of(texts, words)
        together, modifiers = self._modifiers(texts, keys)
        actions = self._actions(texts, keys[0])
        if actions:
            return f"{_capitalized(head)} {min(actions, key=lambda a: (-actions[a], len(a), a))}"
        if together:
            return _best(together)
        if modifiers:
            return f"{_capitalized(head)} {_best(modifiers)}"
        if len(words) > 1:
            share = sum(1 for text in texts if words[1] in _TOKEN.findall(text.lower())) / max(1, len(texts))
            if len(texts) > 1 and share >= _AND_MIN_SHARE:
                return f"{_capitalized(head)} und {_capitalized(words[1])}"
        return _capitalized(head)

    def naming_question(self, questions: Sequence[str], label: str, words: Sequence[str]) -> str | None:
        """Of a topic's questions (best first), the first that says most of what its label says: the
        label's words, then the topic's other characteristic nouns (a compound counts for the word it
        holds, "baumschutz" for "baum"); None when no question holds a word of the label."""
        said = [w.lower() for w in _TOKEN.findall(label.lower()) if w not in _PREPOSITIONS and w not in _ARTICLES]
        others = [w for w in words[: self.words_per_label] if w not in said]

        def holds(tokens: list[str], word: str) -> bool:
            return any(t == word or (len(word) >= 4 and word in t) for t in tokens)

        best: tuple[int, int] = (0, 0)
        chosen = None
        for question in questions:
            tokens = _TOKEN.findall(question.lower())
            found = (sum(holds(tokens, w) for w in said), sum(holds(tokens, w) for w in others))
            if found[0] and found > best:
                best, chosen = found, question
        return chosen

    def _actions(self, texts: Sequence[str], key: str) -> Counter[str]:
        """What the callers want done with the best noun: a full verb in the infinitive that follows it
        in a phrase ("nen baum umhauen" -> "umhauen"), with at most a prepositional phrase or a few
        words between and no other noun; light verbs ("holen", "machen") say nothing."""
        found: Counter[str] = Counter()
        for phrase in (p for text in texts for p in self._tagger.phrases(text)):
            nouns = self._phrase_nouns(phrase, texts)
            for start, token in enumerate(phrase):
                if not (nouns[start] and self._key(token) == key) or _in_prepositional_phrase(phrase, start):
                    continue  # "in der bibliothek anmelden": the noun is not what is acted on
                for index in range(start + 1, min(len(phrase), start + 1 + _ACTION_REACH)):
                    word = phrase[index]
                    if word.tag == "VV(INF)":
                        lemma = word.lemma.lower()
                        light = {word.word, lemma} & (self.stopwords | NOT_THE_MATTER)
                        if not light and len(word.word) > 3:
                            found[word.word] += 1
                        break
                    inside_place = index > 0 and (
                        phrase[index - 1].word in _PREPOSITIONS or phrase[index - 1].word in _ARTICLES
                    )
                    if word.tag.startswith(_CLAUSE_TAGS) or (nouns[index] and not inside_place):
                        break  # another verb, a new clause ("weil ich wieder arbeiten geh") or another noun
        return found

    def _modifiers(
        self, texts: Sequence[str], keys: Sequence[str]
    ) -> tuple[Counter[tuple[int, str]], Counter[tuple[int, str]]]:
        """Phrases of the best noun (``keys[0]``) joined to another by a preposition, and prepositional
        phrases of place of the other nouns close to the best noun ("im hof laufen ratten"; not the
        caller's district at the other end of the sentence); each with the rank of the other noun."""
        # Not a noun that starts like the best one ("Gullideckel aus dem Gully", "Ratte an der Rattenfalle").
        others = {key: rank for rank, key in enumerate(keys[1:], start=1) if key[:4] != keys[0][:4]}
        together: Counter[tuple[int, str]] = Counter()
        modifiers: Counter[tuple[int, str]] = Counter()
        places = self.place_names(texts)
        for phrase in (p for text in texts for p in self._tagger.phrases(text)):
            for start, end, noun in _prepositional_phrases(phrase):
                usable = self._candidate(noun) and noun.word not in places
                rank = others.get(self._key(noun)) if usable else None
                modifier = _display_phrase(phrase[start:end])
                before = phrase[start - 1] if start > 0 else None
                if rank is None and before is not None and self._key(noun) == keys[0] and before.noun:
                    rank = others.get(self._key(before))
                    if rank is not None:  # "ausweis von der bibliothek", the best noun last
                        together[(rank, f"{_capitalized(before.word)} {modifier}")] += 1
                    continue
                if rank is None:
                    continue
                if _of_place(phrase, start) and noun.tag != _PROPER_NOUN and _near(phrase, start, end, keys[0]):
                    modifiers[(rank, modifier)] += 1
                if before is not None and before.noun and self._key(before) == keys[0]:
                    together[(rank, f"{_capitalized(before.word)} {modifier}")] += 1
        return together, modifiers

    def _phrase_nouns(self, phrase: Sequence[Token], texts: Sequence[str]) -> list[bool]:
        """Which words of a phrase are nouns, a word tagged a common noun elsewhere in the texts too."""
        known = self._common_nouns(tuple(texts))
        return [t.noun or t.word in known for t in phrase]

    def _keys_of(self, texts: Sequence[str], words: Sequence[str]) -> list[str]:
        """The lemma key of each label word, as tagged in the texts."""
        keys = {n.word: self._key(n) for text in texts for n in self._nouns(text)}
        return [keys.get(w, w) for w in words]


def _questions(text: str) -> list[str]:
    """The questions of one call's text (one per line)."""
    return [q for q in text.split("\n") if q.strip()] or [text]


def _prepositional_phrases(phrase: list[Token]) -> Iterable[tuple[int, int, Token]]:
    """(start, end, noun) of each "preposition [article] noun" in a phrase."""
    for start, token in enumerate(phrase):
        if token.word not in _PREPOSITIONS:
            continue
        end = start + 1
        if end < len(phrase) and phrase[end].word in _ARTICLES and not phrase[end].noun:
            end += 1
        if end < len(phrase) and phrase[end].noun:
            yield start, end + 1, phrase[end]


def _in_prepositional_phrase(phrase: list[Token], index: int) -> bool:
    """True when ``phrase[index]`` follows a preposition, with or without an article between."""
    before = [t.word for t in phrase[max(0, index - 2) : index]]
    return bool(before) and (
        before[-1] in _PREPOSITIONS or (len(before) == 2 and before[-1] in _ARTICLES and before[0] in _PREPOSITIONS)
    )


def _near(phrase: list[Token], start: int, end: int, key: str) -> bool:
    """True when the best noun (lemma ``key``) is within ``_PLACE_REACH`` words of ``phrase[start:end]``."""
    return any(
        t.lemma.lower() == key or t.word == key
        for t in phrase[max(0, start - _PLACE_REACH) : start] + phrase[end : end + _PLACE_REACH]
    )


def _of_place(phrase: list[Token], start: int) -> bool:
    """True when the prepositional phrase at ``start`` says where (not where to: "in die bibliothek")."""
    following = phrase[start + 1].word if start + 1 < len(phrase) else ""
    return phrase[start].word in _PLACE_PREPOSITIONS and following not in _DIRECTION_ARTICLES


def _display_phrase(tokens: Sequence[Token]) -> str:
    words = [_ARTICLES.get(t.word, t.word) for t in tokens[:-1]]
    return " ".join([*words, _capitalized(tokens[-1].word)])


def _best(phrases: Counter[tuple[int, str]]) -> str:
    """The phrase with the best-ranked noun, then the most frequent, then the shortest."""
    return min(phrases, key=lambda p: (p[0], -phrases[p], len(p[1]), p[1]))[1]


def _compound_of(compound: str, part: str) -> bool:
    """True when ``compound`` is a compound word made with ``part`` ("baumschutz", "baum")."""
    return len(part) >= 4 and len(compound) > len(part) + 2 and (compound.startswith(part) or compound.endswith(part))


def _capitalized(word: str) -> str:
    return word[:1].upper() + word[1:]


def _surface(forms: Counter[str]) -> str:
    """The most frequent spelling of a noun (the shorter one on a tie)."""
    return min(forms, key=lambda f: (-forms[f], len(f), f))
