"""The gaps page in a real browser (headless Debian chromium) against the app served by uvicorn."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Locator, Page

from assistant.api.app import create_app
from assistant.settings import Settings
from assistant.wiring import build_call_service
from corpus.answer_examples import ANSWER_EXAMPLES_FILE
from tests.helpers import write_knowledge, write_lines

pytestmark = pytest.mark.integration

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
RATS = [
    "bei uns im keller laufen ratten rum, wer bekämpft die ratten",
    "die ratten kommen aus dem kanal, kommt da ein kammerjäger von der stadt",
    "im garten am kompost sind ratten, rattenbekämpfung",
]

HUNDESTEUER_SENTENCE = "Einen Hund melden Sie innerhalb von zwei Wochen bei der Steuerabteilung an"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The app on a free port, with planted calls; yields (base URL, content token)."""
    root = tmp_path_factory.mktemp("gaps-page")
    knowledge = write_knowledge(root / "knowledge")
    # An article that answered a question like the rats topic before: the known gap's check names it.
    answered = {"article": "duisburg/hundesteuer", "question": RATS[0], "sentences": [HUNDESTEUER_SENTENCE]}
    write_lines(knowledge / ANSWER_EXAMPLES_FILE, answered)
    settings = Settings(
        encoder={"model": "fake:64"},
        knowledge_dir=knowledge,
        data_dir=root / "data",
        gaps={"catalog_file": root / "x"},
    )
    service = build_call_service(settings, database_url=f"sqlite:///{root / 'calls.db'}")
    for text in RATS:
        call = service.open_call(city="duisburg").call
        service.utterance(call.id, "caller", text)
        service.end_call(call.id)
    call = service.open_call(city="bottrop").call
    service.utterance(call.id, "caller", "ich will die große eiche im garten fällen, brauche ich eine genehmigung")
    service.end_call(call.id)
    app = create_app(settings, service)
    port = free_port()
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", (settings.data_dir / "content-token").read_text().strip()
    uv.should_exit = True
    thread.join(timeout=10)
    service.store.close()


def check_topic_row(row: Locator) -> None:
    from playwright.sync_api import expect

    expect(row.locator(".question")).to_contain_text("ratten")
    expect(row.locator("td").nth(6)).to_have_text("kein passender Artikel")
    expect(row.locator("td").nth(4)).to_have_text("3")


def check_wrong_token(stranger: Page, base: str) -> None:
    from playwright.sync_api import expect

    stranger.goto(f"{base}/gaps?token=falsch")
    error = stranger.locator("#fehler")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Zugang verweigert")
    expect(stranger.locator("#themen-zeilen tr")).to_have_count(0)
    assert stranger.evaluate("sessionStorage.getItem('souffleur-content-token')") is None


def check_draft_download(page: Page, row: Locator) -> None:
    with page.expect_download() as download_info:
        row.locator("button.draft").click()
    draft = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert "status: draft" in draft and "title:" in draft and RATS[0] in draft


