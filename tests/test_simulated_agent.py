"""The demo's simulated agent: helpful on right cards, dismissed on wrong ones, a manual search when the
right article was not pushed or nothing fits."""

from __future__ import annotations

import pytest

from assistant.replay.call_scripts import CallScript
from assistant.replay.simulated_agent import SimulatedAgent


class RecordingActions:
    def __init__(self, found: dict[str, list[str]]) -> None:
        self.found = found
        self.log: list[tuple[str, ...]] = []

    def feedback(self, call_id: str, article_id: str, event: str) -> None:
        self.log.append(("feedback", article_id, event))

    def search(self, call_id: str, query: str, k: int = 5) -> list[str]:
        self.log.append(("search", query))
        return self.found.get(query, [])

    def article_title(self, article_id: str) -> str:
        return f"Titel von {article_id}"


def script(expected: tuple[str, ...]) -> CallScript:
    return CallScript("c1", "bottrop", expected, (("agent", "Guten Tag"), ("caller", "meine letzte frage")))


@pytest.mark.unit
def test_right_cards_helpful_wrong_cards_dismissed_missing_one_searched_and_copied() -> None:
    actions = RecordingActions({"Titel von bottrop/b": ["bottrop/x", "bottrop/b"]})
    reaction = SimulatedAgent(actions).react("id", script(("bottrop/a", "bottrop/b")), ["bottrop/a", "bottrop/w"])
    assert actions.log == [
        ("feedback", "bottrop/a", "helpful"),
        ("feedback", "bottrop/w", "dismissed"),
        ("search", "Titel von bottrop/b"),
        ("feedback", "bottrop/b", "copied"),
    ]
    assert reaction.found_by_search == ["bottrop/b"]


@pytest.mark.unit
def test_uncovered_call_ends_with_a_search_that_finds_nothing_to_use() -> None:
    actions = RecordingActions({})
    SimulatedAgent(actions).react("id", script(()), ["bottrop/w"])
    assert actions.log == [("feedback", "bottrop/w", "dismissed"), ("search", "meine letzte frage")]
