"""Answer examples: a knowledge folder's questions with the sentences that answered them, read and checked
with the articles, used by the answer extractor, and exported from labeled calls of one split only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.index_reload import IndexWatcher
from assistant.settings import Settings
from assistant.wiring import build_call_service
from corpus.answer_examples import ANSWER_EXAMPLES_FILE, AnswerExample, same_passage_text
from corpus.errors import CorpusValidationError
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from corpus.passages import PassageSplitter
from embeddings.index.text_analysis import make_analyzer
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
    _write_examples(knowledge_dir, _example(), "", _example("bottrop/sperrmuell", question="  wer  hilft  "))
    examples = load_knowledge_base(knowledge_dir).answer_examples
    assert examples == (
        AnswerExample("duisburg/personalausweis", ASKED_BEFORE, (ANSWERED_BY,)),
        AnswerExample("bottrop/sperrmuell", "wer hilft", (ANSWERED_BY,)),
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
    }
    message = str(raised.value)
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
    settings = api_settings(knowledge_dir, tmp_path / "data")
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
