"""Known gaps: a knowledge folder's matters that its articles do not cover, read and checked with the
cities, used by the suggestion engine to show no ``answer`` card for a concern like one of them, changed
without a restart, and exported from the uncovered concerns of labeled calls (never a held-out half)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.index_reload import IndexWatcher
from assistant.live.known_gaps import KnownGaps
from assistant.live.suggestion_engine import CallContext, SuggestionEngine
from assistant.settings import Settings
from assistant.wiring import build_call_service
from corpus.answer_examples import AnswerExample
from corpus.errors import CorpusValidationError
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from corpus.known_gaps import KNOWN_GAPS_FILE, KnownGap
from embeddings.index.text_analysis import make_analyzer
from eval.known_gaps_export import export_known_gaps
from tests.api_support import api_settings
from tests.helpers import write_lines
from tests.test_suggestion_engine import ARTICLES, CONFIDENCE, SCORES, TOPICS, ScriptedRetriever, passage

pytestmark = pytest.mark.unit

# The scripted retriever ranks the dog tax article for any "hund": a dangerous-dog permit is not covered.
ASKED = "mein hund ist ein kampfhund brauch ich da eine erlaubnis für den kampfhund"
KNOWN = "ich hab nen kampfhund und brauch die erlaubnis für den kampfhund wo krieg ich die"


def _write_gaps(folder: Path, *lines: object) -> None:
    write_lines(folder / KNOWN_GAPS_FILE, *lines)


def _engine(gaps: tuple[KnownGap, ...] = (), examples: tuple[AnswerExample, ...] = ()) -> SuggestionEngine:
    passages = [passage(a) for a in ARTICLES]
    extractor = AnswerExtractor(make_analyzer("char4"), passages, examples)
    return SuggestionEngine(
        ScriptedRetriever(SCORES), extractor, None, CONFIDENCE, None, TOPICS, KnownGaps(extractor, gaps)
    )


def _tiers(engine: SuggestionEngine, *turns: str) -> list[tuple[str, str]]:
    context = CallContext("bottrop")
    outcome = None
    for turn in turns:
        outcome = engine.on_utterance(context, "caller", turn)
    assert outcome is not None
    return [(s.article_id, s.tier) for s in outcome.suggestions]


def test_a_folder_without_known_gaps_has_none(knowledge_base: KnowledgeBase) -> None:
    assert knowledge_base.known_gaps == ()


def test_known_gaps_are_read_with_their_city(knowledge_dir: Path) -> None:
    _write_gaps(knowledge_dir, {"question": KNOWN, "city": "bottrop"}, "", {"question": "  elterngeld   beantragen "})
    assert load_knowledge_base(knowledge_dir).known_gaps == (
        KnownGap(KNOWN, "bottrop"),
        KnownGap("elterngeld beantragen", None),
    )


def test_each_bad_known_gap_line_is_named_with_its_field(knowledge_dir: Path) -> None:
    bad_city = {"question": "x", "city": "essen"}
    _write_gaps(knowledge_dir, {"question": KNOWN}, "{not json", "[1]", {"question": " "}, bad_city)
    with pytest.raises(CorpusValidationError) as raised:
        load_knowledge_base(knowledge_dir)
    where = {(issue.path.name, issue.line, issue.field) for issue in raised.value.issues}
    assert where == {(KNOWN_GAPS_FILE, 2, "line"), (KNOWN_GAPS_FILE, 3, "line"), (KNOWN_GAPS_FILE, 4, "question"),
                     (KNOWN_GAPS_FILE, 5, "city")}  # fmt: skip
    message = "unknown city 'essen' (known: bottrop, dinslaken, duisburg; leave it out for every city)"
    assert message in str(raised.value)


def test_a_concern_like_a_known_gap_gets_no_answer_card() -> None:
    assert _tiers(_engine(), ASKED)[0] == ("bottrop/hundesteuer", "answer")
    assert _tiers(_engine((KnownGap(KNOWN, "bottrop"),)), ASKED)[0] == ("bottrop/hundesteuer", "maybe")
    context = CallContext("bottrop")
    card = _engine((KnownGap(KNOWN),)).on_utterance(context, "caller", ASKED).suggestions[0]
    assert (card.reason, context.cards[0]["reason"]) == ("known_gap", "known_gap"), "the sidebar says why"
    assert _tiers(_engine((KnownGap(KNOWN),)), ASKED)[0] == ("bottrop/hundesteuer", "maybe")  # every city


def test_a_known_gap_of_another_city_or_an_unlike_one_changes_nothing() -> None:
    assert _tiers(_engine((KnownGap(KNOWN, "duisburg"),)), ASKED)[0] == ("bottrop/hundesteuer", "answer")
    unlike = (KnownGap("wann ist die bibliothek geöffnet"),)
    assert _tiers(_engine(unlike), ASKED)[0] == ("bottrop/hundesteuer", "answer")
    # A covered question about the same article: the gap's words are not the concern's.
    assert _tiers(_engine((KnownGap(KNOWN),)), "mein hund ist neu wie melde ich den an")[0] == (
        "bottrop/hundesteuer",
        "answer",
    )


def test_an_answer_example_of_the_article_likelier_than_the_gap_keeps_the_answer() -> None:
    example = AnswerExample("bottrop/hundesteuer", ASKED, ("Hunde melden Sie binnen zwei Wochen an.",))
    assert _tiers(_engine((KnownGap(KNOWN),), (example,)), ASKED)[0] == ("bottrop/hundesteuer", "answer")


def test_a_question_an_editor_wrote_does_not_speak_for_the_matter_being_covered() -> None:
    """Editors write a question for every sentence, everyday ones among them: only what callers asked about
    the article keeps a concern like a known gap from the gap (and only that shows in the gap's check)."""
    written = AnswerExample("bottrop/hundesteuer", ASKED, ("Hunde melden Sie binnen zwei Wochen an.",), by_editor=True)
    engine = _engine((KnownGap(KNOWN),), (written,))
    assert _tiers(engine, ASKED)[0] == ("bottrop/hundesteuer", "maybe")
    assert engine.extractor.example_likeness("bottrop/hundesteuer", engine.extractor.profile(ASKED)) == 0.0
    assert engine.extractor.like_examples(KNOWN, ["bottrop/hundesteuer"], at_least=0.0) == []


def test_the_check_of_a_gap_finds_the_like_questions_an_article_answered_before() -> None:
    answered = AnswerExample("bottrop/hundesteuer", ASKED, ("Hunde melden Sie binnen zwei Wochen an.",))
    unlike = AnswerExample("bottrop/sperrmuell", "wann wird der sperrmüll abgeholt", ("Sperrmüll holt die BEST ab.",))
    extractor = AnswerExtractor(make_analyzer("char4"), [passage(a) for a in ARTICLES], (answered, unlike))
    both = ["bottrop/hundesteuer", "bottrop/sperrmuell"]
    found = extractor.like_examples(KNOWN, both, at_least=0.3)
    assert [(f.article_id, f.question) for f in found] == [("bottrop/hundesteuer", ASKED)]
    same = extractor.example_likeness("bottrop/hundesteuer", extractor.profile(KNOWN))
    assert found[0].likeness == pytest.approx(same)
    assert extractor.like_examples(KNOWN, ["bottrop/sperrmuell"], at_least=0.3) == []  # not an article asked about
    assert extractor.like_examples(KNOWN, both, at_least=found[0].likeness + 0.01) == []
    assert extractor.like_examples(KNOWN, both, at_least=0.0, limit=1) == found[:1]


def test_the_concern_s_words_accumulate_and_a_new_concern_starts_afresh() -> None:
    engine = _engine((KnownGap(KNOWN),))
    context = CallContext("bottrop")
    engine.on_utterance(context, "caller", "es geht um meinen hund")
    engine.on_utterance(context, "caller", "dat is n kampfhund und ich brauch ne erlaubnis")
    assert "hund" in context.said and "erlaubnis" in context.said
    restored = CallContext.from_state(json.loads(json.dumps(context.to_state())))
    assert restored.said == context.said
    context.new_concern()
    assert context.said == ""


def test_the_setting_switches_the_known_gaps_off(knowledge_dir: Path) -> None:
    _write_gaps(knowledge_dir, {"question": KNOWN})
    kb = load_knowledge_base(knowledge_dir)
    assert Settings().suggestions.gaps_of(kb) == kb.known_gaps != ()
    assert Settings(suggestions={"known_gaps": False}).suggestions.gaps_of(kb) == ()


def test_changed_known_gaps_are_used_without_a_restart(knowledge_dir: Path, tmp_path: Path) -> None:
    settings = api_settings(knowledge_dir, tmp_path / "data")
    service = build_call_service(settings)
    watcher = IndexWatcher(settings, service)
    question = "sperrmüll abholen lassen"
    try:
        assert len(service.engine.known_gaps) == 0 and not watcher.check()
        _write_gaps(knowledge_dir, {"question": "kampfhund erlaubnis"}, {"question": "baum fällen", "city": "bottrop"})
        assert watcher.check() and len(service.engine.known_gaps) == 2
        assert watcher.reloads == 0  # the index stayed
        assert service.search(question, "duisburg").suggestions  # the engine answers with them
        _write_gaps(knowledge_dir, {"question": "x", "city": "essen"})  # an error: the gaps in use stay
        assert not watcher.check() and len(service.engine.known_gaps) == 2
        (knowledge_dir / KNOWN_GAPS_FILE).unlink()
        assert watcher.check() and len(service.engine.known_gaps) == 0
    finally:
        service.close()


def _call(call_id: str, city: str, concerns: list[dict[str, object]]) -> dict[str, object]:
    turns = [
        ["agent", "Guten Tag"],
        ["caller", "ja hallo, müller hier, mein kampfhund braucht ne erlaubnis"],
        ["agent", "Ja?"],
        ["caller", "und ich muss sperrmüll anmelden, meine nummer ist 0170 1234567"],
        ["agent", "Gern."],
        ["caller", "ach und dann noch was, wo kann ich den baum im garten fällen lassen"],
    ]
    return {"id": call_id, "city": city, "expected": [], "turns": turns, "concerns": concerns}


def test_export_writes_the_uncovered_concerns_redacted(knowledge_dir: Path, tmp_path: Path) -> None:
    kb = load_knowledge_base(knowledge_dir)
    calls = tmp_path / "calls-tune.jsonl"
    concerns = [{"expected": [], "caller_turns": [1]}, {"expected": ["bottrop/sperrmuell"], "caller_turns": [3]}]
    rows = [_call("bottrop-t01", "bottrop", concerns), _call("duisburg-t02", "duisburg", [concerns[1]])]
    calls.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    out = knowledge_dir / KNOWN_GAPS_FILE
    count = export_known_gaps([calls], kb, out)
    assert (count.gaps, count.covered_concerns) == (1, 2)
    written = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    question = "ja hallo, mein kampfhund braucht ne erlaubnis"
    assert written == [{"question": question, "city": "bottrop", "from": "bottrop-t01#0"}]
    assert load_knowledge_base(knowledge_dir).known_gaps == (KnownGap(written[0]["question"], "bottrop"),)
    export_known_gaps([calls], kb, out, every_city=True)
    assert "city" not in json.loads(out.read_text(encoding="utf-8"))
    # A call without labeled concerns and without an expected article is one uncovered concern.
    calls.write_text(json.dumps({**rows[0], "concerns": None}, ensure_ascii=False) + "\n", encoding="utf-8")
    export_known_gaps([calls], kb, out)
    assert "0170" not in out.read_text(encoding="utf-8") and "sperrmüll" in out.read_text(encoding="utf-8")


def test_export_leaves_out_the_cue_a_later_concern_starts_with(knowledge_dir: Path, tmp_path: Path) -> None:
    calls = tmp_path / "calls-tune.jsonl"
    concerns = [{"expected": ["bottrop/sperrmuell"], "caller_turns": [1, 3]}, {"expected": [], "caller_turns": [5]}]
    calls.write_text(json.dumps(_call("bottrop-t03", "bottrop", concerns), ensure_ascii=False) + "\n", "utf-8")
    out = tmp_path / KNOWN_GAPS_FILE
    assert export_known_gaps([calls], load_knowledge_base(knowledge_dir), out).gaps == 1
    written = json.loads(out.read_text(encoding="utf-8"))
    assert written["question"] == "wo kann ich den baum im garten fällen lassen"


def test_export_refuses_a_held_out_half(knowledge_dir: Path, tmp_path: Path) -> None:
    held_out = tmp_path / "independent-test.jsonl"
    held_out.write_text(json.dumps(_call("bottrop-t01", "bottrop", [{"expected": [], "caller_turns": [1]}])) + "\n")
    with pytest.raises(ValueError, match="refusing held-out call files"):
        export_known_gaps([held_out], load_knowledge_base(knowledge_dir), tmp_path / "out.jsonl")


def test_the_likeness_of_all_gaps_at_once_is_each_gap_s_own() -> None:
    extractor = AnswerExtractor(make_analyzer("char4"), [passage(a) for a in ARTICLES])
    gaps = [KnownGap(KNOWN, "bottrop"), KnownGap("elterngeld beantragen"), KnownGap("baum fällen", "duisburg")]
    known = KnownGaps(extractor, [*gaps, KnownGap("...")])  # a question without tokens is left out
    assert len(known) == 3
    for said in (ASKED, "wo beantrag ich elterngeld", "darf ich den baum fällen", "sperrmüll", ""):
        concern = extractor.profile(said)
        for city in ("bottrop", "duisburg"):
            alone = [extractor.profile(g.question).likeness(concern) for g in gaps if g.city in (None, city)]
            assert known.likeness(city, concern) == pytest.approx(max(alone))
