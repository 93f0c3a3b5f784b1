"""The demo as a new user sees it, in Debian's Chromium: ``souffleur demo`` (real model) plays its calls
and the simulated agent feedback; the sidebar shows the suggestions, opens the article at the answering
section with the sentence marked and no raw Markdown, and its manual search says "keine sicheren
Treffer" for nonsense; the gaps page ranks the planted matters, names them in the labels of its top
rows and hands out a draft article.

With ``SOUFFLEUR_SCREENSHOTS=1`` the run writes ``docs/sidebar.png`` and ``docs/gaps.png`` (what
``scripts/screenshots`` does); otherwise the screenshots go to the test's temporary folder.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from assistant.settings import Settings
from tests.browser import chromium
from tests.conftest import PROJECT_ROOT
from tests.live_server import free_port

pytestmark = pytest.mark.integration

SIDEBAR_LINK = re.compile(r"^\s+(bottrop|duisburg|dinslaken)\s+(http://\S+/sidebar/\S+)$")
GAPS_LINK = re.compile(r"Gaps page for the content teams: (http://\S+)")
RAW_MARKDOWN = re.compile(r"\*\*|^\s*[-*] |\]\(", re.MULTILINE)


class DemoProcess:
    """``souffleur demo`` in a subprocess; its output lines are collected as they come."""

    def __init__(self, env: dict[str, str], port: int, pace: float) -> None:
        command = [sys.executable, "-m", "assistant.cli", "demo", "--port", str(port), "--pace", str(pace)]
        command += ["--wait", "4"]
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, **env, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern[str], count: int = 1, timeout: float = 600) -> list[re.Match[str]]:
        deadline = time.monotonic() + timeout
        while True:
            found = [m for line in list(self.lines) if (m := pattern.search(line))]
            if len(found) >= count:
                return found
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"demo output lacks {pattern.pattern}:\n" + "\n".join(self.lines[-60:]))
            time.sleep(0.2)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def screenshot_folder(tmp_path: Path) -> Path:
    return PROJECT_ROOT / "docs" if os.environ.get("SOUFFLEUR_SCREENSHOTS") == "1" else tmp_path


def test_demo_sidebar_and_gaps_page_in_chromium(demo_settings: Settings, tmp_path: Path) -> None:
    env = {
        "SOUFFLEUR_DATA_DIR": str(demo_settings.data_dir),
        "SOUFFLEUR_DATABASE_URL": f"sqlite:///{tmp_path / 'calls.db'}",
        "SOUFFLEUR_API_TOKEN": "demo-browser-test-token",
    }
    shots = screenshot_folder(tmp_path)
    demo = DemoProcess(env, free_port(), pace=0.6)
    try:
        links = {m.group(1): m.group(2) for m in demo.wait_for(SIDEBAR_LINK, count=3, timeout=600)}
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1100, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(links["duisburg"])
            expect(page.locator("#stadt")).to_have_text("Duisburg")
            gaps_url = demo.wait_for(GAPS_LINK)[0].group(1)

            check_sidebar(page, shots)
            gaps_page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
            check_gaps_page(gaps_page, gaps_url, shots)
            check_search_floor(page)  # after the gaps page: this search would be a gap signal of its own
            assert not problems, problems
    finally:
        demo.stop()


def check_sidebar(page: Page, shots: Path) -> None:
    cards = page.locator("#vorschlaege li.card")
    expect(cards.first).to_be_visible(timeout=30_000)
    first = cards.first
    expect(first.locator(".confidence")).to_contain_text("Treffersicherheit")
    expected = first.locator(".answer mark").inner_text()
    heading = first.locator(".meta span").nth(1).inner_text()
    first.locator("button.titel").click()
    panel = page.locator("#artikel")
    expect(panel).to_be_visible()
    mark = panel.locator("mark.answer-mark").first
    expect(mark).to_be_visible()
    expect(mark).to_be_in_viewport()
    section = panel.locator("section.answering")
    expect(section).to_have_count(1)
    if heading:
        expect(section.locator("h3")).to_have_text(heading)
    marked = " ".join(panel.locator("mark.answer-mark").all_inner_texts())
    assert expected[:20].replace(" ", "") in marked.replace(" ", "").replace("\n", ""), (expected, marked)
    body = panel.locator("#artikel-inhalt").inner_text()
    assert not RAW_MARKDOWN.search(body), f"raw Markdown in the panel: {RAW_MARKDOWN.search(body)}"
    expect(panel.locator("#artikel-fakten")).not_to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    page.screenshot(path=str(shots / "sidebar.png"))
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(first.locator("button.titel")).to_be_focused()


def check_search_floor(page: Page) -> None:
    page.keyboard.press("/")
    page.keyboard.type("xyzzy qwerty")
    page.keyboard.press("Enter")
    results = page.locator("#suchergebnisse")
    expect(results.locator(".floor")).to_contain_text("Keine sicheren Treffer", timeout=15_000)
    expect(results.locator(":scope > li.card")).to_have_count(0)


def check_gaps_page(page: Page, url: str, shots: Path) -> None:
    page.goto(url)
    rows = page.locator("#themen-zeilen tr.topic")
    expect(rows.first).to_be_visible(timeout=120_000)
    text = page.locator("#themen").inner_text()
    assert "1 Anrufe" not in text and "Gruppe g" not in text
    expect(page.locator("#stand")).to_contain_text("Stand")
    page.select_option("#stadt", "duisburg")
    expect(page.locator("#themen-zeilen tr.topic", has_text="Bottrop")).to_have_count(0, timeout=120_000)
    expect(page.locator("#stand")).to_contain_text("Stand")
    expect(rows.first.locator("td").nth(1)).to_have_text("Duisburg")
    # A topic's row and its (folded) details: label, question and the callers' questions.
    details = page.locator("#themen-zeilen tr.detail")
    top = " ".join(
        (rows.nth(i).text_content() or "") + (details.nth(i).text_content() or "") for i in range(min(3, rows.count()))
    ).lower()
    labels = " ".join(rows.nth(i).locator("td").nth(2).locator("button").inner_text() for i in range(3)).lower()
    for words in (("baum", "birke", "kastanie", "eiche", "fäll"), ("ratte",), ("bibliothek", "bücherei", "ausweis")):
        assert any(w in top for w in words), f"{words[0]} not among the top 3 Duisburg topics:\n{top}"
        assert any(w in labels for w in words), f"no label of the top 3 Duisburg topics names {words[0]}: {labels}"
    with page.expect_download() as download_info:
        rows.first.locator("button.draft").click()
    download = download_info.value
    assert download.suggested_filename.startswith("duisburg-") and download.suggested_filename.endswith(".md")
    draft = Path(download.path()).read_text(encoding="utf-8")
    assert draft.startswith("---\n") and "status: draft" in draft and "## " in draft
    rows.first.locator("td").nth(2).locator("button").click()
    expect(page.locator("tr.detail").first).to_be_visible()
    page.screenshot(path=str(shots / "gaps.png"), full_page=False)
