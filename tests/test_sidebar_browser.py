"""End to end in real headless Chromium: a call driven over HTTP and the WebSocket reaches the
agent's sidebar with the right article; feedback, article panel, manual search, reconnect."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from websockets.sync.client import connect

from assistant.settings import Settings
from assistant.storage.call_store import CallStore
from tests.api_support import AUTH, TOKEN
from tests.browser import chromium
from tests.live_server import free_port, running_server

pytestmark = pytest.mark.integration


def say(base: str, call_id: str, speaker: str, text: str) -> dict[str, object]:
    response = httpx.post(
        f"{base}/api/calls/{call_id}/utterances", json={"speaker": speaker, "text": text}, headers=AUTH, timeout=30
    )
    assert response.status_code == 200, response.text
    reply: dict[str, object] = response.json()
    return reply


def test_call_reaches_the_sidebar_in_chromium(demo_settings: Settings, tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'calls.db'}"
    env = {
        "SOUFFLEUR_DATA_DIR": str(demo_settings.data_dir),
        "SOUFFLEUR_DATABASE_URL": database,
        "SOUFFLEUR_API_TOKEN": TOKEN,
    }
    port, log = free_port(), tmp_path / "server.log"
    with running_server(env, port, log) as base, chromium() as browser:
        call = httpx.post(f"{base}/api/calls", json={"dialed_number": "+49 2041 700"}, headers=AUTH).json()
        other = httpx.post(f"{base}/api/calls", json={"city": "duisburg"}, headers=AUTH).json()
        call_id = call["call_id"]
        page = browser.new_page()
        page.goto(call["sidebar_url"])
        expect(page.locator("#stadt")).to_have_text("Bottrop")
        expect(page.locator("#verbindung")).to_have_text("verbunden")

        say(base, call_id, "agent", "Stadt Bottrop, Servicetelefon, guten Tag.")
        say(base, call_id, "caller", "ja hallo, ich hab da n bescheid gekriegt von der stadt, grund steuer")
        with connect(f"ws://127.0.0.1:{port}/ws/calls/{call_id}?token={TOKEN}") as ingest:
            ingest.recv(timeout=10)
            ingest.send(json.dumps({"speaker": "caller", "text": "der is viel höher als früher, fast doppelt"}))
            while json.loads(ingest.recv(timeout=30))["type"] != "ack":
                pass

        card = page.locator("#vorschlaege li.card", has_text="Grundsteuer").first
        expect(card).to_be_visible(timeout=15_000)
        expect(card.locator(".badge")).to_have_text("Bottrop")
        expect(card.locator(".answer mark")).not_to_be_empty()
        expect(page.locator("#verlauf")).to_contain_text("grund steuer")
        assert page.locator("#vorschlaege li.card", has_text="Duisburg").count() == 0

        card.get_by_role("button", name="Hilfreich", exact=False).first.click()
        expect(page.locator("#meldung")).to_contain_text("hilfreich")
        card.get_by_role("button", name="Antwort passt").click()
        expect(page.locator("#meldung")).to_contain_text("hervorgehoben")
        card.locator("button.titel").click()
        expect(page.locator("#artikel")).to_be_visible()
        expect(page.locator("#artikel-titel")).to_contain_text("Grundsteuer")
        expect(page.locator("#artikel-inhalt h3").first).to_be_visible()
        mark_another_sentence_as_the_answer(page)
        page.keyboard.press("Escape")
        expect(page.locator("#artikel")).to_be_hidden()

        search_in_sidebar(page)
        check_foreign_token_is_refused(page, base, call_id, other["sidebar_url"].split("token=")[1])
        page.goto(call["sidebar_url"])
        expect(page.locator("#vorschlaege li.card", has_text="Grundsteuer").first).to_be_visible(timeout=15_000)

    store = CallStore(database)
    try:
        events = [e.type for e in store.events_since(call_id, 0)]
        assert "suggestions" in events
        marks = store.answer_marks("answered")  # the card's highlight, then the sentence marked in the article
        assert len(marks) == 2 and all(m[1].startswith("bottrop/grundsteuer") for m in marks)
        assert all(m[2] == "der is viel höher als früher, fast doppelt" for m in marks)
    finally:
        store.close()


def mark_another_sentence_as_the_answer(page: Page) -> None:
    page.locator("#als-antwort").click()  # nothing selected yet
    expect(page.locator("#meldung")).to_contain_text("markieren")
    page.locator("#artikel-inhalt p").first.evaluate(
        "node => { const range = document.createRange(); range.selectNodeContents(node);"
        " const selection = window.getSelection(); selection.removeAllRanges(); selection.addRange(range); }"
    )
    page.locator("#als-antwort").click()
    expect(page.locator("#meldung")).to_contain_text("hervorgehoben")


def search_in_sidebar(page: Page) -> None:
    page.keyboard.press("/")
    expect(page.locator("#suche")).to_be_focused()
    page.keyboard.type("hund anmelden")
    page.keyboard.press("Enter")
    results = page.locator("#suchergebnisse li.card")
    expect(results.first).to_contain_text("Hund", timeout=15_000)
    for badge in results.locator(".badge").all_inner_texts():
        assert badge in ("Bottrop", "alle Städte")


def check_foreign_token_is_refused(page: Page, base: str, call_id: str, foreign_token: str) -> None:
    page.goto(f"{base}/sidebar/{call_id}?token={foreign_token}")
    expect(page.locator("h1")).to_have_text("Link ungültig")


def test_sidebar_reconnects_after_a_server_restart_without_losing_events(
    demo_settings: Settings, tmp_path: Path
) -> None:
    env = {
        "SOUFFLEUR_DATA_DIR": str(demo_settings.data_dir),
        "SOUFFLEUR_DATABASE_URL": f"sqlite:///{tmp_path / 'calls.db'}",
        "SOUFFLEUR_API_TOKEN": TOKEN,
    }
    port, log = free_port(), tmp_path / "server.log"
    with chromium() as browser:
        with running_server(env, port, log) as base:
            call = httpx.post(f"{base}/api/calls", json={"city": "dinslaken"}, headers=AUTH).json()
            page = browser.new_page()
            page.goto(call["sidebar_url"])
            expect(page.locator("#verbindung")).to_have_text("verbunden")
            say(base, call["call_id"], "caller", "wir haben uns einen hund angeschafft, muss ich den anmelden")
            expect(page.locator("#vorschlaege li.card", has_text="Hund").first).to_be_visible(timeout=15_000)
        expect(page.locator("#verbindung")).to_contain_text("unterbrochen", timeout=15_000)
        with running_server(env, port, log) as base:
            say(base, call["call_id"], "caller", "und noch was anderes, wo kann ich briefwahl beantragen")
            expect(page.locator("#verbindung")).to_have_text("verbunden", timeout=20_000)
            expect(page.locator("#vorschlaege li.card", has_text="Briefwahl").first).to_be_visible(timeout=15_000)
            expect(page.locator("#fruehere-liste li.card", has_text="Hund").first).to_be_attached()
            expect(page.locator("#verlauf li")).to_have_count(2)


def test_a_maybe_card_says_why_and_a_card_shown_again_leaves_the_earlier_list(
    demo_settings: Settings, tmp_path: Path
) -> None:
    """A ``maybe`` card with a reason other than its confidence says the reason instead of its percentage
    (kept from the earlier concern: "schon vorher gezeigt"; named by the caller's latest turn: "passt zu
    dem, was der Anrufer gerade sagt"); a card of the earlier concern that is current again is not also under "Frühere
    Vorschläge". The events are stored as the service stores them and replayed when the sidebar opens."""
    database = f"sqlite:///{tmp_path / 'calls.db'}"
    env = {
        "SOUFFLEUR_DATA_DIR": str(demo_settings.data_dir),
        "SOUFFLEUR_DATABASE_URL": database,
        "SOUFFLEUR_API_TOKEN": TOKEN,
    }

    def card(article: str, title: str, rank: int, tier: str, reason: str, score: float) -> dict[str, object]:
        return {
            "article_id": f"bottrop/{article}", "title": title, "city": "bottrop", "service": article,
            "score": score, "answer": f"Antwort zu {title}.", "snippet": "", "heading": "", "rank": rank,
            "new": True, "tier": tier, "reason": reason,
        }  # fmt: skip

    port, log = free_port(), tmp_path / "server.log"
    with running_server(env, port, log) as base, chromium() as browser:
        call = httpx.post(f"{base}/api/calls", json={"city": "bottrop"}, headers=AUTH).json()
        store = CallStore(database)
        try:
            waste = card("sperrmuell", "Sperrmüll anmelden", 1, "answer", "confident", 0.91)
            store.append_event(call["call_id"], "suggestions", {"topic": 0, "suggestions": [waste]})
            store.append_event(call["call_id"], "topic", {"topic": 1})
            kept = {**waste, "tier": "maybe", "reason": "earlier", "rank": 2, "new": False}
            dog = card("hundesteuer", "Hundesteuer", 1, "maybe", "unsure", 0.42)
            named = card("fundbuero", "Fundbüro", 3, "maybe", "named", 0.88)
            store.append_event(call["call_id"], "suggestions", {"topic": 1, "suggestions": [dog, kept, named]})
        finally:
            store.close()
        page = browser.new_page()
        page.goto(call["sidebar_url"])
        cards = page.locator("#vorschlaege li.card")
        expect(cards).to_have_count(3, timeout=15_000)
        expect(cards.nth(0)).to_contain_text("Treffersicherheit 42 %")
        expect(cards.nth(1)).to_contain_text("schon vorher gezeigt")
        expect(cards.nth(1).locator(".confidence")).to_have_count(0)
        expect(cards.nth(1).locator(".reason")).to_have_attribute("title", "Treffersicherheit 91 %")
        expect(cards.nth(2)).to_contain_text("passt zu dem, was der Anrufer gerade sagt")
        expect(page.locator("#fruehere-liste li.card")).to_have_count(0)
        expect(page.locator("#fruehere")).to_be_hidden()
