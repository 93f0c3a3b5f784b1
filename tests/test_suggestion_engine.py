"""The suggestion engine's decisions, with a scripted retriever: what triggers retrieval, how evidence
accumulates over a concern, which cards are shown with which tier, what opens a new concern, and
that the engine's memory of a call survives a round-trip through plain JSON."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import replace

import pytest

from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.article_vocabulary import ArticleVocabulary
from assistant.live.call_service import CallService
from assistant.live.concern_confidence import LogisticModel, load_concern_confidence
from assistant.live.suggestion_engine import CallContext, SuggestionConfig, SuggestionEngine, _Rankings
from assistant.live.utterance_analysis import (
    after_cue,
    concern_text,
    content_words,
    is_closing,
    is_meaningful,
    opens_new_topic,
)
from assistant.privacy.redaction import GermanRedactor
from assistant.storage.call_store import CallStore
from corpus.knowledge_base import KnowledgeBase
from corpus.models import Passage
from embeddings.encoders.encoder import Vectors
from embeddings.encoders.fake_encoder import HashingFakeEncoder
from embeddings.index.text_analysis import make_analyzer
from embeddings.retrieval.retriever import ArticleHit, SearchMode

ARTICLES = {
    "bottrop/sperrmuell": ("Sperrmüll anmelden", "Sperrmüll holt die BEST nach Anmeldung ab. Termine gibt es online."),
    "bottrop/hundesteuer": ("Hundesteuer", "Hunde melden Sie binnen zwei Wochen an. Die Steuer kostet 120 Euro."),
    "bottrop/personalausweis": ("Personalausweis", "Den Ausweis beantragen Sie im Bürgerbüro. Er kostet 46 Euro."),
    "bottrop/reisepass": ("Reisepass", "Den Reisepass beantragen Sie im Bürgerbüro. Bei Kindern müssen beide "
                          "Elternteile zustimmen."),
}  # fmt: skip


def article_sections(title: str, *sections: tuple[str, str]) -> tuple[Passage, ...]:
    """An article "x/<title>" made of (heading, text) sections, in reading order."""
    article_id = f"x/{title.lower()}"
    return tuple(
        Passage(f"{article_id}#{n}", article_id, "x", title, heading, text)
        for n, (heading, text) in enumerate(sections, start=1)
    )


def passage(article_id: str) -> Passage:
    title, text = ARTICLES[article_id]
    return Passage(f"{article_id}#1", article_id, "bottrop", title, "Das Wichtigste", text)


class ScriptedRetriever:
    """Ranks articles by fixed (dense cosine, lexical strength) per keyword found in the query; records
    every query and mode, and each request that embeds texts it has not embedded before (as the real
    retriever's cache and its requests in flight spare them)."""

    def __init__(self, scores: dict[str, dict[str, tuple[float, float]]]) -> None:
        self.scores = scores
        self.queries: list[tuple[str, SearchMode | None]] = []
        self.embedded: list[list[str]] = []
        self.held: set[str] = set()
        self.idle = True
        self.prefetched: list[list[str]] = []

    def search(
        self, query: str, city: str, k: int = 5, mode: SearchMode | None = None, best_passage: bool = True
    ) -> list[ArticleHit]:
        self.queries.append((query, mode))
        best: dict[str, tuple[float, float]] = {}
        for keyword, hits in self.scores.items():
            if keyword in query.lower():
                for article_id, (dense, lexical) in hits.items():
                    old = best.get(article_id, (0.0, 0.0))
                    best[article_id] = (max(dense, old[0]), max(lexical, old[1]))
        index = 1 if mode == "lexical" else 0
        order = [a for a in sorted(best, key=lambda a: -best[a][index]) if best[a][index] > 0][:k]
        return [
            ArticleHit(
                a, ARTICLES[a][0], "bottrop", a.split("/")[1], best[a][index], passage(a), rank, best[a][0], best[a][1]
            )
            for rank, a in enumerate(order, start=1)
        ]

    def sections(self, article_id: str) -> list[Passage]:
        return [passage(article_id)]

    def named_articles(self, query: str, city: str) -> list[str]:
        """Articles whose title the query says word for word, the longest first (as the real retriever
        does with titles and synonyms)."""
        said = f" {query.lower()} "
        named = [a for a, (title, _) in ARTICLES.items() if f" {title.lower()} " in said]
        return sorted(named, key=lambda a: -len(ARTICLES[a][0]))

    def article_vectors(self) -> dict[str, Vectors]:
        return {}

    def clear_query_cache(self) -> None:
        return None

    def embed_queries(self, queries: Sequence[str], wait: bool = True) -> None:
        new = [q for q in dict.fromkeys(queries) if q not in self.held]
        if new:
            self.embedded.append(new)
            self.held.update(new)

    def query_vectors(self, queries: Sequence[str], cached: bool = True) -> list[Vectors]:
        """Vectors of a fake encoder (no test here gives the engine answer examples to embed)."""
        if cached:
            self.embed_queries(queries)
        return list(HashingFakeEncoder(dimension=16).encode_queries(list(queries)))

    def prefetch(self, queries: Callable[[], Sequence[str]]) -> bool:
        """Embeds ahead while ``idle`` (a test sets it), recording the texts in ``prefetched``."""
        if not self.idle:
            return False
        texts = list(queries())
        if texts:
            self.prefetched.append(texts)
            self.embed_queries(texts, wait=False)
        return bool(texts)


SCORES = {
    "couch": {"bottrop/sperrmuell": (0.88, 0.5)},
    "sperrmüll": {"bottrop/sperrmuell": (0.9, 0.9)},
    "müll": {"bottrop/sperrmuell": (0.5, 0.6)},
    "hund": {"bottrop/hundesteuer": (0.9, 0.8)},
    "ausweis": {"bottrop/personalausweis": (0.9, 0.8), "bottrop/reisepass": (0.85, 0.5)},
    "reisepass": {"bottrop/reisepass": (0.93, 0.9)},
    "wetter": {"bottrop/reisepass": (0.3, 0.0)},
    "garten": {"bottrop/hundesteuer": (0.4, 0.0), "bottrop/sperrmuell": (0.35, 0.0)},
}
# A fixed confidence for the tests (the fitted file may change): rank agreement and evidence.
CONFIDENCE = LogisticModel(
    bias=-4.0,
    weights={"dense_rank": 1.5, "lexical_rank": 1.5, "evidence_share": 2.0, "evidence_margin": 1.5, "presence": 1.0},
)


# A fixed topic-change model: a turn whose own lexical top is strong and not held by the concern, and
# for which the concern's leading article does not rank, moves on.
TOPICS = LogisticModel(bias=-1.5, weights={"top_held": -4.0, "leader_rank": -4.0, "top_strength": 3.0})


def engine(**config: float | int | bool) -> tuple[SuggestionEngine, ScriptedRetriever]:
    retriever = ScriptedRetriever(SCORES)
    passages = [passage(a) for a in ARTICLES]
    extractor = AnswerExtractor(make_analyzer("char4"), passages)
    settings = SuggestionConfig(**config)  # type: ignore[arg-type]
    vocabulary = ArticleVocabulary(passages)
    return SuggestionEngine(retriever, extractor, settings, CONFIDENCE, vocabulary, TOPICS), retriever


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "meaningful"),
    [
        ("ja hallo guten tag", False),
        ("äh ja genau", False),
        ("ich hab da mal ne frage", False),
        ("vielen dank tschüss", False),
        ("ich hab da gleich zwei sachen", False),
        ("sperrmüll", True),
        ("mein hund ist neu", True),
        ("kostet das was", True),
    ],
)
def test_greetings_and_fillers_are_not_meaningful(text: str, meaningful: bool) -> None:
    assert is_meaningful(text) is meaningful


@pytest.mark.unit
def test_topic_cues() -> None:
    assert opens_new_topic("und dann hab ich noch eine andere frage")
    assert opens_new_topic("ach und noch was, wegen dem hund")
    # Ruhr-area forms and the call-center idiom for "while I have you on the line"
    assert opens_new_topic("gut und dann noch wat ganz anderes mein mann hat noch so nen alten führerschein")
    assert opens_new_topic("ach und noch wat anderes nächsten monat is ja wahl")
    assert opens_new_topic("ach und wo ich sie grad dran hab wir brauchen noch ne braune tonne")
    assert opens_new_topic("wenn ich sie schon dran habe, wie ist das mit der hundesteuer")
    assert not opens_new_topic("die couch muss weg")
    assert not opens_new_topic("wat kost dat denn")
    assert not opens_new_topic("wo muss ich da hin")


