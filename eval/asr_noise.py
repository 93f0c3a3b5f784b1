"""Simulated speech-recognition noise for labeled queries: what a German ASR transcript does to a question.

The transform is deterministic: the same seed, level and query id always give the same text, and one
query's noise does not depend on the other queries in the file. Each operation fires with probability
``level * rate`` (capped at 1), per query (lower case, punctuation) or per place it applies to (words,
compounds, gaps between words); level 0 leaves every text unchanged.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from eval.json_lines import json_lines, problem_list
from eval.queries import LabeledQuery

# Misheard or colloquially transcribed forms. Keys are lower-case word sequences; the transform
# replaces a whole match. Pairs that sound alike map both ways; colloquial contractions one way.
_SOUND_ALIKE_PAIRS = (
    ("mal", "mahl"),
    ("seit", "seid"),
    ("wieder", "wider"),
    ("das", "dass"),
    ("war", "wahr"),
    ("viel", "fiel"),
    ("statt", "stadt"),
    ("wen", "wenn"),
    ("den", "denn"),
    ("man", "mann"),
    ("ihn", "in"),
    ("bis", "biss"),
    ("tot", "tod"),
    ("rat", "rad"),
    ("mehr", "meer"),
    ("weiß", "weis"),
    ("ende", "ente"),
    ("leeren", "lehren"),
)
_COLLOQUIAL = {
    "ist": "is",
    "nicht": "nich",
    "haben wir": "hamwa",
    "haben sie": "hamse",
    "können sie": "könnse",
    "gibt es": "gibts",
    "ich habe": "ich hab",
    "eine": "ne",
    "einen": "nen",
    "so eine": "sone",
}
HOMOPHONES: dict[str, str] = {
    **{a: b for a, b in _SOUND_ALIKE_PAIRS},
    **{b: a for a, b in _SOUND_ALIKE_PAIRS},
    **_COLLOQUIAL,
}

# Heads of German compounds frequent in municipal questions. A compound is split before the longest
# head it ends with, when at least ``MIN_COMPOUND_LEFT`` letters stay on the left ("geburts urkunde").
COMPOUND_HEADS = (
    "abholung",
    "amt",
    "anmeldung",
    "antrag",
    "ausweis",
    "behörde",
    "beitrag",
    "bescheid",
    "bescheinigung",
    "buch",
    "büro",
    "erlaubnis",
    "fahrzeug",
    "förderung",
    "gebühr",
    "gebühren",
    "geld",
    "genehmigung",
    "gericht",
    "haus",
    "hilfe",
    "karte",
    "kasse",
    "kennzeichen",
    "marke",
    "meldung",
    "müll",
    "nummer",
    "pass",
    "platz",
    "recht",
    "schein",
    "schutz",
    "stelle",
    "steuer",
    "tonne",
    "termin",
    "urkunde",
    "vertrag",
    "versicherung",
    "wagen",
    "wohnung",
    "zeit",
    "zeugnis",
    "zulassung",
)
MIN_COMPOUND_LEFT = 4
SHORT_WORD = 3
MAX_MERGED_LENGTH = 18
_APOSTROPHES = re.compile(r"['’`´]")
_PUNCTUATION = re.compile(r"[^\w\s]")
_WORD = re.compile(r"^[^\W\d_]+$")


class NoiseFileError(ValueError):
    """A query file the noise transform cannot read; the message names every bad line."""


@dataclass(frozen=True)
class NoiseRates:
    """Probability of each operation at level 1.0; the level scales them all."""

    lowercase: float = 1.0
    strip_punctuation: float = 1.0
    homophone: float = 0.5
    split_compound: float = 0.6
    merge_words: float = 0.06
    drop_short_word: float = 0.2


@dataclass(frozen=True)
class NoisyText:
    text: str
    operations: list[str] = field(default_factory=list)


class AsrNoise:
    """Deterministic, seeded ASR-like corruption of query texts."""

    def __init__(self, level: float, seed: int = 0, rates: NoiseRates | None = None) -> None:
        if not 0.0 <= level <= 1.0:
            raise ValueError(f"noise level must be between 0 and 1, not {level}")
        self.level = level
        self.seed = seed
        self.rates = rates or NoiseRates()

    def _p(self, rate: float) -> float:
        return min(1.0, self.level * rate)

    def apply(self, text: str, key: str) -> NoisyText:
        """The noisy form of ``text``; ``key`` (the query id) picks this query's random stream."""
        if self.level == 0.0:
            return NoisyText(text)
        rng = random.Random(f"asr-noise|{self.seed}|{key}")
        done: list[str] = []
        current = text
        if rng.random() < self._p(self.rates.lowercase) and current != current.lower():
            current = current.lower()
            done.append("lowercase")
        if rng.random() < self._p(self.rates.strip_punctuation) and _PUNCTUATION.search(current):
            current = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", current))
            done.append("strip_punctuation")
        words = current.split()
        for name, step in (
            ("homophone", self._homophones),
            ("split_compound", self._split_compounds),
            ("merge_words", self._merge_words),
            ("drop_short_word", self._drop_short_words),
        ):
            changed = step(words, rng)
            if changed != words:
                done.append(name)
            words = changed
        noisy = " ".join(words)
        return NoisyText(noisy if noisy.strip() else text, done)

    def _homophones(self, words: list[str], rng: random.Random) -> list[str]:
        p = self._p(self.rates.homophone)
        out: list[str] = []
        i = 0
        while i < len(words):
            pair = " ".join(words[i : i + 2]).lower() if i + 1 < len(words) else ""
            if pair in HOMOPHONES and rng.random() < p:
                out.extend(HOMOPHONES[pair].split())
                i += 2
                continue
            word = words[i]
            if word.lower() in HOMOPHONES and rng.random() < p:
                out.extend(HOMOPHONES[word.lower()].split())
            else:
                out.append(word)
            i += 1
        return out

    def _split_compounds(self, words: list[str], rng: random.Random) -> list[str]:
        p = self._p(self.rates.split_compound)
        out: list[str] = []
        for word in words:
            joint = compound_joint(word)
            if joint is not None and rng.random() < p:
                out.extend([word[:joint], word[joint:]])
            else:
                out.append(word)
        return out

    def _merge_words(self, words: list[str], rng: random.Random) -> list[str]:
        p = self._p(self.rates.merge_words)
        out: list[str] = []
        for word in words:
            if (
                out
                and _WORD.match(out[-1])
                and _WORD.match(word)
                and len(out[-1]) + len(word) <= MAX_MERGED_LENGTH
                and rng.random() < p
            ):
                out[-1] = out[-1] + word
            else:
                out.append(word)
        return out

    def _drop_short_words(self, words: list[str], rng: random.Random) -> list[str]:
        p = self._p(self.rates.drop_short_word)
        kept = [w for w in words if not (len(w) <= SHORT_WORD and _WORD.match(w) and rng.random() < p)]
        return kept or words


