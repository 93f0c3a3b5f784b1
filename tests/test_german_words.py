"""The German word lists: each word in one group, each use a union of groups."""

from __future__ import annotations

import pytest

from corpus import german_words
from corpus.german_words import (
    CONVERSATION_WORDS,
    FILLER_WORDS,
    NOT_A_TOPIC,
    NOT_IN_NAMES,
    NOT_THE_MATTER,
    STOPWORDS,
)

pytestmark = pytest.mark.unit

_USES = {"STOPWORDS", "CONVERSATION_WORDS", "FILLER_WORDS", "NOT_IN_NAMES", "NOT_A_TOPIC", "NOT_THE_MATTER"}


def _groups() -> dict[str, frozenset[str]]:
    return {
        name: value
        for name, value in vars(german_words).items()
        if name.isupper() and name not in _USES and isinstance(value, frozenset)
    }


def test_every_word_is_written_in_one_group_only() -> None:
    seen: dict[str, str] = {}
    for name, group in _groups().items():
        for word in group:
            assert word not in seen, f"{word!r} is in {seen.get(word)} and {name}"
            seen[word] = name
    assert set(seen) == STOPWORDS | CONVERSATION_WORDS | FILLER_WORDS | NOT_IN_NAMES | NOT_A_TOPIC | NOT_THE_MATTER


def test_uses_keep_their_distinctive_words() -> None:
    assert {"äh", "der", "wat"} <= STOPWORDS and "sperrmüll" not in STOPWORDS
    assert {"frage", "tschüss", "dankeschön"} <= CONVERSATION_WORDS and "hund" not in CONVERSATION_WORDS
    assert {"brauche", "irgendwas"} <= FILLER_WORDS and "ratte" not in FILLER_WORDS
    assert {"herr", "duisburg", "und"} <= NOT_IN_NAMES and "müller" not in NOT_IN_NAMES
    assert all(w == w.lower() for w in STOPWORDS | CONVERSATION_WORDS | FILLER_WORDS | NOT_IN_NAMES)