@pytest.mark.unit
def test_the_words_after_the_cue() -> None:
    assert after_cue("ach und noch was, wegen dem hund") == "wegen dem hund"
    assert after_cue("gut danke und wo ich sie grad dran hab wir brauchen noch ne braune tonne") == (
        "wir brauchen noch ne braune tonne"
    )
    assert after_cue("die couch muss weg") == "die couch muss weg"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "rest"),
    [
        ("müller hier", ""),
        ("ja guten tag, müller hier, ich hab ne frage zum sperrmüll", "ja guten tag, , ich hab ne frage zum sperrmüll"),
        ("mein name ist klaus becker, es geht um den hund", ", es geht um den hund"),
        ("hier ist frau schmidt", ""),
        ("ja guten tag äh nowak mein name ich hab da", "ja guten tag äh ich hab da"),
        ("brinkhoff is mein name, es geht um den hund", ", es geht um den hund"),
        ("ja mein name ist becker", "ja"),
        ("ich wohne hier seit zwei jahren", "ich wohne hier seit zwei jahren"),
    ],
)
def test_self_introductions_are_not_part_of_the_concern(text: str, rest: str) -> None:
    assert concern_text(text) == rest


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("die genossenschaft will so nen w b s sehen", "die genossenschaft will so nen wbs sehen"),
        ("die e v b nummer hab ich", "die evb nummer hab ich"),
        ("geht dat über i k f z", "geht dat über ikfz"),
        ("dat merkzeichen a g", "dat merkzeichen ag"),
        ("hab n g im ausweis", "hab n g im ausweis"),  # "n" is the spoken "ein"
        ("ich bin a bissl durcheinander", "ich bin a bissl durcheinander"),  # one letter alone stays
    ],
)
def test_spelled_abbreviations_are_joined_into_the_word_articles_use(text: str, said: str) -> None:
    assert concern_text(text) == said


@pytest.mark.unit
def test_the_searches_see_a_spelled_abbreviation_as_one_word() -> None:
    """ "so nen w b s": the window and the gist are searched with "wbs", the word articles use (the
    gist keeps only words of three letters or more, so the letters alone would vanish from it)."""
    eng, retriever = engine()
    eng.on_utterance(CallContext("bottrop"), "caller", "die genossenschaft will von mir so nen w b s sehen")
    searched = [query for query, _ in retriever.queries]
    assert searched and all("wbs" in query.split() for query in searched), searched


@pytest.mark.unit
def test_names_and_apologies_drive_no_retrieval() -> None:
    eng, retriever = engine()
    context = CallContext("bottrop")
    assert eng.on_utterance(context, "caller", "müller hier").outcome == "trivial"
    assert eng.on_utterance(context, "caller", "Guten Tag, entschuldigen Sie, ich bin etwas durcheinander").outcome == (
        "trivial"
    )
    assert retriever.queries == []
    assert context.evidence == {}


@pytest.mark.unit
def test_greeting_triggers_no_retrieval_and_agent_turns_only_add_context() -> None:
    eng, retriever = engine()
    context = CallContext("bottrop")
    assert eng.on_utterance(context, "caller", "ja hallo guten tag").outcome == "trivial"
    assert eng.on_utterance(context, "agent", "Was kann ich für Sie tun? Geht es um Sperrmüll?").outcome == "context"
    assert retriever.queries == []


@pytest.mark.unit
def test_a_clear_concern_gets_an_answer_card_with_tier_and_score() -> None:
    eng, retriever = engine()
    outcome = eng.on_utterance(CallContext("bottrop"), "caller", "ich muss sperrmüll anmelden")
    assert outcome.outcome == "suggested"
    card = outcome.suggestions[0]
    assert (card.article_id, card.tier, card.rank, card.new) == ("bottrop/sperrmuell", "answer", 1, True)
    assert 0.5 <= card.score <= 1.0
    assert {m for _, m in retriever.queries} == {"dense", "lexical"}


@pytest.mark.unit
def test_cards_are_best_first_and_at_most_three() -> None:
    eng, _ = engine()
    outcome = eng.on_utterance(CallContext("bottrop"), "caller", "mein ausweis ist abgelaufen")
    assert [s.rank for s in outcome.suggestions] == list(range(1, len(outcome.suggestions) + 1))
    assert outcome.suggestions[0].article_id == "bottrop/personalausweis"
    scores = [s.score for s in outcome.suggestions]
    assert scores == sorted(scores, reverse=True) and len(scores) <= 3


@pytest.mark.unit
def test_a_weak_candidate_is_shown_as_maybe_not_left_out_and_not_as_answer() -> None:
    eng, _ = engine(answer_threshold=0.9, maybe_threshold=0.05)
    outcome = eng.on_utterance(CallContext("bottrop"), "caller", "wie wird das wetter morgen")
    assert outcome.outcome == "maybe"
    assert [(s.article_id, s.tier) for s in outcome.suggestions] == [("bottrop/reisepass", "maybe")]


@pytest.mark.unit
def test_nothing_plausible_leaves_the_turn_unanswered() -> None:
    eng, _ = engine(maybe_threshold=0.99)
    outcome = eng.on_utterance(CallContext("bottrop"), "caller", "wie wird das wetter morgen")
    assert outcome.outcome == "unanswered" and outcome.suggestions == []


@pytest.mark.unit
def test_evidence_accumulates_and_a_one_off_accident_does_not_take_over() -> None:
    eng, _ = engine(agent_context=False, context_turns=1)
    context = CallContext("bottrop")
    eng.on_utterance(context, "caller", "die alte couch muss weg")
    eng.on_utterance(context, "caller", "die couch ist aus leder")
    first = context.evidence["bottrop/sperrmuell"]
    outcome = eng.on_utterance(context, "caller", "im garten steht sie jetzt")
    assert not outcome.topic_changed
    assert context.evidence["bottrop/sperrmuell"] > context.evidence["bottrop/hundesteuer"]
    assert outcome.suggestions[0].article_id == "bottrop/sperrmuell"
    assert first > 1.0, "two turns pointing at the same article add up"


@pytest.mark.unit
def test_a_follow_up_keeps_the_card_and_changes_its_answer() -> None:
    eng, _ = engine()
    context = CallContext("bottrop")
    first = eng.on_utterance(context, "caller", "mein kind braucht einen reisepass, der ausweis reicht nicht")
    passport = next(s for s in first.suggestions if s.article_id == "bottrop/reisepass")
    follow_up = eng.on_utterance(context, "caller", "müssen da beide eltern mit")
    card = next(s for s in follow_up.suggestions if s.article_id == "bottrop/reisepass")
    assert not follow_up.topic_changed
    assert card.answer == "Bei Kindern müssen beide Elternteile zustimmen."
    assert card.answer != passport.answer and follow_up.changed and not card.new


@pytest.mark.unit
def test_a_follow_up_whose_search_finds_nothing_keeps_the_card_as_maybe_with_the_answer_it_asks_for() -> None:
    """The follow-up's words are details ("termine", "internet"): its own search (the window is this
    turn alone here) ranks no article, yet the card of the concern stays, as ``maybe`` since this turn
    did not confirm it, and its answer moves to the sentence the question asks for."""
    eng, _ = engine(context_turns=1)
    context = CallContext("bottrop")
    first = eng.on_utterance(context, "caller", "ich muss meinen alten sperrmüll loswerden, die couch")
    assert [(s.article_id, s.tier) for s in first.suggestions] == [("bottrop/sperrmuell", "answer")]
    follow_up = eng.on_utterance(context, "caller", "und kann man die termine auch im internet buchen")
    assert not follow_up.topic_changed and not follow_up.candidates
    assert [(s.article_id, s.tier, s.reason, s.rank, s.new) for s in follow_up.suggestions] == [
        ("bottrop/sperrmuell", "maybe", "earlier", 1, False)
    ]
    assert follow_up.suggestions[0].answer == "Termine gibt es online."
    # Without a question the same search-less turn keeps nothing.
    quiet = eng.on_utterance(context, "caller", "meine nachbarin wohnt gegenüber")
    assert quiet.suggestions == [] and not quiet.topic_changed


