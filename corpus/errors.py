"""Errors of the corpus layer. Each carries a message a user can act on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class CorpusError(Exception):
    """Base class for every corpus problem that is the user's to fix."""


@dataclass(frozen=True, order=True)
class ValidationIssue:
    """One problem in one article file: where it is and what is wrong."""

    path: Path
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else str(self.path)
        return f"{where}: {self.field}: {self.message}"


class CorpusValidationError(CorpusError):
    """The knowledge base has one or more invalid articles; loading it is refused."""

    def __init__(self, issues: list[ValidationIssue]) -> None:
        self.issues = sorted(issues, key=lambda i: (str(i.path), i.line or 0, i.field))
        lines = "\n".join(f"  {issue}" for issue in self.issues)
        super().__init__(f"The knowledge base has {len(self.issues)} problem(s):\n{lines}")


class UnknownCityError(CorpusError):
    """A city key that is not configured."""

    def __init__(self, city: str, known: list[str]) -> None:
        self.city = city
        self.known = known
        super().__init__(f"Unknown city '{city}'. Known cities: {', '.join(known)}.")


class KnowledgeFolderError(CorpusError):
    """The knowledge folder is missing, empty or has no city configuration."""

    def __init__(self, folder: Path, reason: str) -> None:
        self.folder = folder
        super().__init__(f"{reason} (looked in {folder.resolve()})")
