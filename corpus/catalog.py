"""The service catalog (``services.csv``): which services every city's knowledge base must cover."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CatalogService:
    slug: str
    title: str
    leika: str | None
    scope: str


def load_catalog(path: Path) -> list[CatalogService]:
    """Read the catalog CSV (columns slug, title, leika, scope)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    missing = {"slug", "title"} - set(rows[0].keys() if rows else [])
    if missing:
        raise ValueError(f"{path}: catalog lacks column(s) {', '.join(sorted(missing))}")
    return [
        CatalogService(
            slug=row["slug"].strip(),
            title=row["title"].strip(),
            leika=(row.get("leika") or "").strip() or None,
            scope=(row.get("scope") or "").strip(),
        )
        for row in rows
        if row.get("slug", "").strip()
    ]