@pytest.mark.unit
@pytest.mark.parametrize(
    "turns",
    [
        ["ich muss meinen alten sperrmüll loswerden, die couch"],  # the concern's first turn: window and gist
        ["ich muss meinen alten sperrmüll loswerden", "ja genau", "und wann kommen die denn dann"],
        ["mein hund ist neu", "und dann noch was, mein reisepass ist abgelaufen"],  # a cue: a new concern
    ],
)
def test_a_partial_is_embedded_ahead_as_the_final_turn_will_search_it_and_the_call_memory_stays(
    turns: list[str],
) -> None:
    eng, retriever = engine()
    context = CallContext("bottrop")
    for text in turns[:-1]:
        eng.on_utterance(context, "caller", text)
    before = json.dumps(context.to_state(), sort_keys=True)
    assert eng.anticipate(context, turns[-1])
    assert json.dumps(context.to_state(), sort_keys=True) == before, "only read"
    ahead = retriever.prefetched[-1]
    searched = len(retriever.embedded)
    eng.on_utterance(context, "caller", turns[-1])
    assert len(retriever.embedded) == searched, "the final turn's texts were all embedded ahead"
    assert set(ahead) <= retriever.held


@pytest.mark.unit
def test_nothing_is_embedded_ahead_for_small_talk_or_while_the_encoder_is_busy() -> None:
    eng, retriever = engine()
    context = CallContext("bottrop")
    assert not eng.anticipate(context, "ja hallo guten tag")
    assert eng.anticipated_texts(context, "ja hallo guten tag") == []
    retriever.idle = False
    assert not eng.anticipate(context, "mein hund ist neu")
    assert retriever.prefetched == [] and retriever.embedded == []
    eng.on_utterance(context, "caller", "die alte couch muss weg, sperrmüll")
    assert eng.anticipated_texts(context, "gut dann mach ich dat mit dem hund später danke schön") == [], "closing"


@pytest.mark.unit
def test_the_service_embeds_a_callers_partial_ahead_but_not_the_agents_nor_when_switched_off(
    knowledge_base: KnowledgeBase,
) -> None:
    eng, retriever = engine()
    redactor = GermanRedactor()
    service = CallService(CallStore("sqlite://"), eng, retriever, HashingFakeEncoder(16), knowledge_base, redactor)
    call = service.open_call(city="bottrop").call
    assert service.utterance(call.id, "agent", "wie kann ich ihnen helfen beim sperrmüll", final=False) is None
    assert retriever.prefetched == []
    assert service.utterance(call.id, "caller", "mein hund ist neu und", final=False) is None
    assert retriever.prefetched == [["mein hund ist neu und", "hund neu"]]
    service.utterance(call.id, "caller", "mein hund ist neu und ich will ihn anmelden")
    assert retriever.prefetched == [["mein hund ist neu und", "hund neu"]], "a final is no partial"

    def fails(context: CallContext, partial: str) -> bool:
        raise KeyError("the memory changed while it was read")

    eng.anticipate = fails  # type: ignore[method-assign]
    assert service.utterance(call.id, "caller", "und was kostet", final=False) is None, "still published"
    off, quiet = engine(anticipate_partials=False)
    service = CallService(CallStore("sqlite://"), off, quiet, HashingFakeEncoder(16), knowledge_base, redactor)
    call = service.open_call(city="bottrop").call
    service.utterance(call.id, "caller", "mein hund ist neu und", final=False)
    assert quiet.prefetched == []


@pytest.mark.unit
def test_a_short_question_too_small_to_search_still_moves_the_answer() -> None:
    """ "kost dat wat" has no content word to search with (not meaningful), but it asks for the fees:
    the card stays, no search runs, and its answer becomes the fees sentence."""
    eng, retriever = engine()
    context = CallContext("bottrop")
    first = eng.on_utterance(context, "caller", "ich hab einen hund angeschafft, wat muss ich da anmelden")
    dog = next(s for s in first.suggestions if s.article_id == "bottrop/hundesteuer")
    assert not is_meaningful(concern_text("kost dat wat"))
    searches = len(retriever.queries)
    follow_up = eng.on_utterance(context, "caller", "kost dat wat")
    card = next(s for s in follow_up.suggestions if s.article_id == "bottrop/hundesteuer")
    assert card.answer == "Die Steuer kostet 120 Euro." != dog.answer
    assert follow_up.changed and follow_up.outcome in ("no_new", "maybe") and not card.new
    assert len(retriever.queries) == searches, "a follow-up does not search"
    assert [s.article_id for s in follow_up.suggestions] == [s.article_id for s in first.suggestions]


@pytest.mark.unit
def test_trivial_turns_return_the_cards_still_shown() -> None:
    eng, _ = engine()
    context = CallContext("bottrop")
    shown = eng.on_utterance(context, "caller", "ich muss sperrmüll anmelden").suggestions
    later = eng.on_utterance(context, "caller", "ja genau")
    assert later.outcome == "trivial" and not later.changed
    assert [s.article_id for s in later.suggestions] == [s.article_id for s in shown]


@pytest.mark.unit
def test_a_turn_pointing_clearly_elsewhere_opens_a_new_concern() -> None:
    eng, retriever = engine()
    context = CallContext("bottrop")
    eng.on_utterance(context, "caller", "die alte couch muss weg, sperrmüll")
    outcome = eng.on_utterance(context, "caller", "und wir haben jetzt einen hund angeschafft")
    assert outcome.topic_changed and outcome.topic == 1
    assert [s.article_id for s in outcome.suggestions][:1] == ["bottrop/hundesteuer"]
    assert "bottrop/sperrmuell" not in context.evidence
    eng.on_utterance(context, "caller", "was muss ich da machen")
    assert not any("couch" in q for q, _ in retriever.queries[-2:]), "the old concern left the window"


@pytest.mark.unit
def test_an_unsure_new_concern_keeps_the_previous_cards_as_maybe_after_its_own() -> None:
    """The topic-change model (no cue) opens a new concern whose card is only ``maybe`` (the threshold
    set out of reach): the previous concern's card stays, as ``maybe``, after the new one; the turn may
    be a detail of the old matter. Not with the switch off, not when the new concern has an ``answer``
    card, and not after an explicit cue."""

    def after_change(second: str, **config: float | bool) -> list[tuple[str, str]]:
        eng, _ = engine(**config)
        context = CallContext("bottrop")
        eng.on_utterance(context, "caller", "die alte couch muss weg, sperrmüll")
        outcome = eng.on_utterance(context, "caller", second)
        assert outcome.topic_changed
        shown = [(s.article_id, s.tier, s.reason) for s in outcome.suggestions]
        assert [(c["article_id"], c["tier"], c["reason"]) for c in context.cards] == shown
        return shown

    turn = "und wir haben jetzt einen hund angeschafft"
    dog = ("bottrop/hundesteuer", "maybe", "unsure")
    assert after_change(turn, answer_threshold=0.99) == [dog, ("bottrop/sperrmuell", "maybe", "earlier")]
    assert after_change(turn, answer_threshold=0.99, keep_unsure_cards=False) == [dog]
    assert after_change(turn) == [("bottrop/hundesteuer", "answer", "confident")]
    cued = "ich hätte noch eine andere frage, wir haben jetzt einen hund angeschafft"
    assert after_change(cued, answer_threshold=0.99) == [dog]


@pytest.mark.unit
def test_an_article_the_turn_names_word_for_word_gets_more_evidence() -> None:
    """A title or synonym the caller says word for word ("hundesteuer") adds ``named_evidence`` / rank / 2
    to the article's evidence (not to how often it led the rankings); nothing with the setting at 0, and
    nothing for a named article no ranking found (a card needs its passage)."""

    def evidence(text: str, scores: dict[str, dict[str, tuple[float, float]]], **config: float) -> dict[str, float]:
        eng, _ = engine(**config)
        eng.retriever = ScriptedRetriever(scores)
        context = CallContext("bottrop")
        eng.on_utterance(context, "caller", text)
        return dict(context.evidence)

    turn = "die hundesteuer und der reisepass"
    named, plain = evidence(turn, SCORES), evidence(turn, SCORES, named_evidence=0.0)
    # "hundesteuer" is the longer title, so it is named first: 0.5 / 1 / 2, "reisepass" 0.5 / 2 / 2.
    assert named["bottrop/hundesteuer"] == pytest.approx(plain["bottrop/hundesteuer"] + 0.25)
    assert named["bottrop/reisepass"] == pytest.approx(plain["bottrop/reisepass"] + 0.125)
    assert evidence(turn, {}) == {}


