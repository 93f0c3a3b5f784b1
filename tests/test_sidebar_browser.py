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
