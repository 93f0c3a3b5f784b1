"""``HttpCallReplayer``: plays call scripts into a running Souffleur server over its HTTP API, as a
telephony integration would (used by ``souffleur replay`` and ``souffleur demo``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from assistant.replay.call_scripts import CallScript


class ReplayError(RuntimeError):
    """The server could not be reached or refused a request; the message says which and why."""


@dataclass(frozen=True)
class OpenedReplayCall:
    script: CallScript
    call_id: str
    sidebar_url: str


class HttpCallReplayer:
    def __init__(self, base_url: str, token: str, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
        )

    def close(self) -> None:
        self.client.close()

    def _post(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        try:
            response = self.client.post(path, json=body or {})
        except httpx.HTTPError as exc:
            raise ReplayError(f"Cannot reach the Souffleur server at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail", response.text)
            except ValueError:
                detail = response.text
            raise ReplayError(f"{path}: HTTP {response.status_code}: {detail}")
        data: dict[str, Any] = response.json() if response.content else {}
        return data

    def open(self, script: CallScript) -> OpenedReplayCall:
        reply = self._post("/api/calls", {"city": script.city, "agent_id": f"replay:{script.id}"})
        return OpenedReplayCall(script, reply["call_id"], reply["sidebar_url"])

    def say(self, call_id: str, speaker: str, text: str) -> dict[str, Any]:
        return self._post(f"/api/calls/{call_id}/utterances", {"speaker": speaker, "text": text, "final": True})

    def end(self, call_id: str) -> None:
        self._post(f"/api/calls/{call_id}/end")

    def feedback(self, call_id: str, article_id: str, event: str) -> None:
        self._post(f"/api/calls/{call_id}/feedback", {"article_id": article_id, "event": event})

    def _get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.client.get(path, params=params)
        except httpx.HTTPError as exc:
            raise ReplayError(f"Cannot reach the Souffleur server at {self.base_url}: {exc}") from exc
        if response.status_code >= 400:
            raise ReplayError(f"{path}: HTTP {response.status_code}: {response.text}")
        data: dict[str, Any] = response.json()
        return data

    def search(self, call_id: str, query: str, k: int = 5) -> list[str]:
        """A manual search from the call's sidebar (recorded with the call); the article ids found."""
        reply = self._get("/api/search", {"q": query, "call_id": call_id, "k": k})
        return [s["article_id"] for s in reply.get("suggestions", [])]

    def article_title(self, article_id: str) -> str:
        title: str = self._get(f"/api/articles/{article_id}", {})["title"]
        return title