@pytest.mark.unit
def test_short_confident_fragment_does_not_change_the_concern() -> None:
    """One content word ("hundesteuer") that alone points clearly elsewhere keeps the concern: the rule
    is ``topic_change_words``. With the rule relaxed to one word the same turn changes the concern, so
    the first assertion holds because of the rule, not because the fragment is trivial."""
    for words, changes in ((2, False), (1, True)):
        eng, _ = engine(topic_change_words=words)
        context = CallContext("bottrop")
        eng.on_utterance(context, "caller", "die alte couch muss weg")
        outcome = eng.on_utterance(context, "caller", "hundesteuer")
        assert is_meaningful("hundesteuer") and outcome.outcome != "trivial"
        assert outcome.topic_changed is changes, f"topic_change_words={words}"


@pytest.mark.unit
def test_explicit_cue_changes_the_concern_even_without_a_clear_hit() -> None:
    eng, _ = engine()
    context = CallContext("bottrop")
    eng.on_utterance(context, "caller", "die alte couch muss weg")
    outcome = eng.on_utterance(context, "caller", "ich hätte noch eine andere frage zum wetter")
    assert outcome.topic_changed
    assert "bottrop/sperrmuell" not in [s.article_id for s in outcome.suggestions]


@pytest.mark.unit
def test_foreign_language_turn_is_searched_both_ways() -> None:
    """The retriever turns a question in another language into the glossary's German words for its
    lexical half (tests/test_foreign_terms.py); the engine asks for both rankings as for German."""
    eng, retriever = engine()
    eng.on_utterance(CallContext("bottrop"), "caller", "how do I get a new ausweis for my son")
    assert {m for _, m in retriever.queries} == {"dense", "lexical"}


@pytest.mark.unit
def test_call_context_round_trips_through_json() -> None:
    eng, _ = engine()
    context = CallContext("bottrop")
    eng.on_utterance(context, "agent", "Was kann ich für Sie tun?")
    eng.on_utterance(context, "caller", "mein ausweis ist abgelaufen")
    state = json.loads(json.dumps(context.to_state()))
    restored = CallContext.from_state(state)
    assert restored == context
    again = eng.on_utterance(restored, "caller", "was kostet das")
    same = eng.on_utterance(context, "caller", "was kostet das")
    assert again == same


@pytest.mark.unit
def test_the_fitted_confidence_file_loads_and_is_bounded() -> None:
    model = load_concern_confidence()
    features = {"dense_rank": 1.0, "lexical_rank": 1.0, "cosine": 0.9, "evidence_share": 1.0, "presence": 1.0}
    strong, weak = model(features), model({"cosine": 0.7})
    assert 0.0 <= weak < strong <= 1.0


@pytest.mark.unit
def test_answer_extraction_picks_the_sentence_that_matches() -> None:
    extractor = AnswerExtractor(make_analyzer("char4"), [passage(a) for a in ARTICLES])
    answer = extractor.extract("was kostet die hundesteuer", passage("bottrop/hundesteuer"), [])
    assert answer.answer == "Die Steuer kostet 120 Euro."
    fallback = extractor.extract("xyz", passage("bottrop/hundesteuer"), [])
    assert fallback.answer.startswith("Hunde melden Sie")


@pytest.mark.unit
def test_answers_carry_no_markdown() -> None:
    extractor = AnswerExtractor(make_analyzer("char4"), [passage(a) for a in ARTICLES])
    text = "Bitte beachten:\n- **Hund:** Hunde melden Sie extra an.\n- Auto: ummelden."
    listed = Passage("x#1", "bottrop/x", "bottrop", "Anmelden", "Hinweise", text)
    answer = extractor.extract("hund anmelden", listed, [])
    assert answer.answer == "Hund: Hunde melden Sie extra an.", "one list item, never a run of bullets"
    assert answer.snippet == "Bitte beachten: Hund: Hunde melden Sie extra an. Auto: ummelden."


@pytest.mark.unit
def test_cost_question_finds_the_fees_sentence_without_the_word() -> None:
    extractor = AnswerExtractor(make_analyzer("char4"), [passage(a) for a in ARTICLES])
    text = "Den Pass beantragen Sie persönlich. Die Gebühr beträgt 70 Euro, z. B. für Erwachsene."
    fees = Passage("x#1", "bottrop/x", "bottrop", "Pass", "Das Wichtigste", text)
    answer = extractor.extract("und was muss ich da bezahlen", fees, [])
    assert answer.answer == "Die Gebühr beträgt 70 Euro, z. B. für Erwachsene."


@pytest.mark.unit
def test_the_service_sends_the_full_card_set_again_when_a_follow_up_changes_an_answer(
    knowledge_base: KnowledgeBase,
) -> None:
    eng, retriever = engine()
    store = CallStore("sqlite://")
    service = CallService(store, eng, retriever, HashingFakeEncoder(16), knowledge_base, GermanRedactor())
    call = service.open_call(city="bottrop").call
    service.utterance(call.id, "caller", "mein kind braucht einen reisepass, der ausweis reicht nicht")
    service.utterance(call.id, "caller", "ja genau")
    reply = service.utterance(call.id, "caller", "müssen da beide eltern mit")
    assert reply is not None
    events = [e for e in store.events_since(call.id, 0) if e.type == "suggestions"]
    assert len(events) == 2, "sent on the first turn and again when the answer changed, not on 'ja genau'"
    last = events[-1].payload["suggestions"]
    assert [s["article_id"] for s in last] == [s.article_id for s in reply.suggestions]
    assert [s["rank"] for s in last] == list(range(1, len(last) + 1))
    assert {s["tier"] for s in last} <= {"answer", "maybe"}
    assert any(s["answer"] == "Bei Kindern müssen beide Elternteile zustimmen." for s in last)


@pytest.mark.unit
def test_coverage_says_how_much_of_the_callers_words_the_article_uses() -> None:
    vocabulary = ArticleVocabulary([passage(a) for a in ARTICLES])
    said = ["hundesteuer", "gebühren", "wochen"]
    dog, waste = vocabulary.coverage("bottrop/hundesteuer", said), vocabulary.coverage("bottrop/sperrmuell", said)
    assert dog == (2 + 1) / (3 + 2)  # "hunde..." and "wochen" (stems of five letters), not "gebühren"
    assert waste == (0 + 1) / (3 + 2)
    assert vocabulary.coverage("bottrop/hundesteuer", ["Hündin"]) == vocabulary.coverage("x/unknown", ["hündin"])
    assert vocabulary.coverage("bottrop/hundesteuer", []) == 0.5
    # An uncovered matter ("Wespennest im Rollladenkasten") is far from every article's words.
    assert vocabulary.coverage("bottrop/sperrmuell", ["wespennest", "rollladenkasten"]) == 0.25


@pytest.mark.unit
def test_distinct_coverage_weighs_the_words_few_articles_use() -> None:
    """Both articles use "Bürgerbüro" (as "beantragen"), only the passport article "Elternteile": a
    caller's "eltern" missing from the ID card article weighs more than a missing common word."""
    vocabulary = ArticleVocabulary([passage(a) for a in ARTICLES])
    common, rare = ["bürgerbüro"], ["elternteil"]
    for article in ("bottrop/personalausweis", "bottrop/reisepass"):
        assert vocabulary.distinct_coverage(article, common) > 0.5  # every article with it covers it
    assert vocabulary.distinct_coverage("bottrop/reisepass", rare) > 0.5
    missing_rare = vocabulary.distinct_coverage("bottrop/personalausweis", [*common, *rare])
    plain_share = vocabulary.coverage("bottrop/personalausweis", [*common, *rare])
    assert missing_rare < plain_share, "the missing word is distinctive, so it costs more than its count"
    assert vocabulary.distinct_coverage("bottrop/reisepass", []) == 0.5


