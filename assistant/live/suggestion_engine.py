"""``SuggestionEngine``: turns what the caller says into the cards the agent sees for the caller's
current concern.

A *concern* is one matter the caller wants settled (bulky waste, then a passport). For every final
caller turn the engine

1. drops what names no concern (greetings, self-introductions like "müller hier", apologies) and a
   turn that closes the conversation (thanks or a goodbye at its end, no question); such a turn changes
   nothing;
2. decides whether the turn opens a new concern: an explicit cue ("noch eine andere Frage"), or a
   fitted model over what the turn alone finds lexically against what the concern holds
   (``topic_change.py``: "dat alte sofa muss auch noch raus" after questions about the dog tax);
3. searches the concern's recent caller turns (plus the agent's last words), dense and lexical
   separately, and adds each article's rank-based evidence to what the concern has accumulated
   (older turns decay), so an article that stays near the top rises and a one-off lexical accident
   does not; an article whose title or synonym the turn says word for word gets some more;
4. scores the leading candidates with a calibrated confidence over features that do not depend on
   the length of the query (ranks in both rankings, cosine and its margin, share and margin of the
   accumulated evidence, how often the article was a candidate in this concern), see
   ``concern_confidence.py``;
5. shows at most ``max_cards`` cards, best first: ``answer`` (confident) or ``maybe`` (plausible),
   each with the sentence of its article that answers the caller's latest question in the concern; an
   ``answer`` card the caller has left behind (the turn alone points at another article, lexically and
   densely alike) is only ``maybe``.

The card set replaces the previous one; a follow-up question in the same concern ("kostet das
was?") keeps the cards and changes their highlighted answer, and so does a new concern the topic-change
model opened without an ``answer`` card (the previous cards stay as ``maybe``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from functools import cache
from typing import Any, Literal

from assistant.live.answer_extraction import AnswerExtractor, TokenProfile
from assistant.live.article_vocabulary import ArticleVocabulary
from assistant.live.concern_confidence import CardConfidence, LogisticModel, load_concern_confidence
from assistant.live.known_gaps import KnownGaps
from assistant.live.topic_change import load_topic_change, topic_features
from assistant.live.utterance_analysis import (
    concern_text,
    content_words,
    is_closing,
    is_meaningful,
    opens_new_topic,
)
from corpus.answer_examples import AnswerExample
from corpus.known_gaps import KnownGap
from embeddings.index.passage_index import PassageIndex
from embeddings.retrieval.retriever import ArticleHit, Retriever

Outcome = Literal["suggested", "no_new", "maybe", "unanswered", "trivial", "context"]
Speaker = Literal["caller", "agent"]
Tier = Literal["answer", "maybe"]
# Why a card has its tier: "confident" (an ``answer``) and "unsure" (a ``maybe``) by its confidence; the
# other reasons make a card ``maybe`` whatever its confidence: the concern is like a known gap
# ("known_gap"), the caller has probably moved on ("moved_on"), the card was shown before and this turn
# did not confirm it ("earlier"), the caller's latest turn names it or points at it ("named").
CardReason = Literal["confident", "unsure", "known_gap", "moved_on", "earlier", "named"]


def _dense_queries(window: str, gist: str) -> list[str]:
    """What a caller turn embeds: its window, and its gist where there is one that differs."""
    return [window, gist] if gist and gist != window else [window]


@dataclass(frozen=True)
class SuggestionConfig:
    context_turns: int = 3  # caller turns of the concern in the search window
    search_depth: int = 8  # articles taken from each ranking
    agent_context: bool = True
    window_words: int = 40  # the window keeps its most recent words (bounds the encoder's cost)
    search_gist: bool = True  # also search the turn's content words densely (``_rank_dense``) ...
    gist_turns: int = 2  # ... on the concern's first this many caller turns
    evidence_decay: float = 0.6  # weight of the accumulated evidence at each new caller turn
    answer_threshold: float = 0.75  # calibrated confidence for an ``answer`` card (tuned on the tune sets)
    maybe_threshold: float = 0.15  # ... and for a ``maybe`` card
    topic_change_threshold: float = 0.3  # the topic-change model's probability that opens a new concern
    topic_change_words: int = 2  # ... for a turn with at least this many content words
    max_cards: int = 3
    anticipate_partials: bool = True  # embed a caller's partial transcript ahead while the encoder is idle
    # A concern as like a known gap as this (``KnownGaps``; IDF-weighted token cosine of the concern's
    # caller words and the gap's question) and by ``gap_margin`` likelier it than any answer example of a
    # card's article gets that card as ``maybe``, not ``answer``. Chosen on the tune halves, leaving one
    # call set out at a time (docs/suggestions.md, round 14); 0.3 until round 23, when the tune folds'
    # uncovered concerns mostly stood at 0.2 to 0.3 from the gaps of their matter.
    gap_likeness: float = 0.25
    gap_margin: float = 0.1
    gap_words: int = 200  # the concern's most recent caller words compared with the known gaps
    # An ``answer`` card becomes ``maybe`` at a turn that continues the concern but whose own words point,
    # lexically and densely alike, at another article: the caller has probably moved on without a cue the
    # engine knows (``_left_behind``; docs/suggestions.md, round 17). Costs one short text more per
    # forward pass on such turns.
    turn_focus: bool = True
    # A caller turn that ends with thanks or a goodbye and asks nothing changes no card (``_closes``).
    close_turns: bool = True
    # Evidence for the articles whose title or an editor's synonym the caller turn says word for word
    # ("perso", "ummelden"), the first three by phrase length, ``1/rank`` times this (halved like the
    # other rankings): in a long turn the word drowns among the others' n-grams, and the dense model may
    # not know it (``_accumulate``; docs/suggestions.md, round 18). 0 switches it off.
    named_evidence: float = 0.5
    # A new concern the topic-change model opened (no cue) that gets no ``answer`` card keeps the previous
    # concern's cards as ``maybe``, after its own (``_keep_earlier``): the model may have taken a detail
    # ("und der alte fernseher kann der da mit bei") for a new matter (docs/suggestions.md, round 18).
    keep_unsure_cards: bool = True
    # A turn that continues the concern and names an article word for word (title or synonym) or points at
    # one with its own words, lexically and densely alike, gets that article as a ``maybe`` card when no
    # card shows it (``_turn_card``): the concern's evidence needs a turn or two to follow, and the agent
    # hears the caller name it now ("gibt et hier auch so n fund büro"; docs/suggestions.md, round 19).
    # Embeds the turn's content words on every such turn (one short text more per forward pass).
    turn_card: bool = True
    # The share of what two questions mean (their content words embedded by the search's encoder) in the
    # likeness of an answer example's question to the caller's, beside their words (``AnswerExtractor``;
    # docs/suggestions.md, round 20). 0: words alone. Embeds the answer examples' questions once per model
    # (kept in the index folder's vector cache: 3 s at the first start for 1,814), and a follow-up turn's
    # content words.
    example_meaning: float = 0.5
    # The answer sentence also counts what each sentence or list item of the card's article means against
    # what the caller's question means (``SENTENCE_WEIGHT`` in ``answer_extraction``; docs/suggestions.md,
    # round 22). Embeds every sentence of the articles as a passage once per model (kept in the index
    # folder's vector cache), no text more per turn.
    sentence_meaning: bool = True


@dataclass
class CallContext:
    """The engine's memory of one call: JSON-serializable (``to_state``/``from_state``), so it can be
    stored and restored. ``turns``, ``evidence``, ``presence`` and ``cards`` belong to the current
    concern (``cards``: the shown suggestions as plain dicts, best first); ``pushed`` holds every
    article shown in the call."""

    city: str
    topic: int = 0
    turns: list[tuple[Speaker, str]] = field(default_factory=list)
    evidence: dict[str, float] = field(default_factory=dict)
    presence: dict[str, int] = field(default_factory=dict)
    concern_turns: int = 0
    said: str = ""  # the concern's caller words (at most ``SuggestionConfig.gap_words``)
    cards: list[dict[str, Any]] = field(default_factory=list)
    pushed: list[str] = field(default_factory=list)

    def to_state(self) -> dict[str, Any]:
        return {
            "city": self.city,
            "topic": self.topic,
            "turns": [[s, t] for s, t in self.turns],
            "evidence": dict(self.evidence),
            "presence": dict(self.presence),
            "concern_turns": self.concern_turns,
            "said": self.said,
            "cards": [dict(c) for c in self.cards],
            "pushed": list(self.pushed),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CallContext:
        return cls(
            city=str(state["city"]),
            topic=int(state.get("topic", 0)),
            turns=[("agent" if s == "agent" else "caller", str(t)) for s, t in state.get("turns", [])],
            evidence={str(a): float(v) for a, v in state.get("evidence", {}).items()},
            presence={str(a): int(v) for a, v in state.get("presence", {}).items()},
            concern_turns=int(state.get("concern_turns", 0)),
            said=str(state.get("said", "")),
            cards=[dict(c) for c in state.get("cards", [])],
            pushed=[str(a) for a in state.get("pushed", [])],
        )

    def new_concern(self) -> None:
        self.topic += 1
        self.turns.clear()
        self.evidence.clear()
        self.presence.clear()
        self.concern_turns = 0
        self.said = ""
        self.cards.clear()


@dataclass(frozen=True)
class Suggestion:
    article_id: str
    title: str
    city: str
    service: str
    score: float
    answer: str
    snippet: str
    heading: str
    rank: int
    new: bool
    tier: Tier = "answer"
    reason: CardReason = "confident"


@dataclass(frozen=True)
class Candidate:
    """One article considered for the cards at one caller turn, with the features of its confidence."""

    article_id: str
    features: dict[str, float]
    score: float


@dataclass(frozen=True)
class SuggestionOutcome:
    outcome: Outcome
    topic: int
    topic_changed: bool = False
    suggestions: list[Suggestion] = field(default_factory=list)  # the full card set, best first
    top_score: float | None = None
    top_article_id: str | None = None
    changed: bool = False  # the card set (articles, tiers or answers) differs from the previous one
    candidates: list[Candidate] = field(default_factory=list)
    topic_features: dict[str, float] | None = None  # what the topic-change model saw (None: not asked)

    @property
    def pushed(self) -> list[Suggestion]:
        """Cards shown for the first time in this call."""
        return [s for s in self.suggestions if s.new]


@dataclass
class _Rankings:
    """Dense and lexical rankings of one query: article -> (rank, score), and the best passage."""

    dense: dict[str, tuple[int, float]] = field(default_factory=dict)
    lexical: dict[str, tuple[int, float]] = field(default_factory=dict)
    hits: dict[str, ArticleHit] = field(default_factory=dict)
    focus: str | None = None  # the article the turn alone points at, lexically and densely alike
    focus_hit: ArticleHit | None = None  # ... as its dense search found it
    named: list[str] = field(default_factory=list)  # articles whose title or a synonym the turn says


def _answering_parts(
    index: PassageIndex,
    examples: Sequence[AnswerExample] = (),
    known_gaps: Sequence[KnownGap] = (),
    meanings: Retriever | None = None,
    meaning_share: float = 0.0,
    sentence_meaning: bool = False,
) -> tuple[AnswerExtractor, ArticleVocabulary, KnownGaps]:
    extractor = AnswerExtractor(
        index.lexical.analyzer, index.passages, examples, meanings, meaning_share, sentence_meaning
    )
    extractor.prepare_kinds()  # before the first call, not during it (the same answers either way)
    return extractor, ArticleVocabulary(index.passages), KnownGaps(extractor, known_gaps)


NAMED_ARTICLES = 3  # articles the turn names (title or synonym) that get evidence for it


def _inverse_rank(ranking: dict[str, tuple[int, float]], article_id: str) -> float:
    found = ranking.get(article_id)
    return 1.0 / found[0] if found else 0.0


class SuggestionEngine:
    def __init__(
        self,
        retriever: Retriever,
        extractor: AnswerExtractor,
        config: SuggestionConfig | None = None,
        confidence: CardConfidence | None = None,
        vocabulary: ArticleVocabulary | None = None,
        topic_change: LogisticModel | None = None,
        known_gaps: KnownGaps | None = None,
    ) -> None:
        self.retriever = retriever
        self.extractor = extractor
        self.config = config or SuggestionConfig()
        self.confidence = confidence or load_concern_confidence()
        self.vocabulary = vocabulary or ArticleVocabulary([])
        self.topic_change = topic_change or load_topic_change()
        self.known_gaps = known_gaps or KnownGaps(extractor)

    @classmethod
    def for_index(
        cls,
        retriever: Retriever,
        index: PassageIndex,
        config: SuggestionConfig | None = None,
        confidence: CardConfidence | None = None,
        topic_change: LogisticModel | None = None,
        examples: Sequence[AnswerExample] = (),
        known_gaps: Sequence[KnownGap] = (),
    ) -> SuggestionEngine:
        """An engine that answers from ``index`` (the retriever's): its answer sentences and article
        vocabulary are built from the index's passages (and the knowledge folder's answer ``examples``
        and ``known_gaps``)."""
        tuning = config or SuggestionConfig()
        extractor, vocabulary, gaps = _answering_parts(
            index, examples, known_gaps, retriever, tuning.example_meaning, tuning.sentence_meaning
        )
        return cls(retriever, extractor, config, confidence, vocabulary, topic_change, gaps)

    def learn(self, example: AnswerExample) -> None:
        """Use one more answer example from now on (an agent marked the sentence that answered)."""
        self.extractor.remember(example)

    def use_examples(self, examples: Sequence[AnswerExample], known_gaps: Sequence[KnownGap] = ()) -> None:
        """Choose answer sentences with these answer examples and tiers with these known gaps from now on
        (the index stays)."""
        extractor = self.extractor.with_examples(examples)
        self.known_gaps = KnownGaps(extractor, known_gaps)
        self.extractor = extractor

    def use_known_gaps(self, known_gaps: Sequence[KnownGap]) -> None:
        """Decide tiers with these known gaps from now on (index and answer examples stay)."""
        self.known_gaps = KnownGaps(self.extractor, known_gaps)

    def serve(
        self,
        retriever: Retriever,
        index: PassageIndex,
        examples: Sequence[AnswerExample] = (),
        known_gaps: Sequence[KnownGap] = (),
    ) -> None:
        """Answer from a newly published index from now on (hot reload): retriever, answer sentences
        (with the knowledge folder's answer ``examples``), article vocabulary and ``known_gaps`` change
        together."""
        self.extractor, self.vocabulary, self.known_gaps = _answering_parts(
            index, examples, known_gaps, retriever, self.config.example_meaning, self.config.sentence_meaning
        )
        self.retriever = retriever

    # ---- the turn ---------------------------------------------------------------------------------
    def on_utterance(self, context: CallContext, speaker: Speaker, text: str) -> SuggestionOutcome:
        """Update the call's context with a final utterance and decide which cards to show."""
        if speaker == "agent":
            if is_meaningful(text):
                context.turns.append(("agent", text))
                self._trim(context)
            return SuggestionOutcome("context", context.topic, suggestions=self.shown(context))
        said = concern_text(text)
        if not is_meaningful(said) or self._closes(context, said):
            if context.cards and self.extractor.intents(said):
                return self._follow_up(context, said)
            return SuggestionOutcome("trivial", context.topic, suggestions=self.shown(context))
        topic_changed, asked, alone = self._opens_concern(context, said)
        # The cards of a concern the model (not a cue) decided the caller has left, kept if nothing sure replaces them.
        keeps = topic_changed and asked is not None and self.config.keep_unsure_cards
        unsure = [dict(c) for c in context.cards] if keeps else []
        if topic_changed:
            context.new_concern()
        window, gist = self._search_texts(context, said)
        focus = self._focus_text(context, said, topic_changed, alone)
        context.turns.append(("caller", said))
        context.said = " ".join(f"{context.said} {said}".split()[-self.config.gap_words :])
        self._trim(context)
        rankings = self._rank(window, context.city, gist=gist, focus=focus, pointed=alone[0][0] if alone else None)
        if self.config.named_evidence > 0 or self.config.turn_card:  # evidence, or a card of its own
            rankings.named = self.retriever.named_articles(said, context.city)
        self._accumulate(context, rankings)
        candidates = self._candidates(context, rankings)
        shown = self._show(context, said, window, rankings, candidates, topic_changed, unsure)
        return replace(shown, topic_features=asked)

    def answers_without_gaps(self, city: str, question: str) -> list[Suggestion]:
        """The ``answer`` cards a new concern saying ``question`` in ``city`` gets when no known gap is
        recorded: what a known gap of that matter keeps from being shown as the answer (the check of a
        known gap: an article among them may answer the matter after all). Changes no call."""
        unmuted = SuggestionEngine(
            self.retriever, self.extractor, self.config, self.confidence, self.vocabulary, self.topic_change
        )
        outcome = unmuted.on_utterance(CallContext(city=city), "caller", question)
        return [s for s in outcome.suggestions if s.tier == "answer"]

    def anticipate(self, context: CallContext, partial: str) -> bool:
        """Embed ahead what a final caller turn saying ``partial`` would embed (``anticipated_texts``),
        while the encoder has nothing else to do (``Retriever.prefetch``; the texts are not even worked out
        otherwise): the caller is still finishing the sentence, and a final turn that says the same finds
        its vectors ready. True when it started."""
        return self.retriever.prefetch(lambda: self.anticipated_texts(context, partial))

    def anticipated_texts(self, context: CallContext, text: str) -> list[str]:
        """The texts a final caller turn ``text`` would embed (its window and gist, as ``on_utterance``
        works them out, the topic decision included), without changing the call's memory; empty when it
        would not search."""
        said = concern_text(text)
        if not is_meaningful(said) or self._closes(context, said):
            return []
        changes, _, alone = self._opens_concern(context, said)
        texts = _dense_queries(*self._search_texts(CallContext(city=context.city) if changes else context, said))
        focus = self._focus_text(context, said, changes, alone)
        return [*texts, focus] if focus and focus not in texts else texts

    def _opens_concern(
        self, context: CallContext, said: str
    ) -> tuple[bool, dict[str, float] | None, list[tuple[str, float]]]:
        """Whether a meaningful caller turn opens a new concern: an explicit cue, or the topic-change
        model; with the features the model saw (``None`` when it was not asked) and the turn's own
        lexical ranking it saw (best first, as (article, strength); empty when it was not asked)."""
        if context.concern_turns > 0 and opens_new_topic(said):
            return True, None, []
        if not self._may_change_topic(context, said):
            return False, None, []
        alone = self._alone_lexical(context.city, said)
        asked = self._topic_features(context, said, alone)
        return self.topic_change(asked) >= self.config.topic_change_threshold, asked, alone

    def _focus_text(self, context: CallContext, said: str, topic_changed: bool, alone: list[tuple[str, float]]) -> str:
        """What a turn that continues the concern embeds alone, to find the article it points at: its
        content words. With ``turn_card`` on every such turn (the article may get a card); with only
        ``turn_focus``, empty where there is nothing to check (no ``answer`` card other than the turn's own
        lexical top), which spares the forward pass its second text."""
        if topic_changed or not alone or not (self.config.turn_focus or self.config.turn_card):
            return ""
        if not self.config.turn_card and not any(
            c["tier"] == "answer" and c["article_id"] != alone[0][0] for c in context.cards
        ):
            return ""
        return " ".join(content_words(said))

    def _closes(self, context: CallContext, said: str) -> bool:
        """A turn of a concern under way that ends with thanks or a goodbye and asks nothing ("okay erst
        bamf dann schule gut danke schön"): it closes the conversation, so it changes no card
        (``close_turns``)."""
        if not self.config.close_turns or context.concern_turns == 0 or not is_closing(said):
            return False
        return not self.extractor.intents(said)

    def _search_texts(self, context: CallContext, said: str) -> tuple[str, str]:
        """The window a caller turn searches (before it joins the concern's turns) and its gist: the
        turn's content words on the concern's first turns, where callers name the matter; later turns
        are follow-ups whose content words are details ("von der versicherung per sms")."""
        naming = self.config.search_gist and context.concern_turns < self.config.gist_turns
        return self._window(context, said), " ".join(content_words(said)) if naming else ""

    def _follow_up(self, context: CallContext, said: str) -> SuggestionOutcome:
        """A short question about the current cards ("kost dat wat?", "und online?"): too few words to
        search with, but it asks for a kind of answer, so each card's answer moves to the sentence
        that answers it (the concern's window decides where the question alone does not)."""
        window = self._window(context, said)
        context.turns.append(("caller", said))
        self._trim(context)
        cards = [
            {**card, "new": False, **self._answer_fields(card["article_id"], said, window)} for card in context.cards
        ]
        changed = [c["answer"] for c in cards] != [c["answer"] for c in context.cards]
        context.cards = cards
        suggestions = self.shown(context)
        outcome: Outcome = "no_new" if any(s.tier == "answer" for s in suggestions) else "maybe"
        return SuggestionOutcome(outcome, context.topic, suggestions=suggestions, changed=changed)

    @staticmethod
    def shown(context: CallContext) -> list[Suggestion]:
        """The cards the sidebar shows for the current concern, best first."""
        return [Suggestion(**{**card, "new": False}) for card in context.cards]

    def search_texts(self, query: str) -> list[str]:
        """What a search for ``query`` (not a caller turn) embeds, in one encoder request: the query, and
        the words its cards' answer sentences compare by meaning with the answer examples."""
        meaning = self.extractor.meaning_text(query)
        return [query, meaning] if meaning and meaning != query else [query]

    def describe(
        self,
        query: str,
        hit: ArticleHit,
        rank: int,
        new: bool = True,
        tier: Tier = "answer",
        score: float | None = None,
        fallback_query: str | None = None,
        reason: CardReason | None = None,
    ) -> Suggestion:
        """A hit as a card, with the sentence of its article that answers the query (``score``: the
        card's confidence, default the hit's own; ``reason``: default the tier's own)."""
        sections = self.retriever.sections(hit.article_id)
        answer = self.extractor.extract(query, hit.passage, sections, fallback_query=fallback_query)
        return Suggestion(
            article_id=hit.article_id,
            title=hit.title,
            city=hit.city,
            service=hit.service,
            score=hit.score if score is None else score,
            answer=answer.answer,
            snippet=answer.snippet,
            heading=answer.heading,
            rank=rank,
            new=new,
            tier=tier,
            reason=reason or ("confident" if tier == "answer" else "unsure"),
        )

    # ---- retrieval and evidence -----------------------------------------------------------------
    def _rank(self, query: str, city: str, gist: str = "", focus: str = "", pointed: str | None = None) -> _Rankings:
        """The window's rankings (with the ``gist``'s dense hits); with a ``focus`` text, also the
        article the turn alone points at, when its dense top is ``pointed``, the turn's lexical top."""
        found = _Rankings()
        # The forward passes start now and the lexical search runs while they do; the rankings are
        # put together in the same order as before (dense hits first).
        self.retriever.embed_queries([*_dense_queries(query, gist), *([focus] if focus else [])], wait=False)
        lexical = self._lexical_hits(query, city)
        gist_hits = self._rank_dense(found, query, city, gist)
        self._rank_lexical(found, lexical)
        if focus and pointed:
            dense = (
                gist_hits
                if focus == gist
                else self.retriever.search(focus, city, k=1, mode="dense", best_passage=False)
            )
            if dense and dense[0].article_id == pointed:
                found.focus, found.focus_hit = pointed, dense[0]
        return found

    def _rank_dense(self, found: _Rankings, query: str, city: str, gist: str = "") -> list[ArticleHit]:
        """Adds the dense ranking; its hits take precedence in ``found.hits`` over lexical ones. Returns
        the gist's own dense hits, best first (empty without a gist; the window's when both are one text).

        With a ``gist`` (the latest turn's content words, without fillers, greetings and function
        words) the window and the gist are both searched and each article keeps its better cosine: a
        window full of talk ("und dann noch was ich flieg im januar ... schaff ich dat noch") can bury
        the article the turn names ("reisepass abgelaufen"), which the gist alone finds. Both were
        sent to the encoder in one request by ``_rank``, before the lexical search."""
        depth = self.config.search_depth
        gist_hits: list[ArticleHit] = []
        if gist and gist != query:
            best = {
                hit.article_id: hit
                for hit in self.retriever.search(query, city, k=depth, mode="dense", best_passage=False)
            }
            gist_hits = self.retriever.search(gist, city, k=depth, mode="dense", best_passage=False)
            for hit in gist_hits:
                known = best.get(hit.article_id)
                if known is None or (hit.dense_score or 0.0) > (known.dense_score or 0.0):
                    best[hit.article_id] = hit
            hits = sorted(best.values(), key=lambda h: (-(h.dense_score or 0.0), h.article_id))[:depth]
        else:
            hits = self.retriever.search(query, city, k=depth, mode="dense", best_passage=False)
            gist_hits = hits if gist else []
        for hit in hits:
            found.dense[hit.article_id] = (len(found.dense) + 1, hit.dense_score or 0.0)
            found.hits[hit.article_id] = hit
        return gist_hits

    def _lexical_hits(self, query: str, city: str) -> list[ArticleHit]:
        # A question in another language is searched lexically by the German words of the glossary
        # terms it contains (the retriever's `lexical_text`), maybe none.
        return self.retriever.search(query, city, k=self.config.search_depth, mode="lexical", best_passage=False)

    def _rank_lexical(self, found: _Rankings, hits: list[ArticleHit]) -> None:
        for hit in hits:
            if (hit.lexical_score or 0.0) <= 0:
                break
            found.lexical[hit.article_id] = (len(found.lexical) + 1, hit.lexical_score or 0.0)
            found.hits.setdefault(hit.article_id, hit)

    def _accumulate(self, context: CallContext, rankings: _Rankings) -> None:
        decay = self.config.evidence_decay
        for article_id in context.evidence:
            context.evidence[article_id] *= decay
        for article_id in rankings.hits:
            gain = _inverse_rank(rankings.dense, article_id) + _inverse_rank(rankings.lexical, article_id)
            context.evidence[article_id] = context.evidence.get(article_id, 0.0) + gain / 2.0
        for article_id in self._leaders(context.evidence, 3):
            context.presence[article_id] = context.presence.get(article_id, 0) + 1
        context.concern_turns += 1
        # What the turn names word for word adds to the evidence, not to how often the article led the
        # rankings (``presence``): one phrase is not a ranking.
        for rank, article_id in enumerate(rankings.named[:NAMED_ARTICLES], start=1):
            if article_id in rankings.hits:  # a card needs the article's passage from a ranking
                context.evidence[article_id] += self.config.named_evidence / rank / 2.0

    @staticmethod
    def _leaders(evidence: dict[str, float], n: int) -> list[str]:
        return sorted(evidence, key=lambda a: (-evidence[a], a))[:n]

    def _candidates(self, context: CallContext, rankings: _Rankings) -> list[Candidate]:
        leaders = self._leaders(context.evidence, self.config.max_cards + 2)
        leaders = [a for a in leaders if a in rankings.hits]
        if not leaders:
            return []
        evidence = context.evidence
        total = sum(evidence[a] for a in leaders) or 1.0
        concern_words = {
            w for speaker, text in context.turns if speaker == "caller" for w in content_words(text) if len(w) >= 5
        }
        cosines = {a: s for a, (_, s) in rankings.dense.items()}
        floor = min(cosines.values()) if cosines else 0.0
        candidates = []
        for article_id in leaders:
            cosine = cosines.get(article_id, floor)
            others_cos = [c for a, c in cosines.items() if a != article_id]
            others_ev = [evidence[a] for a in leaders if a != article_id]
            best_other = max(others_ev) if others_ev else 0.0
            features = {
                "dense_rank": _inverse_rank(rankings.dense, article_id),
                "lexical_rank": _inverse_rank(rankings.lexical, article_id),
                "lexical_strength": rankings.lexical.get(article_id, (0, 0.0))[1],
                "cosine": cosine,
                "cosine_margin": cosine - (max(others_cos) if others_cos else floor),
                "evidence_share": evidence[article_id] / total,
                "evidence_margin": (evidence[article_id] - best_other) / max(evidence[article_id], best_other, 1e-9),
                "presence": context.presence.get(article_id, 0) / max(context.concern_turns, 1),
                "concern_turns": math.log1p(context.concern_turns),
            }
            features["coverage"] = self.vocabulary.coverage(article_id, concern_words)
            features["distinct_coverage"] = self.vocabulary.distinct_coverage(article_id, concern_words)
            candidates.append(Candidate(article_id, features, self.confidence(features)))
        return sorted(candidates, key=lambda c: (-c.score, c.article_id))

    # ---- concerns ---------------------------------------------------------------------------------
    def _may_change_topic(self, context: CallContext, said: str) -> bool:
        return context.concern_turns > 0 and len(content_words(said)) >= self.config.topic_change_words

    def _alone_lexical(self, city: str, said: str) -> list[tuple[str, float]]:
        """The turn's own lexical ranking, best first, as (article, strength) (no forward pass)."""
        alone = _Rankings()
        self._rank_lexical(alone, self._lexical_hits(said, city))
        return [(a, strength) for a, (_, strength) in sorted(alone.lexical.items(), key=lambda kv: kv[1][0])]

    def _topic_features(self, context: CallContext, said: str, lexical: list[tuple[str, float]]) -> dict[str, float]:
        """What the topic-change model sees: the turn's own lexical ranking ``lexical`` (no forward
        pass) against the articles the concern holds."""
        held = self._leaders(context.evidence, self.config.max_cards + 2)  # the concern's candidates, best first
        leader = held[0] if held else None
        top = lexical[0][0] if lexical else None
        said_words = content_words(said)
        distinctive = [w for w in said_words if len(w) >= 5]
        return topic_features(
            lexical,
            set(held),
            leader,
            self.vocabulary.distinct_coverage(leader, distinctive) if leader else 0.0,
            self.vocabulary.distinct_coverage(top, distinctive) if top else 0.0,
            len(said_words),
            bool(self.extractor.intents(said)),
            context.concern_turns,
        )

    # ---- cards ------------------------------------------------------------------------------------
    def _show(
        self,
        context: CallContext,
        said: str,
        window: str,
        rankings: _Rankings,
        candidates: list[Candidate],
        topic_changed: bool,
        unsure: Sequence[dict[str, Any]] = (),
    ) -> SuggestionOutcome:
        chosen = [c for c in candidates if c.score >= self.config.maybe_threshold][: self.config.max_cards]
        previous = {c["article_id"] for c in context.cards}
        suggestions: list[Suggestion] = []

        @cache
        def concern() -> tuple[TokenProfile, float]:  # the concern's words and their likeness to a gap, once
            words = self.extractor.profile(context.said)
            return words, self.known_gaps.likeness(context.city, words)

        for rank, candidate in enumerate(chosen, start=1):
            reason = self._reason(candidate, context, rankings, concern)
            hit = rankings.hits[candidate.article_id]
            new = self._first_shown(context, candidate.article_id)
            score = round(candidate.score, 4)
            tier: Tier = "answer" if reason == "confident" else "maybe"
            suggestions.append(self.describe(said, hit, rank, new, tier, score, window, reason))
        if not topic_changed and self.extractor.intents(said):
            suggestions = self._keep_earlier(context.cards, said, window, suggestions)
        elif unsure and not any(s.tier == "answer" for s in suggestions):
            suggestions = self._keep_earlier(unsure, said, window, suggestions, new_first=True)
        if not topic_changed and self.config.turn_card:
            suggestions = self._turn_card(context, said, window, rankings, candidates, suggestions)

        def key(card: dict[str, Any]) -> tuple[Any, ...]:
            return card["article_id"], card["tier"], card.get("reason"), card["answer"]

        cards = [asdict(s) for s in suggestions]
        changed = [key(c) for c in cards] != [key(c) for c in context.cards]
        context.cards = cards
        if any(s.tier == "answer" for s in suggestions):
            fresh = any(s.article_id not in previous for s in suggestions)
            outcome: Outcome = "suggested" if fresh or topic_changed else "no_new"
        elif suggestions:
            outcome = "maybe"
        else:
            outcome = "unanswered"
        top = candidates[0] if candidates else None
        return SuggestionOutcome(
            outcome=outcome,
            topic=context.topic,
            topic_changed=topic_changed,
            suggestions=suggestions,
            top_score=round(top.score, 4) if top else None,
            top_article_id=top.article_id if top else None,
            changed=changed,
            candidates=candidates,
        )

    def _reason(
        self,
        candidate: Candidate,
        context: CallContext,
        rankings: _Rankings,
        concern: Callable[[], tuple[TokenProfile, float]],
    ) -> CardReason:
        """Why a chosen candidate gets its tier: ``unsure`` below ``answer_threshold``; above it
        ``known_gap`` when the concern (``concern()``: its words and their likeness to a known gap) is about
        a matter the team knows is not covered, ``moved_on`` when the caller has probably left the card
        behind, else ``confident``."""
        if candidate.score < self.config.answer_threshold:
            return "unsure"
        if len(self.known_gaps) and self._known_gap(candidate.article_id, *concern()):
            return "known_gap"
        if self.config.turn_focus and self._left_behind(candidate.article_id, rankings, context):
            return "moved_on"
        return "confident"

    @staticmethod
    def _left_behind(article_id: str, rankings: _Rankings, context: CallContext) -> bool:
        """Whether the caller has probably moved on from an ``answer`` card without a cue the engine
        knows: the card was already the answer, and this turn's own words point, lexically and densely
        alike, at another article ("okay nächster punkt auf meinem zettel ... proof of address" while the
        card is the certification of copies). A card that becomes the answer at this turn stays: the
        concern's evidence raised it."""
        if rankings.focus in (None, article_id):
            return False
        return any(c["article_id"] == article_id and c["tier"] == "answer" for c in context.cards)

    def _known_gap(self, article_id: str, concern: TokenProfile, gap: float) -> bool:
        """Whether the concern is about a matter the team knows is not covered: its likeness ``gap`` to
        the likest known gap of its city at least ``gap_likeness`` and by ``gap_margin`` above its
        likeness to any answer example of the article."""
        if gap < self.config.gap_likeness:
            return False
        return gap >= self.extractor.example_likeness(article_id, concern) + self.config.gap_margin

    def _keep_earlier(
        self,
        earlier: Sequence[dict[str, Any]],
        said: str,
        window: str,
        suggestions: list[Suggestion],
        new_first: bool = False,
    ) -> list[Suggestion]:
        """Cards the agent already has (``earlier``) that this turn's search no longer ranks stay, as
        ``maybe`` (this turn did not confirm them), with their answer moved to the sentence that answers
        the question; up to ``max_cards`` cards, ``answer`` cards first, then by score (``new_first``:
        this turn's cards first). Two cases: a follow-up question within the concern ("und wat muss ich
        da mitbringen", "wie lang is der gültig"), whose words are details, not the matter; and a new
        concern the topic-change model opened without a cue and without an ``answer`` card, which may
        be a detail taken for a new matter (``keep_unsure_cards``)."""
        shown = {s.article_id for s in suggestions}
        kept = list(suggestions)
        for card in earlier:
            if len(kept) >= self.config.max_cards:
                break
            if card["article_id"] in shown:
                continue
            answered = self._answer_fields(card["article_id"], said, window)
            if not answered:
                continue
            kept.append(Suggestion(**{**card, **answered, "new": False, "tier": "maybe", "reason": "earlier"}))
        if len(kept) == len(suggestions):
            return suggestions
        ordered = kept if new_first else sorted(kept, key=lambda s: (s.tier != "answer", -s.score))
        return [replace(s, rank=rank) for rank, s in enumerate(ordered, start=1)]

    def _turn_card(
        self,
        context: CallContext,
        said: str,
        window: str,
        rankings: _Rankings,
        candidates: Sequence[Candidate],
        suggestions: list[Suggestion],
    ) -> list[Suggestion]:
        """The article a turn that continues the concern names word for word (its title or a synonym,
        the longest phrase; ``rankings.named``) or else points at with its own words, lexically and densely
        alike (``rankings.focus``), as a ``maybe`` card when no card shows it: last, in place of the last
        ``maybe`` card when all ``max_cards`` are taken, never in place of an ``answer``. The concern's
        evidence needs a turn or two to follow a caller who moves to a neighbouring matter without a cue
        ("gibt et hier auch so n fund büro wo man fragen kann ob dat einer abgegeben hat" while the card
        is the lost ID card), and the agent has just heard the caller name it. Its score is its confidence
        as a candidate of the concern, or else the search's own for the turn's words."""
        shown = {s.article_id for s in suggestions}
        hit = None
        if rankings.named and rankings.named[0] not in shown:
            hit = rankings.hits.get(rankings.named[0])  # a card needs the article's passage from a ranking
        if hit is None and rankings.focus_hit is not None and rankings.focus_hit.article_id not in shown:
            hit = rankings.focus_hit
        if hit is None:
            return suggestions
        kept = list(suggestions)
        if len(kept) >= self.config.max_cards:
            if kept[-1].tier == "answer":
                return suggestions
            kept.pop()
        new = self._first_shown(context, hit.article_id)
        score = next((round(c.score, 4) for c in candidates if c.article_id == hit.article_id), None)
        kept.append(self.describe(said, hit, len(kept) + 1, new, "maybe", score, window, "named"))
        return kept

    @staticmethod
    def _first_shown(context: CallContext, article_id: str) -> bool:
        """Whether the article is shown for the first time in the call; records it as shown."""
        if article_id in context.pushed:
            return False
        context.pushed.append(article_id)
        return True

    def _answer_fields(self, article_id: str, said: str, window: str) -> dict[str, str]:
        """A shown card's answer, snippet and heading for the caller's question ``said`` (the window
        decides where the question alone does not); empty for an article no longer in the index."""
        sections = self.retriever.sections(article_id)
        if not sections:
            return {}
        answer = self.extractor.extract(said, sections[0], sections, fallback_query=window)
        return {"answer": answer.answer, "snippet": answer.snippet, "heading": answer.heading}

    def _window(self, context: CallContext, said: str) -> str:
        caller = [t for s, t in context.turns if s == "caller"][-(self.config.context_turns - 1) :]
        parts = caller if self.config.context_turns > 1 else []
        if self.config.agent_context and context.turns and context.turns[-1][0] == "agent":
            parts = [*parts, context.turns[-1][1]]
        words = " ".join([*parts, said]).split()
        return " ".join(words[-self.config.window_words :])

    def _trim(self, context: CallContext) -> None:
        limit = 2 * self.config.context_turns
        del context.turns[:-limit]
