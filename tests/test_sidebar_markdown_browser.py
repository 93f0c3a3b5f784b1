"""The article panel renders the Markdown subset of articles (lists, bold, links) as DOM nodes and
never as HTML: an article carrying markup and script links shows them as text, in real Chromium."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.api_support import AUTH, TOKEN
from tests.browser import chromium
from tests.helpers import article_text, write_knowledge
from tests.live_server import free_port, running_server

pytestmark = pytest.mark.integration

MALICIOUS_BODY = """Die **Zaunkönig-Meldung** geht so:

- **Erstens:** <img src=x onerror="window.pwned=1"> melden
- Zweitens: [Formular](https://example.org/formular) ausfüllen
- Drittens: [Klick](javascript:window.pwned=2) nicht folgen

<script>window.pwned=3</script> Danach wartet man auf den Zaunkönig-Bescheid."""


def test_article_markup_is_rendered_as_text_and_lists(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path / "knowledge")
    (knowledge / "duisburg" / "zaunkoenig.md").write_text(
        article_text("Zaunkönig melden", "zaunkoenig", MALICIOUS_BODY, ["Zaunkönig"]), encoding="utf-8"
    )
    env = {
        "SOUFFLEUR_KNOWLEDGE_DIR": str(knowledge),
        "SOUFFLEUR_DATA_DIR": str(tmp_path / "data"),
        "SOUFFLEUR_ENCODER__MODEL": "fake:64",
        "SOUFFLEUR_RETRIEVAL__MIN_CONFIDENCE": "0.05",
        "SOUFFLEUR_API_TOKEN": TOKEN,
    }
    with running_server(env, free_port(), tmp_path / "server.log") as base, chromium() as browser:
        call = httpx.post(f"{base}/api/calls", json={"city": "duisburg"}, headers=AUTH).json()
        page = browser.new_page()
        page.goto(call["sidebar_url"])
        expect(page.locator("#verbindung")).to_have_text("verbunden")
        reply = httpx.post(
            f"{base}/api/calls/{call['call_id']}/utterances",
            json={"speaker": "caller", "text": "zaunkönig melden, wie geht die zaunkönig meldung"},
            headers=AUTH,
            timeout=30,
        )
        assert reply.status_code == 200, reply.text
        card = page.locator("#vorschlaege li.card", has_text="Zaunkönig").first
        expect(card).to_be_visible(timeout=15_000)
        card.locator("button.titel").click()
        body = page.locator("#artikel-inhalt")
        expect(body.locator("li")).to_have_count(3)
        expect(body.locator("strong").first).to_have_text("Zaunkönig-Meldung")
        expect(body).to_contain_text('<img src=x onerror="window.pwned=1">')
        expect(body).to_contain_text("<script>window.pwned=3</script>")
        assert body.locator("img, script").count() == 0
        links = body.locator("a")
        expect(links).to_have_count(1)
        expect(links.first).to_have_attribute("href", "https://example.org/formular")
        expect(body).to_contain_text("Klick")
        assert page.evaluate("window.pwned") is None