@pytest.mark.unit
def test_every_candidate_carries_the_coverage_of_the_concerns_words() -> None:
    eng, _ = engine()
    said = "mein hund braucht ne hundemarke"
    outcome = eng.on_utterance(CallContext("bottrop"), "caller", said)
    words = [w for w in content_words(said) if len(w) >= 5]
    assert outcome.candidates and words
    for candidate in outcome.candidates:
        assert candidate.features["coverage"] == eng.vocabulary.coverage(candidate.article_id, words)
    assert outcome.candidates[0].features["coverage"] > eng.vocabulary.coverage("bottrop/sperrmuell", words)


@pytest.mark.unit
def test_answer_extraction_prepares_passages_once_and_follows_a_changed_text() -> None:
    extractor = AnswerExtractor(make_analyzer("char4"), [passage(a) for a in ARTICLES])
    known = passage("bottrop/hundesteuer")
    assert extractor._prepared_for(known) is extractor._prepared_for(known), "split and tokenized at construction"
    edited = Passage(known.id, known.article_id, known.city, known.title, known.heading, "Die Steuer kostet 99 Euro.")
    assert extractor.extract("was kostet die hundesteuer", edited, []).answer == "Die Steuer kostet 99 Euro."
    unknown = Passage("neu#1", "bottrop/neu", "bottrop", "Neu", "Kosten", "Das kostet nichts. Es geht schnell.")
    assert extractor.extract("was kostet das", unknown, []).answer == "Das kostet nichts."


def _article(*sections: tuple[str, str]) -> list[Passage]:
    return [
        Passage(f"bottrop/einbuergerung#{i}", "bottrop/einbuergerung", "bottrop", "Einbürgerung", heading, text)
        for i, (heading, text) in enumerate(sections, start=1)
    ]


@pytest.mark.unit
def test_the_fee_sentence_answers_a_cost_question_before_a_later_sentence_that_repeats_its_word() -> None:
    sections = _article(
        ("Das Wichtigste", "Den Antrag stellen Sie schriftlich. Die Gebühr beträgt 255 Euro pro erwachsener Person."),
        ("Kinder", "Minderjährige Kinder, die mit den Eltern eingebürgert werden, kosten je 51 Euro."),
    )
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    answer = extractor.extract("ah dat is gut und wat kostet dat", sections[1], sections)
    assert answer.answer == "Die Gebühr beträgt 255 Euro pro erwachsener Person."
    assert answer.heading == "Das Wichtigste"


@pytest.mark.unit
def test_a_question_without_the_articles_words_gets_the_sentence_of_the_kind_it_asks_for() -> None:
    sections = _article(
        ("Das Wichtigste", "Eingebürgert wird, wer seit fünf Jahren hier lebt. Zuständig ist das Bürgerbüro."),
        ("Antrag", "Den Antrag gibt es auch über das Serviceportal auf www.bottrop.de."),
        ("Einbürgerungstest", "Den Test legen Sie an einer Volkshochschule ab."),
    )
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    answer = extractor.extract("und geht dat auch vom sofa aus", sections[0], sections)
    assert answer.answer == "Den Antrag gibt es auch über das Serviceportal auf www.bottrop.de."
    nothing_asked = extractor.extract("aha", sections[0], sections)
    assert nothing_asked.answer == "Eingebürgert wird, wer seit fünf Jahren hier lebt.", "answer first"


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "sentence"),
    [
        ("wir wolln n carport bauen brauch ich da ne genehmigung", "Gartenhaus und Carport sind oft verfahrensfrei."),
        ("kann ich mir die schule aussuchen oder geht dat nach wohnort", "Man kann auch eine andere Schule wählen."),
    ],
)
def test_a_permit_or_school_choice_question_gets_the_sentence_that_says_so(question: str, sentence: str) -> None:
    """Callers ask "brauch ich da ne genehmigung" and "kann ich mir die schule aussuchen" in words the
    answering sentences do not use ("verfahrensfrei", "wählen")."""
    bauen = "Bauanträge prüft die Bauaufsicht im Rathaus. Gartenhaus und Carport sind oft verfahrensfrei."
    schule = "Die Anmeldung für das Schuljahr ist im Oktober. Man kann auch eine andere Schule wählen."
    sections = _article(("Bauen", bauen), ("Schule", schule))
    assert AnswerExtractor(make_analyzer("char4"), sections).extract(question, sections[0], sections).answer == sentence


@pytest.mark.unit
def test_units_carry_the_parts_of_their_score_in_reading_order() -> None:
    sections = _article(
        ("Das Wichtigste", "Die Gebühr beträgt 255 Euro. Zuständig ist das Bürgerbüro."),
        ("Termin", "Termine gibt es online."),
    )
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    units = extractor.units("was kostet die einbürgerung", sections)
    assert [u.text for u in units] == [
        "Die Gebühr beträgt 255 Euro.",
        "Zuständig ist das Bürgerbüro.",
        "Termine gibt es online.",
    ]
    assert [u.position for u in units] == [0.0, 0.5, 1.0]
    assert [u.answers_kind for u in units] == [1.0, 0.0, 0.0]
    assert max(u.overlap for u in units) == 1.0
    assert [(u.passage, u.index) for u in units] == [(0, 0), (0, 1), (1, 0)]


@pytest.mark.unit
def test_a_documents_question_gets_an_item_of_the_documents_list_not_a_sentence_naming_documents() -> None:
    sections = _article(
        ("Das Wichtigste", "Den Antrag stellen Sie im Bürgerbüro. Er wird in vier Wochen bearbeitet."),
        ("Mitbringen", "Zum Termin bringen Sie mit:\n- gültiger Pass\n- Meldebescheinigung"),
        ("Hinweise", "Fehlende Unterlagen können Sie nachreichen. Der Bescheid kommt per Post."),
        ("Kosten", "Die Gebühr beträgt 255 Euro. Kinder zahlen 51 Euro."),
    )
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    answer = extractor.extract("wat brauch ich denn da alles für unterlagen", sections[0], sections)
    assert answer.answer == "gültiger Pass"
    assert [i.name for i in extractor.intents("brauch ich da n termin")] == ["appointment"], "not documents"
    assert [i.name for i in extractor.intents("wat brauch ich da")] == ["documents"]


@pytest.mark.unit
def test_a_list_items_lead_in_comes_with_what_it_says() -> None:
    """ "**Titel schon abgelaufen:** Sofort Antrag stellen." is one list item: when its lead-in
    matches the question best, the agent reads the whole item, not "Titel schon abgelaufen:"."""
    sections = (
        Passage("x/titel#1", "x/titel", "x", "Titel", "Sonderfälle am Telefon",
                "- **Titel schon abgelaufen:** Sofort Antrag stellen.\n- **Umzug:** Neue Adresse melden."),
    )  # fmt: skip
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    answer = extractor.extract("und wenn der titel schon abgelaufen is", sections[0], sections)
    assert answer.answer == "Titel schon abgelaufen: Sofort Antrag stellen."


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "question", "expected"),
    [
        (
            "Regelfälligkeiten: 15. Februar, 15. Mai, 15. August und 15. November. Auf Antrag geht eine Jahreszahlung.",
            "und wann muss ich dat bezahlen",
            "Regelfälligkeiten: 15. Februar, 15. Mai, 15. August und 15. November.",
        ),
        (
            "Meldefrist für das kommende Kita-Jahr: 1. November. Zusagen zum Jahresende.",
            "bis wann muss ich den anmelden",
            "Meldefrist für das kommende Kita-Jahr: 1. November.",
        ),
    ],
)
def test_a_date_after_a_lead_in_keeps_its_day(text: str, question: str, expected: str) -> None:
    """A sentence inside a paragraph that starts with a number ("1. November" after "Meldefrist ...:")
    is a date, not a numbered list item: the agent reads the day too, never "Meldefrist ...: November."."""
    sections = (Passage("x/frist#1", "x/frist", "x", "Frist", "Fristen", text),)
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    assert extractor.extract(question, sections[0], sections).answer == expected


