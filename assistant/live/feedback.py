"""The agents' feedback vocabulary: what a sidebar may report about a card, and what each event means
for the knowledge gaps. One place for every module that reads or writes feedback."""

from __future__ import annotations

from typing import Literal

FeedbackEvent = Literal["shown", "opened", "copied", "helpful", "not_helpful", "dismissed", "answered"]
FEEDBACK_EVENTS: tuple[FeedbackEvent, ...] = (
    "shown",
    "opened",
    "copied",
    "helpful",
    "not_helpful",
    "dismissed",
    "answered",
)
# Feedback that says an article did not answer the concern.
NEGATIVE_EVENTS: tuple[FeedbackEvent, ...] = ("not_helpful", "dismissed")
# Feedback that says an article answered the concern ("answered": the agent marked the sentence that did).
POSITIVE_EVENTS: tuple[FeedbackEvent, ...] = ("helpful", "copied", "answered")
# Feedback that says an agent used a search result.
USED_EVENTS: tuple[FeedbackEvent, ...] = ("opened", "copied", "helpful", "answered")
# Feedback that names the sentence of the article that answered the caller's question (its ``sentence``).
ANSWER_MARK: FeedbackEvent = "answered"
