"""Answer examples: a knowledge folder's questions with the sentences that answered them, read and checked
with the articles, used by the answer extractor, and exported from labeled calls of one split only."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.index_reload import IndexWatcher
from assistant.live.utterance_analysis import content_words
from assistant.settings import Settings
from assistant.wiring import build_call_service
from corpus.answer_examples import ANSWER_EXAMPLES_FILE, AnswerExample, same_passage_text
from corpus.errors import CorpusValidationError
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from corpus.models import Passage
from corpus.passages import PassageSplitter
from embeddings.encoders.encoder import Vectors
from embeddings.index.text_analysis import make_analyzer
from embeddings.retrieval.retriever import Retriever
from eval.answer_examples_export import export_answer_examples
from tests.api_support import api_settings
from tests.helpers import write_lines

pytestmark = pytest.mark.unit

ASKED_BEFORE = "an wen muss ich mich da wenden wenn ich nich weiterkomm"
ANSWERED_BY = "Das zuständige Amt der Stadt hilft weiter."


def _write_examples(folder: Path, *lines: object) -> None:
    write_lines(folder / ANSWER_EXAMPLES_FILE, *lines)


def _example(article: str = "duisburg/personalausweis", **changes: object) -> dict[str, object]:
    return {"article": article, "question": ASKED_BEFORE, "sentences": [ANSWERED_BY], **changes}


def test_a_folder_without_examples_has_none(knowledge_base: KnowledgeBase) -> None:
    assert knowledge_base.answer_examples == ()


def test_examples_are_read_with_the_articles(knowledge_dir: Path) -> None:
    written = _example(question="wo muss ich da hin", by="editor")
    asked = _example(by="caller")
    other = _example("bottrop/sperrmuell", question="  wer  hilft  ")
    _write_examples(knowledge_dir, _example(), "", other, written, asked)
    examples = load_knowledge_base(knowledge_dir).answer_examples
    assert examples == (
        AnswerExample("duisburg/personalausweis", ASKED_BEFORE, (ANSWERED_BY,)),
        AnswerExample("bottrop/sperrmuell", "wer hilft", (ANSWERED_BY,)),
        AnswerExample("duisburg/personalausweis", "wo muss ich da hin", (ANSWERED_BY,), by_editor=True),
        AnswerExample("duisburg/personalausweis", ASKED_BEFORE, (ANSWERED_BY,)),
    )


def test_each_bad_example_line_is_named_with_its_field(knowledge_dir: Path) -> None:
    _write_examples(
        knowledge_dir,
        _example(),
        "{not json",
        '["a list"]',
        _example("duisburg/reisepass"),
        _example(question=" "),
        _example(sentences=[]),
        _example(sentences=["Diesen Satz gibt es im Artikel nicht."]),
        {"question": ASKED_BEFORE, "sentences": [ANSWERED_BY]},
        _example(by="agent"),
    )
    with pytest.raises(CorpusValidationError) as raised:
        load_knowledge_base(knowledge_dir)
    where = {(issue.path.name, issue.line, issue.field) for issue in raised.value.issues}
    assert where == {
        (ANSWER_EXAMPLES_FILE, 2, "line"),
        (ANSWER_EXAMPLES_FILE, 3, "line"),
        (ANSWER_EXAMPLES_FILE, 4, "article"),
        (ANSWER_EXAMPLES_FILE, 5, "question"),
        (ANSWER_EXAMPLES_FILE, 6, "sentences"),
        (ANSWER_EXAMPLES_FILE, 7, "sentences"),
        (ANSWER_EXAMPLES_FILE, 8, "article"),
        (ANSWER_EXAMPLES_FILE, 9, "by"),
    }
    message = str(raised.value)
    assert "must be one of 'caller', 'editor', not 'agent'" in message
    assert "no article has the id 'duisburg/reisepass'" in message
    assert "is not in the text of 'duisburg/personalausweis'" in message


def _highlight(kb: KnowledgeBase, article: str, question: str, examples: tuple[AnswerExample, ...] = ()) -> str:
    passages = [p for a in kb.articles.values() for p in PassageSplitter().split(a)]
    extractor = AnswerExtractor(make_analyzer("char4"), passages, examples)
    sections = [p for p in passages if p.article_id == article and p.kind == "section"]
    return extractor.extract(question, sections[0], sections).answer


def test_a_question_like_an_example_highlights_the_sentence_that_answered_it(knowledge_base: KnowledgeBase) -> None:
    asked = "an wen wend ich mich denn da"
    article = "duisburg/personalausweis"
    assert not same_passage_text(_highlight(knowledge_base, article, asked), ANSWERED_BY)
    remembered = (AnswerExample(article, ASKED_BEFORE, (ANSWERED_BY,)),)
    assert same_passage_text(_highlight(knowledge_base, article, asked, remembered), ANSWERED_BY)
    # Only for that article: the same example about another article, or the other city's, changes nothing.
    for elsewhere in ("duisburg/sperrmuell", "bottrop/personalausweis"):
        other = (AnswerExample(elsewhere, ASKED_BEFORE, (ANSWERED_BY,)),)
        assert _highlight(knowledge_base, article, asked, other) == _highlight(knowledge_base, article, asked)
    # A question unlike the example keeps the sentence its own words find.
    fees = "und was kostet mich das passfoto"
    assert _highlight(knowledge_base, article, fees, remembered) == _highlight(knowledge_base, article, fees)
    # A question an editor wrote for the sentence lifts it the same way.
    written = (AnswerExample(article, ASKED_BEFORE, (ANSWERED_BY,), by_editor=True),)
    assert same_passage_text(_highlight(knowledge_base, article, asked, written), ANSWERED_BY)


def test_the_setting_switches_the_examples_off(knowledge_dir: Path) -> None:
    _write_examples(knowledge_dir, _example())
    kb = load_knowledge_base(knowledge_dir)
    assert Settings().suggestions.examples_of(kb) == kb.answer_examples != ()
    assert Settings(suggestions={"answer_examples": False}).suggestions.examples_of(kb) == ()


def test_export_writes_one_split_merged_and_redacted(knowledge_dir: Path, tmp_path: Path) -> None:
    kb = load_knowledge_base(knowledge_dir)
    question = "müller hier, an wen muss ich mich wenden, meine nummer ist 0170 1234567"
    base = {"turn": 3, "article_id": "duisburg/personalausweis", "question": question}
    labels = tmp_path / "labels.jsonl"
    rows = [
        {**base, "split": "tune", "call_id": "duisburg-t01", "sentences": [ANSWERED_BY]},
        {**base, "split": "tune", "call_id": "duisburg-t01", "labeler": "second", "sentences": ["Gilt in Duisburg."]},
        {**base, "split": "test", "call_id": "duisburg-t02", "sentences": [ANSWERED_BY]},
        {**base, "split": "tune", "call_id": "duisburg-t03", "sentences": ["Nicht im Artikel."]},
        {**base, "split": "tune", "call_id": "duisburg-t04", "answerable": False, "sentences": []},
    ]
    labels.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = knowledge_dir / ANSWER_EXAMPLES_FILE
    count = export_answer_examples([labels], kb, out)
    assert (count.examples, count.other_split, count.sentences_not_in_article) == (1, 1, 1)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [w["sentences"] for w in written] == [[ANSWERED_BY, "Gilt in Duisburg."]]
    assert "0170" not in written[0]["question"] and "an wen muss ich mich wenden" in written[0]["question"]
    assert load_knowledge_base(knowledge_dir).answer_examples[0].sentences == (ANSWERED_BY, "Gilt in Duisburg.")


def test_changed_answer_examples_are_used_without_a_restart(knowledge_dir: Path, tmp_path: Path) -> None:
    # The fake encoder's vectors carry no meaning: the sentences' likeness by meaning would pick by chance.
    settings = api_settings(knowledge_dir, tmp_path / "data", suggestions={"sentence_meaning": False})
    service = build_call_service(settings)
    watcher = IndexWatcher(settings, service)
    question = "personalausweis an wen wend ich mich denn da"

    def answer() -> str:
        hits = service.search(question, "duisburg").suggestions
        assert hits[0].article_id == "duisburg/personalausweis"
        return hits[0].answer

    try:
        before = answer()
        assert not same_passage_text(before, ANSWERED_BY) and not watcher.check()
        _write_examples(knowledge_dir, _example(question="zum personalausweis: an wen muss ich mich da wenden"))
        assert watcher.check() and same_passage_text(answer(), ANSWERED_BY)
        assert watcher.reloads == 0  # the index stayed
        _write_examples(knowledge_dir, _example("duisburg/reisepass"))  # an error: the examples in use stay
        assert not watcher.check() and same_passage_text(answer(), ANSWERED_BY)
        (knowledge_dir / ANSWER_EXAMPLES_FILE).unlink()
        assert watcher.check() and answer() == before
    finally:
        service.close()


def test_export_names_a_label_line_without_its_split_or_question(knowledge_dir: Path, tmp_path: Path) -> None:
    kb = load_knowledge_base(knowledge_dir)
    labels = tmp_path / "labels.jsonl"
    line = {"call_id": "duisburg-t01", "turn": 3, "article_id": "duisburg/personalausweis", "sentences": [ANSWERED_BY]}
    labels.write_text(json.dumps({**line, "split": "tune", "question": "an wen"}) + "\n" + json.dumps(line) + "\n")
    with pytest.raises(ValueError, match=r"labels\.jsonl:2: needs call_id, turn, article_id, split, question"):
        export_answer_examples([labels], kb, tmp_path / "out.jsonl")


class _Meanings:
    """A retriever's ``query_vectors`` with chosen vectors: each text's vector from ``vectors`` (a text not
    there gets one unlike all), recording every request with whether it went through the query cache."""

    def __init__(self, vectors: dict[str, list[float]]) -> None:
        self.vectors = vectors
        self.requests: list[tuple[list[str], bool]] = []

    def query_vectors(self, queries: Sequence[str], cached: bool = True) -> list[Vectors]:
        self.requests.append((list(queries), cached))
        return [np.asarray(self.vectors.get(q, _axis(DIMENSION - 2)), dtype=np.float32) for q in queries]


DIMENSION = 32
# Said in other words than ASKED_BEFORE, but its content words mean what ASKED_BEFORE's mean.
SAME_MEANING = "und bei sowas hab ich echt null plan"
UNRELATED = [
    f"wohin mit dem {thing}"
    for thing in (
        "kleiderschrank",
        "matratzen",
        "kühlschrank",
        "teppichboden",
        "fahrradrahmen",
        "waschmaschine",
        "fernseher",
        "bücherregal",
        "bettgestell",
        "kinderwagen",
        "gartenmöbeln",
        "schreibtisch",
    )
]


def _axis(n: int, tilt: float = 0.0) -> list[float]:
    vector = [0.0] * DIMENSION
    vector[n] = 1.0
    vector[n + 1] = tilt
    return vector


def _content(question: str) -> str:
    return " ".join(content_words(question))


def _meaning_extractor(
    kb: KnowledgeBase, share: float, unrelated: int = 10
) -> tuple[AnswerExtractor, _Meanings, list[Passage]]:
    """An extractor whose examples are ASKED_BEFORE about the Duisburg ID card and ``unrelated`` questions
    about bulky waste that each mean something else (orthogonal vectors), the meanings, and the ID card
    article's sections."""
    passages = [p for a in kb.articles.values() for p in PassageSplitter().split(a)]
    meanings = _Meanings(
        {
            _content(ASKED_BEFORE): _axis(0),
            _content(SAME_MEANING): _axis(0, tilt=0.2),
            **{_content(q): _axis(2 + n) for n, q in enumerate(UNRELATED)},
        }
    )
    examples = [
        AnswerExample(ARTICLE, ASKED_BEFORE, (ANSWERED_BY,)),
        *(AnswerExample("duisburg/sperrmuell", q, (ANSWERED_BY,)) for q in UNRELATED[:unrelated]),
    ]
    extractor = AnswerExtractor(make_analyzer("char4"), passages, examples, cast(Retriever, meanings), share)
    return extractor, meanings, [p for p in passages if p.article_id == ARTICLE and p.kind == "section"]


