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
