"""Parse one article file (YAML front matter + Markdown body) and report every problem in it."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, cast

import yaml

from corpus.errors import ValidationIssue
from corpus.models import Article, ArticleStatus, Section
from corpus.yaml_loading import compose_and_load

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LEIKA = re.compile(r"^\d{14}$")
OVERVIEW_HEADING = "Überblick"
KNOWN_FIELDS = {
    "title",
    "service",
    "leika",
    "synonyms",
    "office",
    "contact",
    "fees",
    "updated",
    "status",
    "source",
    "todo",
}
STATUSES: tuple[ArticleStatus, ...] = ("published", "draft")
_HEADING = re.compile(r"^##\s+(.+?)\s*#*\s*$")


@dataclass
class _FrontMatter:
    data: dict[str, Any]
    lines: dict[str, int]
    body: str
    body_line: int


class ArticleParser:
    """Turns a file into an :class:`Article`, or into the list of what is wrong with it."""

    def parse(self, path: Path, folder: str) -> tuple[Article | None, list[ValidationIssue]]:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            return None, [ValidationIssue(path, None, "file", "is not UTF-8 text")]
        front, issues = self._split(path, text)
        if front is None:
            return None, issues
        article_id = f"{folder}/{path.stem}"
        data, lines = front.data, front.lines
        for key in sorted(set(data) - KNOWN_FIELDS):
            issues.append(ValidationIssue(path, lines.get(key), key, "unknown field"))

        def issue(field: str, message: str) -> None:
            issues.append(ValidationIssue(path, lines.get(field, 1), field, message))

        fields = self._fields(data, issue)
        sections = self._sections(front.body, front.body_line)
        if not any(s.text.strip() for s in sections):
            issues.append(ValidationIssue(path, front.body_line, "body", "is empty"))
        for section in sections:
            if not section.text.strip():
                issues.append(ValidationIssue(path, section.line, "body", f"section '{section.heading}' is empty"))
        if issues:
            return None, issues
        fingerprint = hashlib.sha256(
            json.dumps({"id": article_id, "front": data, "body": front.body}, sort_keys=True, default=str).encode()
        ).hexdigest()[:16]
        return Article(
            id=article_id, city=folder, path=path, sections=tuple(sections), fingerprint=fingerprint, **fields
        ), []

    def _fields(self, data: dict[str, Any], issue: Callable[[str, str], None]) -> dict[str, Any]:
        """The front-matter fields as ``Article`` keyword arguments; problems go to ``issue``."""
        service = self._string(data, "service", issue, required=True)
        if service and not SLUG.match(service):
            issue("service", f"'{service}' is not a slug (lower-case letters, digits and hyphens)")
        leika = self._string(data, "leika", issue)
        if leika and not LEIKA.match(leika):
            issue("leika", f"'{leika}' is not a 14-digit LeiKa key")
        status = data.get("status")
        if status is None:
            issue("status", "missing (published or draft)")
        elif status not in STATUSES:
            issue("status", f"unknown status '{status}' (published or draft)")
        updated = data.get("updated")
        if updated is None:
            issue("updated", "missing (a date YYYY-MM-DD)")
        elif not isinstance(updated, date):
            issue("updated", f"'{updated}' is not a date YYYY-MM-DD")
        return {
            "title": self._string(data, "title", issue, required=True),
            "service": service,
            "leika": leika,
            "status": cast(ArticleStatus, status),
            "updated": updated,
            "synonyms": tuple(self._string_list(data, "synonyms", issue)),
            "todo": tuple(self._string_list(data, "todo", issue)),
            **{k: self._string(data, k, issue) for k in ("office", "contact", "fees", "source")},
        }

    @staticmethod
    def _split(path: Path, text: str) -> tuple[_FrontMatter | None, list[ValidationIssue]]:
        lines = text.splitlines()
        if not lines or lines[0].strip() != "---":
            return None, [ValidationIssue(path, 1, "front matter", "missing: the file must start with '---'")]
        try:
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
        except StopIteration:
            return None, [ValidationIssue(path, 1, "front matter", "not closed by a second '---' line")]
        yaml_text = "\n".join(lines[1:end])
        try:
            node, data = compose_and_load(yaml_text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = mark.line + 2 if mark is not None else None
            problem = getattr(exc, "problem", None) or str(exc)
            return None, [ValidationIssue(path, line, "front matter", f"invalid YAML: {problem}")]
        if data is None:
            data = {}
        if not isinstance(data, dict):
            return None, [ValidationIssue(path, 2, "front matter", "must be a mapping of fields")]
        field_lines: dict[str, int] = {}
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                field_lines[str(key_node.value)] = key_node.start_mark.line + 2
        body = "\n".join(lines[end + 1 :])
        return _FrontMatter(data=data, lines=field_lines, body=body, body_line=end + 2), []

    @staticmethod
    def _string(
        data: dict[str, Any], field: str, issue: Callable[[str, str], None], required: bool = False
    ) -> str | None:
        value = data.get(field)
        if value is None:
            if required:
                issue(field, "missing")
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            issue(field, "must be text")
            return None
        text = str(value).strip()
        if required and not text:
            issue(field, "is empty")
            return None
        return text or None

    @staticmethod
    def _string_list(data: dict[str, Any], field: str, issue: Callable[[str, str], None]) -> list[str]:
        value = data.get(field)
        if value is None:
            return []
        if isinstance(value, str):
            value = [v for v in (p.strip() for p in value.split(",")) if v]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            issue(field, "must be a list of texts")
            return []
        return [str(v).strip() for v in value if str(v).strip()]

    @staticmethod
    def _sections(body: str, first_line: int) -> list[Section]:
        sections: list[Section] = []
        heading, start = OVERVIEW_HEADING, first_line
        buf: list[str] = []
        for offset, line in enumerate(body.splitlines()):
            match = _HEADING.match(line)
            if match:
                if (buf and "\n".join(buf).strip()) or heading != OVERVIEW_HEADING:
                    sections.append(Section(heading=heading, text="\n".join(buf).strip(), line=start))
                heading, start, buf = match.group(1).strip(), first_line + offset, []
            else:
                buf.append(line)
        if "\n".join(buf).strip() or heading != OVERVIEW_HEADING:
            sections.append(Section(heading=heading, text="\n".join(buf).strip(), line=start))
        return sections
