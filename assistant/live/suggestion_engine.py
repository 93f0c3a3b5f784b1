"""``SuggestionEngine``: turns what the caller says into article suggestions for the agent.

Final caller utterances trigger retrieval over a rolling window of the current topic's caller
turns (plus the agent's last words as context). Greetings and fragments trigger nothing. An
article is pushed at most once per call; below the confidence threshold nothing is pushed and the
utterance counts as unanswered. A topic change (an explicit cue, or an utterance that on its own
confidently points at an article outside the current topic) starts a fresh window.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.live.answer_extraction import AnswerExtractor
from assistant.live.utterance_analysis import content_words, is_meaningful, opens_new_topic
from embeddings.retrieval.retriever import ArticleHit, Retriever

Outcome = Literal["suggested", "no_new", "unanswered", "trivial", "context"]
Speaker = Literal["caller", "agent"]


@dataclass(frozen=True)
class SuggestionConfig:
    min_confidence: float = 0.7
    per_utterance: int = 3
    context_turns: int = 3
    search_depth: int = 5
    agent_context: bool = True
    rank_margin: float = 0.15  # lower-ranked articles are pushed only this close to the top score
    topic_change_confidence: float = 0.8  # an utterance alone must be this sure to change the topic
    topic_change_words: int = 2  # ... and carry this many content words
    max_per_topic: int = 3
    window_words: int = 40  # the window keeps its most recent words (bounds the encoder's cost)


@dataclass
class CallContext:
    """The engine's memory of one call; rebuilt from storage after a restart."""

    city: str
    topic: int = 0
    turns: list[tuple[Speaker, str]] = field(default_factory=list)
    topic_articles: list[str] = field(default_factory=list)
    pushed: set[str] = field(default_factory=set)

    def to_state(self) -> dict[str, Any]:
        """A JSON-serializable copy of this memory (stored with the call, so any replica can continue it)."""
        return {
            "city": self.city,
            "topic": self.topic,
            "turns": [[speaker, text] for speaker, text in self.turns],
            "topic_articles": list(self.topic_articles),
            "pushed": sorted(self.pushed),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> CallContext:
        """The memory written by :meth:`to_state`."""
        return cls(
            city=str(state["city"]),
            topic=int(state.get("topic", 0)),
            turns=[("agent" if s == "agent" else "caller", str(t)) for s, t in state.get("turns", [])],
            topic_articles=[str(a) for a in state.get("topic_articles", [])],
            pushed={str(a) for a in state.get("pushed", [])},
        )


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


@dataclass(frozen=True)
class SuggestionOutcome:
    outcome: Outcome
    topic: int
    topic_changed: bool = False
    suggestions: list[Suggestion] = field(default_factory=list)
    top_score: float | None = None
    top_article_id: str | None = None

    @property
    def pushed(self) -> list[Suggestion]:
        return [s for s in self.suggestions if s.new]


class SuggestionEngine:
    def __init__(
        self, retriever: Retriever, extractor: AnswerExtractor, config: SuggestionConfig | None = None
    ) -> None:
        self.retriever = retriever
        self.extractor = extractor
        self.config = config or SuggestionConfig()

    def on_utterance(self, context: CallContext, speaker: Speaker, text: str) -> SuggestionOutcome:
        """Update the call's context with a final utterance and decide what to push."""
        if speaker == "agent":
            if is_meaningful(text):
                context.turns.append(("agent", text))
                self._trim(context)
            return SuggestionOutcome("context", context.topic)
        if not is_meaningful(text):
            return SuggestionOutcome("trivial", context.topic)

        window = self._window(context, text)
        topic_changed = bool(context.turns) and opens_new_topic(text)
        if not topic_changed:
            hits = self.retriever.search(window, context.city, k=self.config.search_depth)
            if context.turns and self._may_change_topic(context, text):
                # The utterance on its own, lexically (no second encoder pass): does it point elsewhere?
                alone = self.retriever.search(text, context.city, self.config.search_depth, "lexical")
                topic_changed = self._is_new_topic(context, alone)
        if topic_changed:
            context.topic += 1
            context.turns.clear()
            context.topic_articles.clear()
            hits = self.retriever.search(text, context.city, k=self.config.search_depth)
        context.turns.append(("caller", text))
        self._trim(context)
        return self._decide(context, text if topic_changed else window, hits, topic_changed)

    def describe(self, query: str, hit: ArticleHit, rank: int, new: bool = True) -> Suggestion:
        """A hit with the sentence that answers the query."""
        answer = self.extractor.extract(query, hit.passage, self.retriever.sections(hit.article_id))
        return Suggestion(
            article_id=hit.article_id,
            title=hit.title,
            city=hit.city,
            service=hit.service,
            score=hit.score,
            answer=answer.answer,
            snippet=answer.snippet,
            heading=answer.heading,
            rank=rank,
            new=new,
        )

    def _may_change_topic(self, context: CallContext, text: str) -> bool:
        """Only an utterance with enough content words, in a topic that already has articles."""
        return bool(context.topic_articles) and len(content_words(text)) >= self.config.topic_change_words

    def _is_new_topic(self, context: CallContext, alone: list[ArticleHit]) -> bool:
        if not alone:
            return False
        top = alone[0]
        return (
            top.score >= max(self.config.min_confidence, self.config.topic_change_confidence)
            and top.article_id not in context.topic_articles
        )

    def _window(self, context: CallContext, text: str) -> str:
        caller = [t for s, t in context.turns if s == "caller"][-(self.config.context_turns - 1) :]
        parts = caller if self.config.context_turns > 1 else []
        if self.config.agent_context:
            agent = [t for s, t in context.turns if s == "agent"]
            if agent and context.turns[-1][0] == "agent":
                parts = [*parts, agent[-1]]
        words = " ".join([*parts, text]).split()
        return " ".join(words[-self.config.window_words :])

    def _trim(self, context: CallContext) -> None:
        limit = 2 * self.config.context_turns
        del context.turns[:-limit]

    def _decide(
        self, context: CallContext, query: str, hits: list[ArticleHit], topic_changed: bool
    ) -> SuggestionOutcome:
        top = hits[0] if hits else None
        floor = max(self.config.min_confidence, (top.score if top else 0.0) - self.config.rank_margin)
        room = max(self.config.max_per_topic - len(context.topic_articles), 0)
        confident = [h for h in hits if h.score >= floor][: self.config.per_utterance]
        fresh = [h for h in confident if h.article_id not in context.pushed]
        allowed = {h.article_id for h in fresh[:room]}
        confident = [h for h in confident if h.article_id in allowed or h.article_id in context.pushed]
        suggestions = []
        for rank, hit in enumerate(confident, start=1):
            new = hit.article_id not in context.pushed
            suggestions.append(self.describe(query, hit, rank, new))
            context.pushed.add(hit.article_id)
            if hit.article_id not in context.topic_articles:
                context.topic_articles.append(hit.article_id)
        if not suggestions:
            outcome: Outcome = "unanswered"
        elif any(s.new for s in suggestions):
            outcome = "suggested"
        else:
            outcome = "no_new"
        return SuggestionOutcome(
            outcome=outcome,
            topic=context.topic,
            topic_changed=topic_changed,
            suggestions=suggestions,
            top_score=top.score if top else None,
            top_article_id=top.article_id if top else None,
        )
