"""Quality and city scoping of the real default model on the demo knowledge base."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.suggestion_engine import SuggestionConfig
from assistant.replay.call_scripts import load_call_scripts
from assistant.settings import Settings
from assistant.wiring import build_call_service, make_encoder, open_retriever
from corpus.answer_examples import ANSWER_EXAMPLES_FILE, AnswerExample
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from corpus.known_gaps import KNOWN_GAPS_FILE, KnownGap
from embeddings.encoders.encoder import Encoder
from embeddings.index.index_store import refresh_index
from embeddings.retrieval.retriever import SEARCH_MODES, HybridRetriever
from eval.call_replay import CallReplayOutcome, answer_matches, load_answer_labels, replay_call, replay_calls, summarize
from eval.queries import LabeledQuery, load_queries
from eval.retrieval_evaluation import evaluate_retriever
from tests.conftest import DEMO_KNOWLEDGE, PROJECT_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.slow]
QUERIES = PROJECT_ROOT / "demo" / "queries"

# Recorded on the dev set with the default settings (see README, Evaluation); a change that loses more
# than the margin fails here.
BASELINE = {"recall@3": 0.95, "mrr@10": 0.88}
MARGIN = 0.03


@pytest.fixture(scope="module")
def demo_kb() -> KnowledgeBase:
    return load_knowledge_base(DEMO_KNOWLEDGE)


@pytest.fixture(scope="module")
def demo_retriever(demo_kb: KnowledgeBase, demo_settings: Settings, demo_encoder: Encoder) -> HybridRetriever:
    retriever, report = open_retriever(demo_settings, encoder=demo_encoder, knowledge_base=demo_kb, on_stale="fail")
    assert report is None
    return retriever


def all_queries(kb: KnowledgeBase) -> list[LabeledQuery]:
    return [q for name in ("dev.jsonl", "test.jsonl") for q in load_queries(QUERIES / name, set(kb.articles))]


def test_no_article_of_another_city_is_ever_returned(demo_retriever: HybridRetriever, demo_kb: KnowledgeBase) -> None:
    """Every labeled query, asked in every city and every mode, top 20: only that city or common."""
    checked = 0
    for query in all_queries(demo_kb):
        for city in demo_kb.cities.keys:
            for mode in SEARCH_MODES:
                for hit in demo_retriever.search(query.text, city, k=20, mode=mode):
                    assert hit.city in (city, "common"), (query.id, city, mode, hit.article_id)
                    checked += 1
    assert checked > 20_000


def test_dev_quality_does_not_fall_below_the_baseline(demo_retriever: HybridRetriever, demo_kb: KnowledgeBase) -> None:
    queries = load_queries(QUERIES / "dev.jsonl", set(demo_kb.articles))
    report = evaluate_retriever(demo_retriever, queries, demo_kb.cities, "hybrid", 0.5)
    assert report.overall["leak_rate"] == 0.0
    for metric, baseline in BASELINE.items():
        assert report.overall[metric] >= baseline - MARGIN, (metric, report.overall[metric])


def test_index_of_the_demo_is_reused_when_nothing_changed(demo_kb: KnowledgeBase, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, encoder={"model": "fake:32"})
    encoder = make_encoder(settings)
    _, first = refresh_index(settings.index_dir, demo_kb, encoder, settings.index_settings())
    _, second = refresh_index(settings.index_dir, demo_kb, encoder, settings.index_settings())
    assert first.full_rebuild and len(first.added) == len(demo_kb.published)
    assert not second.changed


# The suggestion engine per concern (docs/suggestions.md). Its confidence and topic-change model were
# fitted and its thresholds tuned on dev, uncovered and the independent tune halves, so these
# numbers guard against
# regressions; they are not evidence of quality (that is the test halves, reported in
# docs/suggestions.md, never asserted here so that nobody tunes against them).
TUNE_SETS = (
    "independent-tune.jsonl",
    "independent2-tune.jsonl",
    "independent3-tune.jsonl",
    "independent4-tune.jsonl",
    "independent5-tune.jsonl",
    "independent6-tune.jsonl",
    "independent7-tune.jsonl",
    "independent8-tune.jsonl",
    "independent9-tune.jsonl",
    "independent10-tune.jsonl",
    "independent11-tune.jsonl",
    "independent12-tune.jsonl",
    "independent13-tune.jsonl",
    "independent14-tune.jsonl",
)
CALL_SETS = ("dev.jsonl", "uncovered.jsonl", *TUNE_SETS)
# The first labeler's answers of each set, and a second labeler's of the same questions (the answers of either count).
LABELS = (
    *(f"answer-labels{n}.jsonl" for n in ("", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14")),
    "answer-labels-second.jsonl",
)
# measured 0.961 and 0.842 on these sets (round 12, fourteen tune halves, with the boosted-trees confidence
# fitted on thirteen of them and the answer threshold 0.75; round 11 on thirteen halves: 0.960 and 0.836)
CALL_FLOORS = {"concerns_with_expected_card": 0.94, "concerns_with_expected_answer": 0.80}
CALL_CEILINGS = {"median_turns_to_right_card": 1.0, "wrong_answers_per_covered_call": 0.3}
UNCOVERED_ANSWER_LIMIT = 0.4  # measured 0.33 on these sets (round 12; 0.31 on thirteen halves in round 11); goal 0.10
# measured 0.623 on the 839 labeled questions of the fourteen tune halves, 0.603 against the first labeler's
# answers alone (round 12; round 11: 0.609 on thirteen halves, first labeler only)
HIGHLIGHT_FLOOR = 0.60
FOREIGN_SETS = ("foreign-tune.jsonl", "foreign2-tune.jsonl")
FOREIGN_RECALL_FLOOR = 0.9  # measured 1.0 (54 of 54) on the tune halves, where the glossary was checked


def test_call_replay_does_not_fall_below_the_baseline(
    demo_settings: Settings, demo_encoder: Encoder, demo_kb: KnowledgeBase
) -> None:
    # The demo's answer examples are the tune halves' labeled questions: replayed with them, every
    # labeled question would find itself. They have their own guard below.
    # The same for the known gaps (the uncovered concerns of these sets), guarded below.
    off = {"answer_examples": False, "known_gaps": False}
    settings = demo_settings.model_copy(update={"suggestions": demo_settings.suggestions.model_copy(update=off)})
    service = build_call_service(settings, encoder=demo_encoder, knowledge_base=demo_kb, database_url="sqlite://")
    calls = PROJECT_ROOT / "demo" / "calls"
    scripts = [s for name in CALL_SETS for s in load_call_scripts(calls / name)]
    tune_ids = {s.id for name in TUNE_SETS for s in load_call_scripts(calls / name)}
    labels = [a for name in LABELS for a in load_answer_labels(calls / name) if a.call_id in tune_ids]
    report = replay_calls(service, scripts, labels)
    for metric, floor in CALL_FLOORS.items():
        assert report.overall[metric] >= floor, (metric, report.overall[metric])
    for metric, ceiling in CALL_CEILINGS.items():
        assert report.overall[metric] <= ceiling, (metric, report.overall[metric])
    assert report.overall["uncovered_calls_with_answer"] <= UNCOVERED_ANSWER_LIMIT
    assert report.overall["highlight_accuracy"] >= HIGHLIGHT_FLOOR
    for outcome in report.outcomes:
        assert all(a.startswith((outcome.script.city + "/", "common/")) for _, a in outcome.pushed)


def test_foreign_language_questions_find_the_german_article(
    demo_retriever: HybridRetriever, demo_kb: KnowledgeBase
) -> None:
    queries = [q for name in FOREIGN_SETS for q in load_queries(QUERIES / name, set(demo_kb.articles))]
    report = evaluate_retriever(demo_retriever, queries, demo_kb.cities, "hybrid", 0.5)
    assert report.overall["recall@3"] >= FOREIGN_RECALL_FLOOR
    assert report.overall["leak_rate"] == 0.0


# measured (round 25, the 2,633 callers' tune questions of thirty-nine tune halves, five folds by call): 0.617 without
# examples, 0.761 with them, 0.777 with words and what the article's sentences mean, 0.782 with both meanings, 0.798
# with the 5,290 questions editors wrote for the sentences too (shipped);
# round 24, 2,507 tune questions of thirty-seven tune halves: 0.622 without examples,
# 0.762 with them, 0.775 with words and what the article's sentences mean, 0.779 with both meanings (shipped);
# round 23, 2,332 tune questions of thirty-five tune halves: 0.627 without examples,
# 0.774 with them, 0.773 with what the questions mean too (no longer above words alone offline), 0.784 with words and
# what the article's sentences mean, 0.788 with both meanings (the shipped engine); round 22, 2,129 of thirty-three:
# 0.633, 0.761, 0.766 and 0.777 (both meanings);
# round 21, 1,981 of thirty-one: 0.638, 0.768 and 0.774; round 20, 1,814 of twenty-nine: 0.647, 0.771 and 0.776;
# on round 19's 1,656: 0.646, 0.766 and 0.776; round 18:
# 0.651 and 0.775 on 1,486 of twenty-five; round 17: 0.654 and 0.757 on 1,351 of twenty-three; round 16: 0.651 and
# 0.767 on 1,245 of twenty-one; round 15: 0.666 and 0.760 on 1,019 of seventeen; round 14: 0.681 and 0.784 on 958;
# round 13: 0.687 and 0.786 on 897)
EXAMPLES_HIGHLIGHT_FLOOR = 0.74
EXAMPLES_LIFT = 0.06
MEANING_LIFT = 0.002  # what the questions mean, with the sentences' meaning (the shipped engine) against without
SENTENCE_LIFT = 0.008  # both meanings against the examples' words alone
EDITORS_LIFT = 0.01  # the editors' questions for the sentences too (shipped) against the callers' alone


def test_answer_examples_of_other_calls_find_the_answering_sentence(
    demo_retriever: HybridRetriever, demo_kb: KnowledgeBase
) -> None:
    """The demo's callers' answer examples (the tune halves' labeled questions), five folds by call: each
    question's sentence picked with the examples of the other folds' calls (by their words; with what the
    article's sentences mean too; and with what the questions mean as well), against none; and as shipped,
    with the questions editors wrote for the sentences too (never scored: they would find themselves)."""
    lines = [json.loads(line) for line in (DEMO_KNOWLEDGE / ANSWER_EXAMPLES_FILE).read_text("utf-8").splitlines()]
    written = [
        AnswerExample(e["article"], e["question"], tuple(e["sentences"]), by_editor=True)
        for e in lines
        if e.get("by") == "editor"
    ]
    lines = [line for line in lines if line.get("by") != "editor"]
    calls = sorted({line["from"].split("#")[0] for line in lines})
    random.Random(1).shuffle(calls)
    fold = {call: n % 5 for n, call in enumerate(calls)}
    index = demo_retriever.index
    right = {"none": 0, "examples": 0, "words_and_sentences": 0, "sentences": 0, "shipped": 0}
    share_of_meaning = SuggestionConfig().example_meaning
    words_and_sentences = AnswerExtractor(
        index.lexical.analyzer, index.passages, (), demo_retriever, 0.0, sentence_meaning=True
    )
    sentences = AnswerExtractor(
        index.lexical.analyzer, index.passages, (), demo_retriever, share_of_meaning, sentence_meaning=True
    )
    for held in range(5):
        others = [
            AnswerExample(line["article"], line["question"], tuple(line["sentences"]))
            for line in lines
            if fold[line["from"].split("#")[0]] != held
        ]
        extractors = {
            "none": AnswerExtractor(index.lexical.analyzer, index.passages),
            "examples": AnswerExtractor(index.lexical.analyzer, index.passages, others),
            "words_and_sentences": words_and_sentences.with_examples(others),
            "sentences": sentences.with_examples(others),
            "shipped": sentences.with_examples([*others, *written]),
        }
        for line in lines:
            if fold[line["from"].split("#")[0]] != held:
                continue
            sections = demo_retriever.sections(line["article"])
            for name, extractor in extractors.items():
                answer = extractor.extract(line["question"], sections[0], sections).answer
                right[name] += answer_matches(answer, line["sentences"])
    share = {name: hits / len(lines) for name, hits in right.items()}
    assert share["examples"] >= EXAMPLES_HIGHLIGHT_FLOOR, share
    assert share["examples"] - share["none"] >= EXAMPLES_LIFT, share
    assert share["sentences"] - share["words_and_sentences"] >= MEANING_LIFT, share
    assert share["sentences"] - share["examples"] >= SENTENCE_LIFT, share
    assert share["shipped"] - share["sentences"] >= EDITORS_LIFT, share


# The call sets the demo's known gaps come from (demo/knowledge/known-gaps.jsonl: their uncovered concerns; the lines
# of the catalog's complement, `complement-...`, come from no set and stay in every replay).
GAP_SETS = (*CALL_SETS, *(f"independent{n}-tune.jsonl" for n in range(15, 40)))
# measured (round 25, 41 sets, 777 calls, each set with the other sets' gaps and answer examples, the editors'
# questions and both of the catalog's complements: uncovered calls with an `answer` card 0.436 -> 0.179, covered
# concerns as `answer` 0.884 -> 0.861; with the editors' questions counted in the gaps' margin too: 0.436 -> 0.256;
# round 24, 39 sets, 741 calls: uncovered calls with an `answer` card 0.447 -> 0.184, covered concerns as `answer`
# 0.886 -> 0.862;
# round 23, 37 sets, 705 calls, each set with the other sets' gaps and answer examples and both of the
# catalog's complements, the uncovered labels checked by readers, `gap_likeness` 0.25): uncovered calls with an
# `answer` card 0.447 -> 0.184, covered concerns as `answer` 0.883 -> 0.857 (round 22, 35 sets, 669 calls, 0.3:
# 0.447 -> 0.197, 0.876 -> 0.858; round 21, 33 sets: 0.440 -> 0.187, 0.875 -> 0.854; round 20, 31 sets:
# 0.432 -> 0.189, 0.869 -> 0.846; without the complement, 29
# sets: 0.243 and 0.848; round 19, 29 sets: 0.400 ->
# 0.243, 0.865 -> 0.848; round 18, 27 sets: 0.382 -> 0.221, 0.860 -> 0.840; round 17, 25 sets: 0.365 -> 0.206, 0.846
# -> 0.831; round 16, 23 sets: 0.390 -> 0.203, 0.848 -> 0.834; round 14, 18 sets, 369 calls, writers' labels: 0.36 ->
# 0.14, 0.849 -> 0.829)
GAPS_UNCOVERED_LIMIT = 0.22
GAPS_UNCOVERED_DROP = 0.15
GAPS_ANSWER_COST = 0.04


def test_known_gaps_of_other_call_sets_take_answer_cards_from_uncovered_matters(
    demo_settings: Settings, demo_encoder: Encoder, demo_kb: KnowledgeBase
) -> None:
    """The demo's known gaps, leaving one call set out at a time: each set replayed with the gaps and
    answer examples of the other sets only, and with no gaps."""
    service = build_call_service(demo_settings, encoder=demo_encoder, knowledge_base=demo_kb, database_url="sqlite://")
    examples = [json.loads(line) for line in (DEMO_KNOWLEDGE / ANSWER_EXAMPLES_FILE).read_text("utf-8").splitlines()]
    gaps = [json.loads(line) for line in (DEMO_KNOWLEDGE / KNOWN_GAPS_FILE).read_text("utf-8").splitlines()]
    replayed: dict[str, list[CallReplayOutcome]] = {"none": [], "gaps": []}
    for name in GAP_SETS:
        scripts = load_call_scripts(PROJECT_ROOT / "demo" / "calls" / name)
        ids = {s.id for s in scripts}
        others = [
            AnswerExample(e["article"], e["question"], tuple(e["sentences"]), by_editor=e.get("by") == "editor")
            for e in examples
            if e["from"].split("#")[0] not in ids
        ]
        known = [KnownGap(g["question"], g.get("city")) for g in gaps if g["from"].split("#")[0] not in ids]
        for variant, used in (("none", []), ("gaps", known)):
            service.engine.use_examples(others, used)
            replayed[variant] += [replay_call(service, script) for script in scripts]
    none, known = summarize(replayed["none"]), summarize(replayed["gaps"])
    uncovered, answered = "uncovered_calls_with_answer", "concerns_with_expected_answer"
    measured = {k: (round(none[k], 3), round(known[k], 3)) for k in (uncovered, answered)}
    assert known[uncovered] <= GAPS_UNCOVERED_LIMIT, measured
    assert none[uncovered] - known[uncovered] >= GAPS_UNCOVERED_DROP, measured
    assert none[answered] - known[answered] <= GAPS_ANSWER_COST, measured