@pytest.mark.unit
def test_what_a_lead_in_says_comes_with_its_lead_in() -> None:
    """A sentence that follows a lead-in of its own paragraph ("Zeugnisse aus der Schule:") is read with
    it: "12 Euro pro Seite." alone does not say what costs 12 Euro."""
    text = "Beglaubigungen gibt es im Bürgerbüro. Zeugnisse aus der Schule: 12 Euro pro Seite. Termine online."
    sections = (Passage("x/kopie#1", "x/kopie", "x", "Kopie", "Hinweise", text),)
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    answer = extractor.extract("und wat kost dat pro seite", sections[0], sections).answer
    assert answer == "Zeugnisse aus der Schule: 12 Euro pro Seite."


@pytest.mark.unit
def test_an_article_found_by_the_turns_gist_alone_is_ranked_by_its_better_cosine() -> None:
    """The window's dense ranking misses an article that the turn's content words find: the article
    enters the dense ranking with the gist's cosine, ahead of the window's weaker hits."""

    class TalkyWindowRetriever(ScriptedRetriever):
        def search(
            self, query: str, city: str, k: int = 5, mode: SearchMode | None = None, best_passage: bool = True
        ) -> list[ArticleHit]:
            hits = super().search(query, city, k, mode)
            if mode == "dense" and "abgelaufen" in query and " dat " in f" {query} ":
                return [h for h in hits if h.article_id != "bottrop/reisepass"]  # the talk buries it
            return hits

    retriever = TalkyWindowRetriever(
        {"reisepass": {"bottrop/reisepass": (0.9, 0.5)}, "abgelaufen": {"bottrop/personalausweis": (0.6, 0.2)}}
    )
    eng, _ = engine(turn_focus=False, turn_card=False)  # counts the gist's searches only (the focus: its own test)
    eng.retriever = retriever
    window = "und dann noch wat mein reisepass is abgelaufen schaff ich dat noch"
    found = eng._rank(window, "bottrop", gist="reisepass abgelaufen")
    assert found.dense == {"bottrop/reisepass": (1, 0.9), "bottrop/personalausweis": (2, 0.6)}
    assert found.hits["bottrop/reisepass"].dense_score == 0.9
    assert retriever.embedded == [[window, "reisepass abgelaufen"]]
    alone = eng._rank(window, "bottrop")
    assert list(alone.dense) == ["bottrop/personalausweis"], "the window alone misses it"
    context = CallContext("bottrop")
    dense_per_turn = []
    for turn in ("mein reisepass is abgelaufen", "wat kostet der reisepass", "und wie lange dauert dat beim reisepass"):
        before = len(retriever.queries)
        eng.on_utterance(context, "caller", turn)
        dense_per_turn.append(sum(1 for _, mode in retriever.queries[before:] if mode == "dense"))
    assert dense_per_turn == [2, 2, 1], "the gist on the concern's first two turns (gist_turns), then the window alone"
    off, _ = engine(search_gist=False, turn_focus=False, turn_card=False)
    off.retriever = retriever
    before = len(retriever.queries)
    off.on_utterance(CallContext("bottrop"), "caller", window)
    assert [q for q, mode in retriever.queries[before:] if mode == "dense"] == [window], "switched off: no gist"


@pytest.mark.unit
def test_an_answer_card_the_caller_has_left_behind_becomes_maybe() -> None:
    """A topic change the engine misses (no cue it knows, the topic-change model not firing): the next
    turn's own words point, lexically and densely alike, at the ID card, so the bulky-waste card that was
    the answer stays only as ``maybe``; with ``turn_focus`` off it stays the answer."""
    tiers = {}
    for focus in (True, False):
        eng, retriever = engine(turn_focus=focus, turn_card=False, topic_change_threshold=1.01)
        context = CallContext("bottrop")
        eng.on_utterance(context, "caller", "ich will meinen sperrmüll anmelden")
        first = eng.on_utterance(context, "caller", "die alte couch und der sperrmüll")
        assert [(s.article_id, s.tier) for s in first.suggestions][:1] == [("bottrop/sperrmuell", "answer")]
        before = len(retriever.queries)
        moved = eng.on_utterance(context, "caller", "okay nächster zettel mein ausweis is weg")
        assert not moved.topic_changed
        tiers[focus] = {s.article_id: (s.tier, s.reason) for s in moved.suggestions}
        dense = [q for q, mode in retriever.queries[before:] if mode == "dense"]
        assert ("zettel ausweis" in " ".join(dense)) is focus, "the turn's content words searched alone"
    assert tiers[True]["bottrop/sperrmuell"] == ("maybe", "moved_on")
    assert tiers[False]["bottrop/sperrmuell"] == ("answer", "confident")


@pytest.mark.unit
@pytest.mark.parametrize(
    ("turn", "article"),
    [
        ("wie is dat mit der hundesteuer bei uns im garten", "bottrop/hundesteuer"),  # named: its title
        ("okay mein ausweis is weg", "bottrop/personalausweis"),  # pointed at: lexically and densely alike
    ],
)
def test_an_article_the_continuing_turn_names_or_points_at_gets_a_maybe_card(turn: str, article: str) -> None:
    """A turn that continues the bulky-waste concern names the dog tax (or points at the ID card): the
    concern's evidence does not raise it yet, so it comes as a ``maybe`` card after the concern's own,
    which keeps its tier (``turn_focus`` off here: its own test); with ``turn_card`` off it does not come."""
    shown = {}
    for on in (True, False):
        eng, _ = engine(turn_card=on, turn_focus=False, topic_change_threshold=1.01)
        context = CallContext("bottrop")
        eng.on_utterance(context, "caller", "ich will meinen sperrmüll anmelden")
        eng.on_utterance(context, "caller", "die alte couch und der sperrmüll")
        outcome = eng.on_utterance(context, "caller", turn)
        assert not outcome.topic_changed
        shown[on] = [(s.article_id, s.tier, s.reason, s.rank, s.new) for s in outcome.suggestions]
        assert [c["article_id"] for c in context.cards] == [a for a, *_ in shown[on]]
    waste = ("bottrop/sperrmuell", "answer", "confident", 1, False)
    assert shown[True] == [waste, (article, "maybe", "named", 2, True)]
    assert shown[False] == [waste]


@pytest.mark.unit
def test_the_named_articles_are_looked_up_for_the_turn_card_without_named_evidence() -> None:
    """The turn card uses the articles the turn names even where ``named_evidence`` is 0; with both off the
    retriever is not asked."""

    class CountingRetriever(ScriptedRetriever):
        asked = 0

        def named_articles(self, query: str, city: str) -> list[str]:
            self.asked += 1
            return super().named_articles(query, city)

    for config, asked in (({}, 1), ({"named_evidence": 0.0}, 1), ({"named_evidence": 0.0, "turn_card": False}, 0)):
        eng, _ = engine(**config)
        eng.retriever = retriever = CountingRetriever(SCORES)
        eng.on_utterance(CallContext("bottrop"), "caller", "die hundesteuer")
        assert retriever.asked == asked, config


@pytest.mark.unit
def test_a_turn_card_takes_the_last_maybe_place_never_an_answer() -> None:
    """With all cards taken, the article the turn names replaces the last ``maybe`` card; it never takes
    an ``answer`` card's place, and an article already shown gets no second card (the turn's focus is
    next in line)."""
    eng, retriever = engine()
    context = CallContext("bottrop")
    dog = retriever.search("hund", "bottrop", mode="dense")[0]
    card = {
        a: eng.describe("frage", retriever.search(word, "bottrop", mode="dense")[0], 1)
        for a, word in (("sperrmuell", "sperrmüll"), ("reisepass", "reisepass"), ("ausweis", "ausweis"))
    }
    named = _Rankings(named=["bottrop/hundesteuer"], hits={"bottrop/hundesteuer": dog})
    three = [card["sperrmuell"], card["reisepass"], replace(card["ausweis"], tier="maybe")]
    after = eng._turn_card(context, "und der hund", "und der hund", named, [], three)
    assert [(s.article_id, s.tier, s.rank) for s in after] == [
        ("bottrop/sperrmuell", "answer", 1),
        ("bottrop/reisepass", "answer", 1),
        ("bottrop/hundesteuer", "maybe", 3),
    ]
    assert context.pushed == ["bottrop/hundesteuer"]
    answers = [card["sperrmuell"], card["reisepass"], card["ausweis"]]
    assert eng._turn_card(context, "und der hund", "", named, [], answers) == answers
    focus = _Rankings(named=["bottrop/sperrmuell"], hits={"bottrop/sperrmuell": card["sperrmuell"]}, focus_hit=dog)
    after = eng._turn_card(context, "und der hund", "", focus, [], [card["sperrmuell"]])
    assert [(s.article_id, s.new) for s in after] == [("bottrop/sperrmuell", True), ("bottrop/hundesteuer", False)]
    assert eng._turn_card(context, "", "", _Rankings(named=["bottrop/sperrmuell"]), [], []) == []