def compound_joint(word: str) -> int | None:
    """Where a compound splits: before the longest known head it ends with, or ``None``."""
    lower = word.lower()
    if not _WORD.match(lower):
        return None
    for head in sorted(COMPOUND_HEADS, key=len, reverse=True):
        if lower.endswith(head) and len(lower) - len(head) >= MIN_COMPOUND_LEFT:
            return len(word) - len(head)
    return None


def noisy_queries(queries: Sequence[LabeledQuery], noise: AsrNoise) -> list[LabeledQuery]:
    """The same queries (ids, cities, labels) with noisy texts."""
    return [replace(q, text=noise.apply(q.text, q.id).text) for q in queries]


TEXT_FIELDS = ("text", "query")
ID_FIELDS = ("id", "qid")


def _rows(path: Path) -> list[dict[str, object]]:
    problems: list[str] = []
    rows: list[dict[str, object]] = []
    for number, row in json_lines(path, problems):
        if not isinstance(row, dict):
            problems.append(f"{path}:{number}: expected a JSON object")
            continue
        if not any(isinstance(row.get(f), str) for f in TEXT_FIELDS):
            problems.append(f"{path}:{number}: no text field ({' or '.join(TEXT_FIELDS)})")
        if not any(f in row for f in ID_FIELDS):
            problems.append(f"{path}:{number}: no id field ({' or '.join(ID_FIELDS)})")
        rows.append(row)
    if problems:
        raise NoiseFileError(problem_list("the query file", problems))
    if not rows:
        raise NoiseFileError(f"The query file {path} has no queries")
    return rows


@dataclass(frozen=True)
class NoiseFileReport:
    queries: int
    changed: int
    operations: dict[str, int]


def write_noisy_queries(source: Path, target: Path, noise: AsrNoise) -> NoiseFileReport:
    """Copy a JSONL query file with noisy texts; ids, labels and every other field stay as they are.

    Works on Souffleur's query files (``id``/``text``) and on the benchmark format (``qid``/``query``);
    the original text is kept in ``clean_text``."""
    if not source.is_file():
        raise NoiseFileError(f"No query file at {source}")
    lines: list[str] = []
    counts: dict[str, int] = {}
    changed = 0
    for row in _rows(source):
        text_field = next(f for f in TEXT_FIELDS if isinstance(row.get(f), str))
        key = str(next(row[f] for f in ID_FIELDS if f in row))
        clean = str(row[text_field])
        noisy = noise.apply(clean, key)
        for operation in noisy.operations:
            counts[operation] = counts.get(operation, 0) + 1
        changed += noisy.text != clean
        out = dict(row)
        out[text_field] = noisy.text
        if noisy.text != clean:
            out["clean_text"] = clean
        lines.append(json.dumps(out, ensure_ascii=False))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return NoiseFileReport(queries=len(lines), changed=changed, operations=counts)
