"""Request and response bodies of the HTTP API and the messages of the call WebSocket, with the
text and search limits declared once. A suggestion has one wire shape, ``SuggestionOut``, on HTTP
and on the socket."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from assistant.live.feedback import FeedbackEvent
from assistant.live.suggestion_engine import CardReason, Outcome, Suggestion

MAX_ID = 128
MAX_QUERY_CHARS = 500
MAX_SEARCH_K = 20
MAX_EVENT_SEQ = 2**62  # event numbers (``after``/``resume``) fit a 64-bit database integer
MAX_GAP_QUESTION_CHARS = 4000  # a topic's example questions joined (the gaps page sends about 200 words)
MAX_GAP_LABEL_CHARS = 200
MAX_GAP_ID = 2**62


def no_surrogates(value: str) -> str:
    """Text must be encodable as UTF-8: an unpaired surrogate (``\\ud800``) is refused."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("contains an unpaired surrogate (not valid UTF-8)") from exc
    return value


Text = Annotated[str, AfterValidator(no_surrogates)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class OpenCallRequest(Strict):
    city: str | None = Field(None, max_length=64, description="City key, e.g. bottrop")
    dialed_number: str | None = Field(None, max_length=32, description="Number the call was forwarded from")
    agent_id: str | None = Field(None, max_length=MAX_ID)


class OpenCallResponse(BaseModel):
    call_id: str
    city: str
    sidebar_url: str


class UtteranceRequest(Strict):
    speaker: Literal["caller", "agent"]
    text: Text = Field(..., min_length=1, description="Transcript text (redacted before it is stored)")
    final: bool = True


class SuggestionOut(BaseModel):
    article_id: str
    title: str
    city: str
    service: str
    score: float = Field(description="Calibrated confidence in [0, 1] that the article answers the concern")
    answer: str = Field(description="The sentence or list item that answers the caller's latest question")
    snippet: str
    heading: str
    url: str
    rank: int = Field(description="1 for the best card; cards are sent best first")
    new: bool = Field(description="True when the article is shown for the first time in this call")
    tier: Literal["answer", "maybe"] = Field(
        "answer", description="answer: confident, shown prominently; maybe: plausible, shown quietly"
    )
    reason: CardReason = Field(
        "confident",
        description="Why the card has its tier: confident (answer) or unsure (maybe) by its score; a maybe "
        "whatever its score: known_gap (the concern is like a matter marked as not covered), moved_on (the "
        "caller has probably moved on), earlier (shown before, not confirmed by this turn), named (the "
        "caller's latest turn names it or points at it)",
    )


class UtteranceResponse(BaseModel):
    outcome: Outcome | Literal["partial"]
    topic: int | None = None
    topic_changed: bool = False
    suggestions: list[SuggestionOut]


class FeedbackRequest(Strict):
    article_id: str = Field(..., min_length=1, max_length=256)
    event: FeedbackEvent
    reason: Text | None = Field(None, max_length=500)
    sentence: Text | None = Field(
        None,
        max_length=1000,
        description="With the event 'answered': the sentence of the article that answered the caller's last "
        "question, as the agent marked it (it must be in the article's text)",
    )


class CallStatus(BaseModel):
    call_id: str
    city: str
    status: str


class ArticleOut(BaseModel):
    article_id: str
    title: str
    city: str
    city_name: str
    service: str
    updated: str
    office: str | None
    contact: str | None
    fees: str | None
    source: str | None
    sections: list[dict[str, str]]


class SearchResponse(BaseModel):
    query: str
    city: str
    suggestions: list[SuggestionOut]


class KnownGapRequest(Strict):
    """The gaps page: mark a gap topic as a known gap of its city."""

    city: str = Field(..., min_length=1, max_length=64, description="City key of the topic, e.g. bottrop")
    question: Text = Field(
        ...,
        min_length=1,
        max_length=MAX_GAP_QUESTION_CHARS,
        description="What callers asked about the matter (the topic's example questions joined; redacted "
        "before it is stored)",
    )
    label: Text = Field("", max_length=MAX_GAP_LABEL_CHARS, description="The topic's label on the gaps page")


class AnsweredLikeOut(BaseModel):
    """A question an article answered before (an answer example or an agent's answer mark) that is like
    a known gap."""

    article_id: str
    title: str
    question: str
    likeness: float = Field(..., description="0 to 1; at least the engine's gap likeness")


class AnswerWithoutGapOut(BaseModel):
    """An article the engine shows as 'answer' for a concern saying a known gap's question when no gap is
    recorded, with the sentence it would highlight."""

    article_id: str
    title: str
    answer: str
    score: float = Field(..., description="The card's confidence (at least the answer threshold)")


class KnownGapOut(BaseModel):
    """A known gap marked on the gaps page: a like concern of ``city`` gets no 'answer' card."""

    id: int
    city: str
    label: str
    question: str
    created_at: datetime
    answered_like: list[AnsweredLikeOut] = Field(
        default_factory=list,
        description="The check: questions the city's articles answered before that are as like this gap as a "
        "concern must be to it, likest first (at most 3). When one is listed, an article may answer the matter: "
        "check it, and remove the gap if it does.",
    )
    answered_without_gap: list[AnswerWithoutGapOut] = Field(
        default_factory=list,
        description="The other check: the articles shown as 'answer' for a new concern saying this gap's question "
        "if no known gap were recorded, best first: what the gap keeps from being shown as the answer. When one "
        "is listed, read its sentence: if it answers the matter, remove the gap.",
    )


class ErrorOut(BaseModel):
    detail: str


class SearchMessage(Strict):
    """Socket: a manual search in the call's city."""

    q: Text = Field(..., min_length=1, max_length=MAX_QUERY_CHARS)
    k: int = Field(5, ge=1, le=MAX_SEARCH_K)


class ResumeMessage(Strict):
    """Socket: send every stored event after number ``after``."""

    after: int = Field(0, ge=0, le=MAX_EVENT_SEQ)


def suggestion_out(suggestion: Suggestion, base: str = "") -> SuggestionOut:
    return SuggestionOut(**asdict(suggestion), url=f"{base}/api/articles/{suggestion.article_id}")
