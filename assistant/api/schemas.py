"""Request and response bodies of the HTTP API (also the messages of the call WebSocket)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.live.call_service import FeedbackEvent
from assistant.live.suggestion_engine import Outcome, Suggestion

MAX_ID = 128


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
    text: str = Field(..., min_length=1, description="Transcript text (redacted before it is stored)")
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


class UtteranceResponse(BaseModel):
    outcome: Outcome | Literal["partial"]
    topic: int | None = None
    topic_changed: bool = False
    suggestions: list[SuggestionOut]


class FeedbackRequest(Strict):
    article_id: str = Field(..., min_length=1, max_length=256)
    event: FeedbackEvent
    reason: str | None = Field(None, max_length=500)


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


class ErrorOut(BaseModel):
    detail: str | list[Any]


def suggestion_out(suggestion: Suggestion, base: str = "") -> SuggestionOut:
    return SuggestionOut(**asdict(suggestion), url=f"{base}/api/articles/{suggestion.article_id}")