def check_known_gap(page: Page, row: Locator) -> None:
    """A topic marked as a known gap: the button says so, the list shows it, after a reload too, and
    „Entfernen“ takes it back."""
    from playwright.sync_api import expect

    detail = page.locator("#detail-duisburg-1")
    row.locator("td").nth(1).click()
    expect(detail).to_be_visible()
    button = detail.locator("button.mark-gap")
    expect(button).to_have_text("Als bekannte Lücke merken")
    expect(detail.locator(".known-gap")).to_contain_text("nur noch „vielleicht“")
    known = page.locator("#bekannte")
    expect(known).to_contain_text("Keine.")
    button.click()
    expect(button).to_have_text("Als bekannte Lücke gemerkt")
    expect(button).to_be_disabled()
    expect(known.locator("li")).to_have_count(1)
    expect(known.locator("li").first).to_contain_text(re.compile(r"^Duisburg: .*[Rr]atten.* \(gemerkt am "))
    check = known.locator("li .answered-like")
    expect(check).to_contain_text("Prüfen: „Hundesteuer anmelden in Duisburg“ hat schon eine ähnliche Frage")
    expect(check).to_contain_text(RATS[0])
    expect(known.locator("li .answered-without-gap")).to_have_count(0)  # no article is shown as its answer
    # A gap of a matter an article answers confidently: the other check shows that article and its sentence.
    token = page.evaluate("sessionStorage.getItem('souffleur-content-token')")
    sofa = {"city": "bottrop", "question": "ich will mein altes Sofa entsorgen, Sperrmüll", "label": "Sofa"}
    origin = page.url.split("/gaps")[0]
    added = page.request.post(f"{origin}/api/gaps/known", data=sofa, headers={"X-Content-Token": token})
    assert added.status == 201, added.text()
    page.reload()
    shown = known.locator("li").nth(1).locator(".answered-without-gap")
    expect(shown).to_contain_text("Ohne diese Lücke zeigt Souffleur „Sperrmüll anmelden in Bottrop“ als Antwort")
    expect(shown.locator("q")).to_have_text("Sperrmüll wird nach Anmeldung kostenlos abgeholt.")
    gone = page.request.delete(f"{origin}/api/gaps/known/{added.json()['id']}", headers={"X-Content-Token": token})
    assert gone.status == 204
    page.reload()
    expect(known.locator("li")).to_have_count(1)
    expect(button).to_have_text("Als bekannte Lücke gemerkt")
    known.locator("li button.remove").click()
    expect(known).to_contain_text("Keine.")
    expect(button).to_have_text("Als bekannte Lücke merken")
    expect(button).to_be_enabled()
    expect(page.locator("#fehler")).to_be_hidden()


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian chromium at /usr/bin/chromium")
def test_the_page_ranks_drills_down_and_refuses_a_wrong_token(server: tuple[str, str]) -> None:
    from playwright.sync_api import expect, sync_playwright

    base, token = server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(accept_downloads=True)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/gaps?token={token}")

            rows = page.locator("#themen-zeilen tr.topic")
            expect(page.locator("#stand")).to_contain_text(re.compile("Stand|Fehler"), timeout=60_000)
            assert not problems, problems
            expect(rows.first).to_be_visible()
            first = rows.first
            expect(first.locator("td").nth(1)).to_have_text("Duisburg")
            label = first.locator("td").nth(2).locator("button")
            expect(label).to_contain_text(re.compile("ratten", re.IGNORECASE))
            check_topic_row(first)
            assert "token=" not in page.url
            assert page.evaluate("sessionStorage.getItem('souffleur-content-token')") == token

            detail = page.locator("#detail-duisburg-1")
            expect(detail).to_be_hidden()
            first.locator("td").nth(1).click()
            expect(detail).to_be_visible()
            expect(label).to_have_attribute("aria-expanded", "true")
            expect(detail.locator(".examples li")).to_have_count(3)
            for text in RATS:
                expect(detail).to_contain_text(text)
            expect(detail.locator(".nearest")).to_contain_text("Kein passender Artikel")
            expect(detail).to_contain_text("Hinweise: unbeantwortet: 3 Anrufe")
            label.focus()
            page.keyboard.press("Enter")
            expect(detail).to_be_hidden()

            check_draft_download(page, first)
            check_known_gap(page, first)

            page.select_option("#stadt", "bottrop")
            expect(rows).to_have_count(1)
            expect(rows.first.locator("td").nth(1)).to_have_text("Bottrop")
            expect(page.locator("#gesundheit")).to_contain_text("Nie vorgeschlagen")
            expect(page.locator("#unterschiede")).to_contain_text("Fehlende Artikel laut Leistungskatalog")
            page.reload()
            expect(rows.first).to_be_visible()
            assert not problems, problems

            check_wrong_token(browser.new_page(), base)
        finally:
            browser.close()