@pytest.mark.unit
def test_the_turns_focus_needs_its_lexical_and_dense_rankings_to_agree() -> None:
    """The article the turn alone points at is set only when its dense search's top agrees with its
    lexical top; the focus text is embedded in the same request as the window."""
    eng, retriever = engine(turn_card=False)
    window = "die couch is raus mein ausweis is weg"
    agree = eng._rank(window, "bottrop", focus="ausweis weg", pointed="bottrop/personalausweis")
    assert agree.focus == "bottrop/personalausweis"
    assert retriever.embedded[-1] == [window, "ausweis weg"]
    disagree = eng._rank(window, "bottrop", focus="ausweis weg", pointed="bottrop/reisepass")
    assert disagree.focus is None
    assert eng._rank(window, "bottrop").focus is None, "no focus text: nothing checked"
    same = eng._rank(
        "ausweis weg", "bottrop", gist="ausweis weg", focus="ausweis weg", pointed="bottrop/personalausweis"
    )
    assert same.focus == "bottrop/personalausweis", "a gist that is the window: the window's dense hits are its own"
    # Without ``turn_card``, the focus text is embedded only where it can take an ``answer`` card away.
    alone = [("bottrop/personalausweis", 0.8)]
    said = "okay mein ausweis is weg"
    context = CallContext("bottrop", cards=[{"article_id": "bottrop/sperrmuell", "tier": "answer"}])
    assert eng._focus_text(context, said, False, alone) == "ausweis weg"
    assert eng._focus_text(context, said, True, alone) == "", "a new concern has no cards to check"
    assert eng._focus_text(context, said, False, []) == "", "the turn found nothing lexically"
    context.cards[0]["tier"] = "maybe"
    assert eng._focus_text(context, said, False, alone) == "", "no answer card"
    context.cards[0].update(article_id="bottrop/personalausweis", tier="answer")
    assert eng._focus_text(context, said, False, alone) == "", "the answer is what the turn points at"
    with_cards, _ = engine(turn_focus=False)
    assert with_cards._focus_text(context, said, False, alone) == "ausweis weg", "turn_card: every continuing turn"
    assert with_cards._focus_text(context, said, True, alone) == ""
    assert with_cards._focus_text(context, said, False, []) == ""


@pytest.mark.unit
@pytest.mark.parametrize(
    ("text", "closing"),
    [
        ("okay erst bamf dann schule gut shukran danke schön", True),
        ("na toll dann ruf ich da an danke trotzdem", True),
        ("ja danke sie sind ein schatz tschüss", True),
        ("alles klar dann mach ich dat online, schönen tag noch!", True),
        ("danke ja also der is im krankenhaus geboren und wir brauchen die urkunde", False),
        ("und wat kostet dat", False),
        ("die danke schön karte von der stadt wo krieg ich die her", False),
    ],
)
def test_a_turn_ending_with_thanks_or_a_goodbye_is_closing(text: str, closing: bool) -> None:
    assert is_closing(text) is closing


@pytest.mark.unit
def test_a_closing_turn_changes_no_card_but_a_question_before_the_thanks_is_answered() -> None:
    """A turn like "gut dann mach ich dat mit dem hund später danke schön" names an article, but the caller
    is saying goodbye: the cards stay as they were; a turn that asks something before its thanks counts."""
    eng, _ = engine()
    context = CallContext("bottrop")
    eng.on_utterance(context, "caller", "die alte couch muss weg, sperrmüll")
    before = [(c["article_id"], c["tier"]) for c in context.cards]
    closing = eng.on_utterance(context, "caller", "gut dann mach ich dat mit dem hund später danke schön")
    assert closing.outcome == "trivial"
    assert [(s.article_id, s.tier) for s in closing.suggestions] == before
    assert context.concern_turns == 1, "the closing turn did not join the concern"
    asking = eng.on_utterance(context, "caller", "und wat kostet der sperrmüll danke")
    assert asking.outcome != "trivial" and context.concern_turns == 2
    off, _ = engine(close_turns=False)
    other = CallContext("bottrop")
    off.on_utterance(other, "caller", "die alte couch muss weg, sperrmüll")
    assert (
        off.on_utterance(other, "caller", "gut dann mach ich dat mit dem hund später danke schön").outcome != "trivial"
    )


@pytest.mark.unit
def test_only_a_card_that_was_already_the_answer_is_left_behind() -> None:
    """A card that becomes the answer at this turn stays the answer whatever the turn points at: the
    concern's evidence raised it; one that already was the answer is left behind."""
    context = CallContext("bottrop", cards=[{"article_id": "bottrop/sperrmuell", "tier": "answer"}])
    pointed = _Rankings(focus="bottrop/personalausweis")
    assert SuggestionEngine._left_behind("bottrop/sperrmuell", pointed, context)
    assert not SuggestionEngine._left_behind("bottrop/hundesteuer", pointed, context), "not the answer before"
    assert not SuggestionEngine._left_behind("bottrop/personalausweis", pointed, context), "the one it points at"
    assert not SuggestionEngine._left_behind("bottrop/sperrmuell", _Rankings(), context), "no focus"
    context.cards[0]["tier"] = "maybe"
    assert not SuggestionEngine._left_behind("bottrop/sperrmuell", pointed, context)


@pytest.mark.unit
def test_where_and_how_questions_are_answered_by_overlap_and_place_not_by_kind() -> None:
    """A place or a step of the procedure is named by about a quarter of all sentences, so the kind
    is not scored: "wo muss ich da hin" is still a question (a follow-up), adds its words, but the
    opening sentence that says where wins over a later one that merely mentions an office."""
    sections = article_sections(
        "Ausweis",
        ("Das Wichtigste", "Den Ausweis beantragt man persönlich im Bürgerbüro. Er kostet 37 Euro."),
        ("Sonderfälle", "Wer umzieht, meldet die neue Adresse im Rathaus oder im Stadthaus."),
    )
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    question = "und wo muss ich da hin"
    assert {i.name for i in extractor.intents(question)} == {"place"}
    units = extractor.units(question, sections)
    assert all(u.answers_kind == 0.0 for u in units)
    answer = extractor.extract(question, sections[0], sections)
    assert answer.answer == "Den Ausweis beantragt man persönlich im Bürgerbüro."
    costs = {u.text: u.answers_kind for u in extractor.units("und wat kostet dat", sections)}
    assert costs["Er kostet 37 Euro."] == 1.0, "other kinds are still scored"


@pytest.mark.unit
def test_documents_are_answered_by_the_items_of_the_documents_list() -> None:
    """A step of a numbered list that mentions the documents ("prüft die Unterlagen") counts half for
    "wat brauch ich da an unterlagen", an item of the list under "Unterlagen" fully."""
    sections = article_sections(
        "Ehe",
        ("Was ist zu tun", "1. Termin buchen.\n2. Das Standesamt prüft die Unterlagen und bestätigt den Termin."),
        ("Unterlagen", "- gültige Personalausweise oder Pässe\n- beglaubigter Ausdruck aus dem Geburtenregister"),
    )
    extractor = AnswerExtractor(make_analyzer("char4"), sections)
    kinds = {u.text: u.answers_kind for u in extractor.units("wat braucht man da so an unterlagen", sections)}
    assert kinds["gültige Personalausweise oder Pässe"] == 1.0
    assert kinds["Das Standesamt prüft die Unterlagen und bestätigt den Termin."] == 0.5, "an item of another list"
    assert kinds["Termin buchen."] == 0.0


