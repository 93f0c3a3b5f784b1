"""Import a DLDB service export (the JSON format of Berlin's and Munich's service directories)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml
from markdownify import markdownify

from corpus.article_parser import LEIKA
from corpus.cities import CITIES_FILE

_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\ufeff]")
# List fields of the Berlin DLDB schema and the section they become.
_LIST_SECTIONS = {
    "prerequisites": "Voraussetzungen",
    "requirements": "Unterlagen",
    "process": "Was ist zu tun",
    "forms": "Formulare",
    "links": "Weitere Informationen",
    "legal": "Rechtsgrundlagen",
}


class DldbFormatError(ValueError):
    """The file is not a DLDB service export."""


@dataclass
class ImportReport:
    written: list[Path] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def slugify(text: str, max_length: int = 60) -> str:
    folded = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").replace("ß", "ss")
    ascii_text = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return slug[:max_length].rstrip("-") or "artikel"


def html_to_markdown(html: str) -> str:
    """Markdown of a DLDB HTML field; headings are demoted below ``##`` so they stay inside a section."""
    text = markdownify(_ZERO_WIDTH.sub("", html or ""), heading_style="ATX", bullets="-")
    text = re.sub(r"^#{1,2}\s", "### ", text, flags=re.MULTILINE)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _list_section(items: Any) -> str:
    lines = []
    for item in items or []:
        if isinstance(item, dict):
            name = str(item.get("name") or item.get("title") or "").strip()
            link = str(item.get("link") or item.get("url") or "").strip()
            desc = html_to_markdown(str(item.get("description") or ""))
            entry = f"[{name}]({link})" if name and link else name or link
            if desc:
                entry = f"{entry}: {desc}" if entry else desc
            if entry:
                lines.append(f"- {entry}")
        elif isinstance(item, str) and item.strip():
            lines.append(f"- {html_to_markdown(item)}")
    return "\n".join(lines)


def _updated(service: dict[str, Any]) -> date:
    raw = str((service.get("meta") or {}).get("lastupdate") or "")
    try:
        return datetime.fromisoformat(raw).date()
    except ValueError:
        return date.today()


def service_to_article(service: dict[str, Any], with_keywords: bool = True) -> tuple[str, str] | None:
    """``(file stem, file text)`` for one DLDB service, or ``None`` when it has no content."""
    service_id = str(service.get("id") or "").strip()
    name = str(service.get("name") or "").strip()
    if not service_id or not name:
        return None
    sections: list[tuple[str, str]] = []
    description = html_to_markdown(str(service.get("description") or ""))
    if description:
        sections.append(("Beschreibung", description))
    for key, heading in _LIST_SECTIONS.items():
        body = _list_section(service.get(key))
        if body and all(body != text for _, text in sections):
            sections.append((heading, body))
    fees = html_to_markdown(str(service.get("fees") or ""))
    if fees:
        sections.append(("Kosten", fees))
    if not any(h in ("Beschreibung", "Was ist zu tun", "Voraussetzungen", "Unterlagen") for h, _ in sections):
        return None
    slug = slugify(name)
    front: dict[str, Any] = {"title": name, "service": slug}
    leika = str(service.get("leika") or "").strip()
    if LEIKA.match(leika):
        front["leika"] = leika
    meta = service.get("meta") or {}
    if with_keywords:
        keywords = [k.strip() for k in str(meta.get("keywords") or "").split(",") if k.strip()]
        if keywords:
            front["synonyms"] = keywords
    authorities = [
        str(a.get("name")) for a in service.get("authorities") or [] if isinstance(a, dict) and a.get("name")
    ]
    if authorities:
        front["office"] = ", ".join(authorities)
    if fees:
        front["fees"] = " ".join(fees.split())[:300]
    front["updated"] = _updated(service)
    front["status"] = "published"
    front["source"] = f"DLDB service {service_id}"
    header = yaml.safe_dump(front, allow_unicode=True, sort_keys=False)
    body = "\n\n".join(f"## {heading}\n{text}" for heading, text in sections)
    return f"{slug}-{service_id}", f"---\n{header}---\n{body}\n"


def import_dldb(source: Path, city: str, out_dir: Path, with_keywords: bool = True) -> ImportReport:
    """Write one article per DLDB service into ``out_dir/<city>/`` and register the city if needed."""
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise DldbFormatError(f"{source}: cannot read a JSON file: {exc}") from exc
    services = raw.get("data") if isinstance(raw, dict) else raw
    if not isinstance(services, list) or not all(isinstance(s, dict) for s in services):
        raise DldbFormatError(f"{source}: expected a DLDB export with a 'data' list of services")
    city = slugify(city)
    target = out_dir / city
    target.mkdir(parents=True, exist_ok=True)
    report = ImportReport()
    for service in services:
        converted = service_to_article(service, with_keywords=with_keywords)
        if converted is None:
            report.skipped.append(f"{service.get('id')} {service.get('name')}: no description or requirements")
            continue
        stem, text = converted
        path = target / f"{stem}.md"
        path.write_text(text, encoding="utf-8")
        report.written.append(path)
    _register_city(out_dir / CITIES_FILE, city)
    return report


def _register_city(path: Path, city: str) -> None:
    config: dict[str, Any] = {}
    if path.is_file():
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    cities = config.setdefault("cities", {}) or {}
    config["cities"] = cities
    if city not in cities:
        cities[city] = {"name": city.replace("-", " ").title()}
        config.setdefault("common", "common")
        path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
