"""A draft knowledge article for a gap topic, for the content team to complete (the gaps page's
download). The draft follows ``docs/article-format.md``: front matter with a title proposal, a service
slug, the callers' questions as synonyms, ``status: draft`` (validated, never indexed) and ``todo``
items; a body with the usual sections to fill in. Where another city answers the same matter (a topic
asymmetry), that city's article gives the sections and the fields to ask for."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

import yaml

from corpus.models import Article

# The recommended sections of docs/article-format.md, with what belongs in each.
USUAL_SECTIONS = (
    ("Das Wichtigste", "Die Antwort zuerst: zwei bis vier Sätze, die am Telefon gesagt werden können."),
    ("Was ist zu tun", "Die Schritte für die Anruferin oder den Anrufer."),
    ("Unterlagen", "Was mitzubringen oder einzureichen ist."),
    ("Kosten", "Gebühren, falls es welche gibt."),
    ("Fristen und Dauer", "Fristen, Bearbeitungsdauer."),
    ("Zuständige Stelle", "Amt oder Betrieb, Erreichbarkeit."),
    ("Online erledigen", "Online-Dienst, falls es einen gibt."),
    ("Sonderfälle am Telefon", "Was in häufigen Sonderfällen zu sagen ist."),
)
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def slug(text: str) -> str:
    """A service slug (``a-z``, ``0-9``, ``-``) from a title."""
    folded = unicodedata.normalize("NFKD", text.lower().translate(_UMLAUTS)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60].strip("-") or "neues-thema"


def draft_file_name(city: str, title: str) -> str:
    return f"{city}-{slug(title)}.md"


def draft_article(
    city_key: str,
    city_name: str,
    title: str,
    questions: list[str],
    today: date,
    model: Article | None = None,
    model_city_name: str | None = None,
) -> str:
    """The Markdown text of a draft article for ``city_key``; ``model`` is another city's article on the
    same matter whose structure the draft takes over."""
    todo = [
        f"Titel prüfen: so, wie Anrufende in {city_name} danach fragen",
        "Jeden Abschnitt mit den Regeln der Stadt füllen, leere Abschnitte streichen",
        "Felder office, contact, fees und source ergänzen (siehe docs/article-format.md)",
        "Synonyme kürzen: nur Wörter und Wendungen, die Anrufende wirklich benutzen",
    ]
    if model is not None:
        where = model_city_name or model.city
        todo.insert(0, f"Gliederung übernommen aus {model.id} ({where}): Inhalte für {city_name} prüfen")
    front: dict[str, object] = {
        "title": title,
        "service": model.service if model is not None else slug(title),
        "synonyms": list(dict.fromkeys(q.strip() for q in questions if q.strip())),
        "updated": today,
        "status": "draft",
        "todo": todo,
    }
    if model is not None and model.leika:
        front["leika"] = model.leika
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=100)
    if model is not None:
        where = model_city_name or model.city
        sections = [(s.heading, f"Wie im Abschnitt „{s.heading}“ in {where}, für {city_name}.") for s in model.sections]
    else:
        sections = list(USUAL_SECTIONS)
    body = "\n\n".join(f"## {heading}\n{hint}" for heading, hint in sections)
    return f"---\n{header}---\n{body}\n"