ARTICLE = "duisburg/personalausweis"


def test_a_question_that_means_what_an_example_asked_highlights_its_sentence(knowledge_base: KnowledgeBase) -> None:
    words_alone, _, sections = _meaning_extractor(knowledge_base, 0.0)
    assert not same_passage_text(words_alone.extract(SAME_MEANING, sections[0], sections).answer, ANSWERED_BY)
    with_meaning, meanings, _ = _meaning_extractor(knowledge_base, 0.5)
    assert same_passage_text(with_meaning.extract(SAME_MEANING, sections[0], sections).answer, ANSWERED_BY)
    # The examples' questions are embedded once, past the query cache; the caller's question
    # through it (the turn's search has usually embedded the same content words).
    asked = [_content(q) for q in (ASKED_BEFORE, *UNRELATED[:10])]
    assert meanings.requests == [(asked, False), ([_content(SAME_MEANING)], True)]
    # A question that means something else keeps what its words find.
    unlike = "und was kostet mich das passfoto"
    assert with_meaning.extract(unlike, sections[0], sections) == words_alone.extract(unlike, sections[0], sections)


def test_too_few_examples_to_tell_unrelated_questions_use_words_alone(knowledge_base: KnowledgeBase) -> None:
    few, meanings, sections = _meaning_extractor(knowledge_base, 0.5, unrelated=8)
    assert not same_passage_text(few.extract(SAME_MEANING, sections[0], sections).answer, ANSWERED_BY)
    assert [cached for _, cached in meanings.requests] == [False]  # the caller's question is not embedded


