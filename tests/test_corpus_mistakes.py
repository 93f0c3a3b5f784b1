"""Every knowledge-folder mistake found by the probe gets file, field and a clear message from
``corpus check``, ``index``, ``search`` and ``serve``, never a traceback."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli.main import app

pytestmark = pytest.mark.unit


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("SOUFFLEUR_ENCODER__MODEL", "fake:64")
    monkeypatch.setenv("SOUFFLEUR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("SOUFFLEUR_API_TOKEN", "t")
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def impossible_updated(root: Path) -> None:
    path = next((root / "bottrop").glob("*.md"))
    path.write_text(re.sub(r"updated: .*", "updated: 2026-02-30", path.read_text()))


def bottrop_entry(entry: str) -> Callable[[Path], None]:
    def mistake(root: Path) -> None:
        path = root / "cities.yaml"
        text = re.sub(r"(?m)^  bottrop:.*$", f"  bottrop: {entry}", path.read_text())
        assert entry in text
        path.write_text(text)

    return mistake


impossible_date_in_cities = bottrop_entry('{name: Bottrop, updated: 2026-02-30, dialed_numbers: ["02041 700"]}')
number_not_a_list = bottrop_entry("{name: Bottrop, dialed_numbers: 4920394000}")
number_a_string = bottrop_entry('{name: Bottrop, dialed_numbers: "+49 203 94000"}')
for _function, _name in (
    (impossible_date_in_cities, "impossible_date_in_cities"),
    (number_not_a_list, "number_not_a_list"),
    (number_a_string, "number_a_string"),
):
    _function.__name__ = _name


def folder_named_like_an_article(root: Path) -> None:
    (root / "bottrop" / "x.md").mkdir()


MISTAKES: list[tuple[Callable[[Path], None], list[str]]] = [
    (impossible_updated, [".md", "updated", "2026-02-30", "is not a date"]),
    (impossible_date_in_cities, ["cities.yaml", "cities.bottrop.updated", "unknown field"]),
    (number_not_a_list, ["cities.yaml", "cities.bottrop.dialed_numbers", "must be a list"]),
    (number_a_string, ["cities.yaml", "cities.bottrop.dialed_numbers", "must be a list"]),
    (folder_named_like_an_article, ["x.md", "file", "is a folder"]),
]
COMMANDS = {
    "corpus check": lambda k: ["corpus", "check", "-K", k],
    "index": lambda k: ["index", "-K", k],
    "search": lambda k: ["search", "sperrmüll", "--city", "bottrop", "-K", k],
    "serve": lambda k: ["serve", "--port", "1"],
}


@pytest.mark.parametrize(("mistake", "fragments"), MISTAKES, ids=[m.__name__ for m, _ in MISTAKES])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_mistake_names_file_and_field_in_every_command(
    runner: CliRunner, knowledge_dir: Path, monkeypatch: pytest.MonkeyPatch,
    mistake: Callable[[Path], None], fragments: list[str], command: str,
) -> None:  # fmt: skip
    mistake(knowledge_dir)
    monkeypatch.setattr("uvicorn.run", lambda *_a, **_k: pytest.fail("serve started despite the mistake"))
    monkeypatch.setenv("SOUFFLEUR_KNOWLEDGE_DIR", str(knowledge_dir))
    result = runner.invoke(app, COMMANDS[command](str(knowledge_dir)))
    output = " ".join(result.output.split())
    assert result.exit_code in (1, 2), output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in output
    for fragment in fragments:
        assert fragment in output, f"{fragment!r} not in {output!r}"
