"""``SimulatedAgent``: what an agent does with the suggestions of a replayed call, so that a demo leaves
the feedback a real shift would (and the gaps page has evidence to rank).

The call script says which articles answer the call (``expected``). The simulated agent marks a pushed
expected article helpful and dismisses every other pushed article; an expected article that was never
pushed is looked up by hand (a manual search for its title) and copied when found; a call that nothing
answers ends with a manual search for the caller's last words, which finds nothing to use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistant.replay.call_scripts import CallScript


class AgentActions(Protocol):
    """What an agent can do in the sidebar (``HttpCallReplayer`` does it over the API)."""

    def feedback(self, call_id: str, article_id: str, event: str) -> None: ...

    def search(self, call_id: str, query: str, k: int = 5) -> list[str]: ...

    def article_title(self, article_id: str) -> str: ...


@dataclass
class AgentReaction:
    """What the simulated agent did in one call (for the demo's summary)."""

    helpful: list[str] = field(default_factory=list)
    dismissed: list[str] = field(default_factory=list)
    found_by_search: list[str] = field(default_factory=list)
    searches: int = 0


class SimulatedAgent:
    def __init__(self, actions: AgentActions) -> None:
        self.actions = actions

    def react(self, call_id: str, script: CallScript, pushed: list[str]) -> AgentReaction:
        reaction = AgentReaction()
        for article_id in dict.fromkeys(pushed):
            if article_id in script.expected:
                self.actions.feedback(call_id, article_id, "helpful")
                reaction.helpful.append(article_id)
            else:
                self.actions.feedback(call_id, article_id, "dismissed")
                reaction.dismissed.append(article_id)
        for article_id in script.expected:
            if article_id in pushed:
                continue
            reaction.searches += 1
            if article_id in self.actions.search(call_id, self.actions.article_title(article_id)):
                self.actions.feedback(call_id, article_id, "copied")
                reaction.found_by_search.append(article_id)
        if not script.expected and not reaction.helpful:
            caller_turns = [text for speaker, text in script.turns if speaker == "caller"]
            if caller_turns:
                reaction.searches += 1
                self.actions.search(call_id, caller_turns[-1][:200])
        return reaction
