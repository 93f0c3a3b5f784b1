"""The answer extractor works out once per passage which kinds of answer each sentence gives, and remembers
a question's intents by text; both must give what reading the sentences for every question gives."""

from __future__ import annotations

import pytest

from assistant.live.answer_extraction import AnswerExtractor, QuestionIntent, _listed_share, _Prepared
from corpus.knowledge_base import KnowledgeBase
from corpus.passages import PassageSplitter
from embeddings.index.text_analysis import make_analyzer

pytestmark = pytest.mark.unit

QUESTIONS = [
    "was kostet das und wie lange dauert das",
    "wat muss ich mitbringen, brauch ich n foto",
    "kann meine frau das für mich abholen oder muss ich selbst hin",
    "bis wann muss ich das gemacht haben",
    "wo muss ich da hin und habt ihr samstags auf",
    "sperrmüll",
]


def _read_for_each_question(intents: dict[QuestionIntent, float], prepared: list[_Prepared]) -> list[float]:
    """The kinds of answer as the extractor read them before: every sentence, for every question."""
    kinds: list[float] = []
    for passage in prepared:
        intro = ""
        for unit in passage.units:
            if not unit.item:
                intro = ""
            context = f"{passage.heading_text} {intro}"
            read = f"{context} {unit.text}"
            kinds.append(
                sum(
                    weight * _listed_share(intent, unit.item, context)
                    for intent, weight in intents.items()
                    if intent.answers.search(read)
                )
            )
            if not unit.item:
                intro = unit.text
    return kinds


def test_kinds_of_answer_worked_out_once_equal_reading_them_per_question(knowledge_base: KnowledgeBase) -> None:
    passages = [p for a in knowledge_base.articles.values() for p in PassageSplitter().split(a)]
    extractor = AnswerExtractor(make_analyzer("char4"), passages)
    prepared = [extractor._prepared_for(p) for p in passages]
    asked = 0
    for question in QUESTIONS:
        intents = extractor.intents(question)
        asked += bool(intents)
        assert extractor._answers_kind(intents, prepared) == _read_for_each_question(intents, prepared)
    assert asked >= 5
    assert any(any(given) for p in prepared for given in p.kinds_given)


def test_remembered_intents_are_a_fresh_copy_each_time(knowledge_base: KnowledgeBase) -> None:
    passages = [p for a in knowledge_base.articles.values() for p in PassageSplitter().split(a)]
    extractor = AnswerExtractor(make_analyzer("char4"), passages)
    first = extractor.intents("was kostet das")
    assert [i.name for i in first] == ["costs"]
    first.clear()
    assert [i.name for i in extractor.intents("was kostet das")] == ["costs"]
    assert extractor.intents("guten tag") == {}


def test_an_engine_works_out_the_kinds_of_answer_before_its_first_call(knowledge_base: KnowledgeBase) -> None:
    # Round 8: at start (and on an index reload), not at the first card of each passage during calls.
    from types import SimpleNamespace
    from typing import cast

    from assistant.live.suggestion_engine import _answering_parts
    from embeddings.index.passage_index import PassageIndex

    passages = [p for a in knowledge_base.articles.values() for p in PassageSplitter().split(a)]
    analyzer = make_analyzer("char4")
    index = cast(PassageIndex, SimpleNamespace(lexical=SimpleNamespace(analyzer=analyzer), passages=passages))
    extractor, _, _ = _answering_parts(index)
    prepared = list(extractor._prepared.values())
    assert prepared and all("kinds_given" in vars(p) for p in prepared)  # the cached property is filled
    fresh = AnswerExtractor(analyzer, passages)
    assert not any("kinds_given" in vars(p) for p in fresh._prepared.values())  # lazily, without it
    assert [p.kinds_given for p in prepared] == [p.kinds_given for p in fresh._prepared.values()]
