"""The agents' feedback vocabulary: what a sidebar may report about a card, and what each event means
for the knowledge gaps. One place for every module that reads or writes feedback."""

from __future__ import annotations

from typing import Literal

FeedbackEvent = Literal["shown", "opened", "copied", "helpful", "not_helpful", "dismissed"]
FEEDBACK_EVENTS: tuple[FeedbackEvent, ...] = ("shown", "opened", "copied", "helpful", "not_helpful", "dismissed")
# Feedback that says an article did not answer the concern.
NEGATIVE_EVENTS: tuple[FeedbackEvent, ...] = ("not_helpful", "dismissed")
# Feedback that says an article answered the concern.
POSITIVE_EVENTS: tuple[FeedbackEvent, ...] = ("helpful", "copied")
# Feedback that says an agent used a search result.
USED_EVENTS: tuple[FeedbackEvent, ...] = ("opened", "copied", "helpful")
