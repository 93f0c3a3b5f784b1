"""Builders for small knowledge folders used across tests."""

from __future__ import annotations

import json
from pathlib import Path

CITIES_YAML = """common: common
cities:
  duisburg: {name: Duisburg, dialed_numbers: ["+49 203 94000"]}
  bottrop: {name: Bottrop, dialed_numbers: ["02041 700"]}
  dinslaken: {name: Dinslaken}
"""

TOPICS = {
    "sperrmuell": (
        "Sperrmüll anmelden",
        ["alte Möbel", "Sofa entsorgen", "Sperrgut"],
        "Sperrmüll wird nach Anmeldung kostenlos abgeholt. Große Möbel wie Sofa und Schrank an die Straße stellen.",
    ),
    "personalausweis": (
        "Personalausweis beantragen",
        ["Perso", "Ausweis verlängern"],
        "Den Personalausweis beantragen Sie persönlich im Bürgerbüro mit biometrischem Passfoto.",
    ),
    "hundesteuer": (
        "Hundesteuer anmelden",
        ["Hund anmelden", "Hundemarke"],
        "Einen Hund melden Sie innerhalb von zwei Wochen bei der Steuerabteilung an und erhalten eine Hundemarke.",
    ),
    "anmeldung": (
        "Wohnsitz anmelden",
        ["ummelden", "Umzug melden"],
        "Nach einem Umzug melden Sie Ihre neue Wohnung innerhalb von zwei Wochen im Bürgerbüro an.",
    ),
}


def article_text(
    title: str,
    service: str,
    body: str,
    synonyms: list[str] | None = None,
    status: str = "published",
    updated: str = "2026-05-01",
    extra: str = "",
) -> str:
    syn = f"synonyms: [{', '.join(synonyms)}]\n" if synonyms else ""
    return (
        f"---\ntitle: {title}\nservice: {service}\n{syn}updated: {updated}\nstatus: {status}\n{extra}---\n"
        f"## Das Wichtigste\n{body}\n\n## Zuständige Stelle\nDas zuständige Amt der Stadt hilft weiter.\n"
    )


def write_knowledge(root: Path, cities: tuple[str, ...] = ("duisburg", "bottrop", "dinslaken")) -> Path:
    """A knowledge folder with the same four topics in every city (city name in the text) and one
    common article."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "cities.yaml").write_text(CITIES_YAML, encoding="utf-8")
    for city in cities:
        folder = root / city
        folder.mkdir(exist_ok=True)
        for slug, (title, synonyms, body) in TOPICS.items():
            text = article_text(f"{title} in {city.title()}", slug, f"{body} Gilt in {city.title()}.", synonyms)
            (folder / f"{slug}.md").write_text(text, encoding="utf-8")
    common = root / "common"
    common.mkdir(exist_ok=True)
    (common / "rundfunkbeitrag.md").write_text(
        article_text(
            "Rundfunkbeitrag",
            "rundfunkbeitrag",
            "Den Rundfunkbeitrag zieht der Beitragsservice ein, nicht die Stadt.",
            ["GEZ"],
        ),
        encoding="utf-8",
    )
    return root


def write_lines(path: Path, *lines: object) -> None:
    """A line file of a knowledge folder (answer examples, known gaps): each object as one JSON line, a
    string as it is (for lines that are not valid)."""
    text = "".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")