@pytest.mark.unit
@pytest.mark.parametrize(
    ("question", "asks", "not_asked"),
    [
        ("und die versicherung und die steuer hört dat dann auf", set(), {"costs"}),  # Steuer is not teuer
        ("is dat teuer", {"costs"}, set()),
        ("muss ich da wat bezahlen", {"costs"}, set()),
        ("und wann muss ich dat bezahlen einmal im jahr", {"instalments"}, {"costs"}),  # when, not how much
        ("wann muss ich dat bezahlen und wat kostet dat", {"costs", "instalments"}, set()),
        ("müssen da beide eltern mitkommen", {"parents"}, set()),
        ("müssen wir da beide hin", {"parents"}, set()),
        ("braucht der papa auch zu unterschreiben", {"parents"}, set()),
        ("wir sind beide aus bottrop", set(), {"parents"}),  # "beide" alone is context
        ("kann er dat auch in kirchhellen machen da wohnt seine mutter", set(), {"parents"}),
        ("ich will kein ärger mitm nachbarn", set(), {"deadline"}),
        ("kriegt die da getz ärger weil dat schon zwei monate drüber is", {"consequences"}, set()),
        ("und wat passiert wenn der termin erst nach dem ablauf is", {"consequences"}, set()),
        ("und mein vatter kann kaum deutsch kann ich dat für die machen", {"in person or by proxy"}, set()),
        ("reicht dat wenn ich alleine hingeh", {"in person or by proxy"}, set()),
        ("ich bin alleinerziehend mit zwei kindern", set(), {"in person or by proxy"}),
        ("und wie lang hebt dat fundbüro so wat auf", {"duration"}, set()),
        ("und wat muss die da alles mitnehmen", {"documents"}, set()),
        ("und wie lange gilt der dann", {"validity"}, set()),
        ("ja genau wie mach ich dat", {"procedure"}, set()),
        ("wat mach ich mit den alten schildern", {"procedure"}, set()),
        ("ich mach mich selbstständig muss ich da son gewerbe schein holen", set(), {"in person or by proxy"}),
        ("selbstverständlich, aber kann ich dat auch selber machen", {"in person or by proxy"}, set()),
        ("jedes wochenende party bis vier uhr morgens", set(), {"duration"}),  # not "Wochen"
        ("dat is dauerhaft so", set(), {"duration"}),
        ("dauert dat n paar wochen", {"duration"}, set()),
        ("der flug is in fünf wochen, geht dat noch", set(), {"duration"}),  # a date as context
        ("die wollen wissen wo ich vorher gewohnt hab", set(), {"how early"}),
        ("kann ich da schon vorher per post wählen", {"how early", "by post"}, set()),
        ("und wie viel is dat im jahr für einen hund", {"costs"}, set()),  # "wie viel" alone asks the price
        ("wie viel zeit hab ich da", set(), {"costs"}),
        ("wie viele hunde darf ich halten", set(), {"costs"}),
        ("wat muss ich da allet einreichen", {"documents"}, set()),
        ("wo kann ich den antrag einreichen", {"place"}, {"documents"}),
        ("kann dat mein sohn nachher für uns machen", {"in person or by proxy"}, set()),
        ("wann muss man dat anmelden wir wolln im mai heiraten", {"deadline"}, set()),  # when to register
        ("wann muss ich den anmelden inne grundschule", {"deadline"}, set()),
        ("und wann muss ich dat bezahlen", set(), {"deadline"}),
        ("und wenn ich schon weg bin kann dat mein sohn machen", {"in person or by proxy"}, set()),
        ("und meine frau kann ich die gleich mit ummelden", {"in person or by proxy"}, set()),
        ("wann hat denn dat bürgerbüro in hamborn auf", {"opening hours"}, set()),
        ("ham die samstags auf?", {"opening hours"}, set()),
        ("wann sind die auf der straße", set(), {"opening hours"}),
        ("kann man da anrufen oder muss man da hin", {"in person or by proxy"}, set()),
        ("wo muss ich da hin", {"place"}, {"in person or by proxy"}),
        ("mein reisepass is abgelaufen schaff ich dat noch", {"duration"}, set()),
        ("und wie schnell geht dat", {"duration"}, set()),
        ("andere sache meine aufenthalts erlaubnis läuft ab wann muss ich mich da kümmern", {"deadline"}, set()),
        ("muss der kleine da mit hin oder reicht wenn ich komm", {"in person or by proxy"}, set()),
        ("müssen da beide eltern mit hin", {"parents"}, {"in person or by proxy"}),
        ("krieg ich den überhaupt ich arbeite halbtags", {"eligibility"}, set()),
        ("kann ich dat dann trotzdem kriegen", {"eligibility"}, set()),
        ("kann ich die nich online kriegen", {"online"}, {"eligibility"}),
        ("wie krich ich dat weg", {"procedure"}, set()),
        ("meine verlobte sacht ich soll ma anrufen wat wir da machen müssen", {"procedure"}, set()),
        ("so n kleines gartenhaus brauch ich da ne bau genehmigung", {"permit needed"}, set()),
        ("und wenn man doch ne genehmigung braucht wie lange dauert dat", {"duration"}, {"permit needed"}),
        ("kann ich mir die grundschule aussuchen oder geht dat nach wohnort", {"choice"}, set()),
        ("muss der auf die schule bei uns umme ecke oder kann ich mir die aussuchen", {"choice"}, set()),
        ("wo kann ich wählen gehen", set(), {"choice"}),
        ("also meine mama kann den dann abholen", {"in person or by proxy"}, set()),  # round 19
        ("meine tochter kann kaum laufen", set(), {"in person or by proxy"}),
        # A separable verb: "nehm ... mit", "bring ... mit" (round 19).
        ("und was nehm ich mit", {"documents"}, set()),
        ("wat bring ich da alles mit", {"documents"}, set()),
        ("ich bring den hund mit zum termin", {"appointment"}, {"documents"}),
        # Callers who ask in English, Turkish or Arabic, or mix it in (round 19).
        ("what documents do i need", {"documents"}, set()),
        ("okay and how long does it take", {"duration"}, {"costs"}),
        ("how much does it cost", {"costs"}, set()),
        ("where do i have to go", {"place"}, set()),
        ("do i need an appointment", {"appointment"}, set()),
        ("pasaport ne kadar", {"costs"}, {"duration"}),
        ("ne kadar sürer", {"duration"}, {"costs"}),
        ("hangi belgeler lazım", {"documents"}, set()),
        ("randevu almam lazım mı", {"appointment"}, set()),
        ("أين يجب أن أذهب", {"place"}, set()),
        ("ما هي الوثائق المطلوبة", {"documents"}, set()),
        ("كم تكلفة جواز السفر", {"costs"}, set()),
    ],
)
def test_what_a_question_asks_for(question: str, asks: set[str], not_asked: set[str]) -> None:
    extractor = AnswerExtractor(make_analyzer("char4"), [passage(a) for a in ARTICLES])
    found = {i.name for i in extractor.intents(question)}
    assert asks <= found and not (not_asked & found), found


@pytest.mark.unit
def test_the_topic_decision_searches_the_turn_lexically_and_only_the_window_and_gist_densely() -> None:
    """Whether a turn moves on is decided from the turn's own lexical ranking: each caller turn costs
    one request to the encoder, for the concern's window and the turn's gist (its content words)."""
    turns = [
        "die alte couch muss weg, sperrmüll",
        "wann holen die den sperrmüll denn ab",  # its lexical top is held: stays
        "und wir haben jetzt einen hund angeschafft",  # points elsewhere: opens a concern
        "ach und wie ist das mit dem wetter morgen",  # finds nothing lexically: stays
    ]
    eng, retriever = engine()
    context = CallContext("bottrop")
    outcomes = []
    for turn in turns:
        before, requests = len(retriever.queries), len(retriever.embedded)
        outcomes.append(eng.on_utterance(context, "caller", turn))
        dense = [q for q, mode in retriever.queries[before:] if mode == "dense"]
        gist = " ".join(content_words(turn))
        assert len(dense) == 2 and concern_text(turn) in dense[0] and dense[1] == gist, turn
        assert retriever.embedded[requests:] == [dense], "both in one request"
    assert [o.topic_changed for o in outcomes] == [False, False, True, False]
    assert outcomes[0].topic_features is None, "the first turn of a call asks no model"
    assert outcomes[1].topic_features is not None and outcomes[1].topic_features["top_held"] == 1.0
    assert outcomes[2].topic_features is not None and outcomes[2].topic_features["top_held"] == 0.0
    assert context.topic == 1