def test_new_examples_embed_only_the_questions_not_embedded_before(knowledge_base: KnowledgeBase) -> None:
    extractor, meanings, sections = _meaning_extractor(knowledge_base, 0.5)
    meanings.requests.clear()
    more = extractor.with_examples(
        [AnswerExample("duisburg/sperrmuell", q, (ANSWERED_BY,)) for q in UNRELATED]
        + [AnswerExample(ARTICLE, ASKED_BEFORE, (ANSWERED_BY,))]
    )
    assert meanings.requests == [([_content(q) for q in UNRELATED[10:]], False)]
    more.remember(AnswerExample(ARTICLE, "und wer stempelt mir das", (ANSWERED_BY,)))
    assert meanings.requests[-1] == (["stempelt"], False)
    assert same_passage_text(more.extract(SAME_MEANING, sections[0], sections).answer, ANSWERED_BY)


def test_the_service_embeds_the_examples_questions_unless_meaning_is_switched_off(
    knowledge_dir: Path, tmp_path: Path
) -> None:
    _write_examples(knowledge_dir, *(_example(question=q) for q in UNRELATED))
    for share in (0.5, 0.0):
        settings = api_settings(knowledge_dir, tmp_path / "data", suggestions={"example_meaning": share})
        service = build_call_service(settings)
        watcher = IndexWatcher(settings, service)
        try:
            assert service.engine.extractor.uses_meaning is (share > 0)
            _write_examples(knowledge_dir, *(_example(question=q) for q in [*UNRELATED, SAME_MEANING]))
            assert watcher.check() and service.engine.extractor.uses_meaning is (share > 0)  # a reload keeps it
            _write_examples(knowledge_dir, *(_example(question=q) for q in UNRELATED))
        finally:
            service.close()


def test_a_search_embeds_its_query_and_the_words_its_cards_compare_by_meaning_in_one_request(
    knowledge_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_examples(knowledge_dir, *(_example(question=q) for q in UNRELATED))
    service = build_call_service(api_settings(knowledge_dir, tmp_path / "data"))
    encoder = service.retriever.encoder
    requests: list[list[str]] = []
    embed = encoder.encode_queries

    def counted(texts: Sequence[str]) -> Vectors:
        requests.append(list(texts))
        return embed(texts)

    try:
        monkeypatch.setattr(encoder, "encode_queries", counted)
        query = "personalausweis an wen wend ich mich denn da"
        assert service.search(query, "duisburg").suggestions
        assert requests == [[query, _content(query)]]
    finally:
        service.close()
