"""Turn a long Markdown document into ``##`` sections of sensible size.

The article parser only opens a section at ``##``; text without one becomes a single "Überblick"
section that the passage splitter cuts at sentence ends, every piece under the same heading, with
deeper headings (``###``, ``####`` ...) left inside the text. Statutes and bylaws are structured by
headings of every level (Abschnitt, §), so here each heading of any level opens a section. A section
too short to stand alone (a bare "§ 63a (weggefallen)", a chapter title) joins the section before it,
and a short section followed by a long one joins that one instead, so that a real heading stays on
the bulk of the text; the headings of joined sections stay as lines. Long sections are left to the
passage splitter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MIN_SECTION_WORDS = 40
DEFAULT_HEADING = "Wortlaut"
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


@dataclass
class _Section:
    heading: str
    body: str
    default: bool = False

    @property
    def words(self) -> int:
        return len(self.body.split())


def markdown_sections(
    text: str, default_heading: str = DEFAULT_HEADING, min_words: int = MIN_SECTION_WORDS
) -> list[tuple[str, str]]:
    """``(heading, text)`` pairs in document order; headings of every level start a section."""
    raw: list[_Section] = [_Section(default_heading, "", default=True)]
    lines: list[list[str]] = [[]]
    for line in text.splitlines():
        match = _HEADING.match(line)
        if match and match.group(1).strip():
            raw.append(_Section(" ".join(match.group(1).split()), ""))
            lines.append([])
        else:
            lines[-1].append(line)
    for section, body in zip(raw, lines, strict=True):
        section.body = "\n".join(body).strip()
    out: list[_Section] = []
    for section in raw:
        if section.default and not section.body:
            continue
        if out and section.words < min_words:
            _append(out[-1], section)
        elif out and out[-1].words < min_words:
            _prepend(section, out.pop())
            out.append(section)
        else:
            out.append(section)
    return [(s.heading, s.body) for s in out if s.body]


def _lines(section: _Section) -> list[str]:
    return [section.body] if section.default else [section.heading, section.body]


def _append(into: _Section, section: _Section) -> None:
    """``section`` joins the end of ``into``; a default heading gives way to a real one."""
    if into.default and not section.default:
        into.heading, into.default = section.heading, False
        parts = [into.body, section.body]
    else:
        parts = [into.body, *_lines(section)]
    into.body = "\n\n".join(p for p in parts if p)


def _prepend(into: _Section, section: _Section) -> None:
    """``section`` joins the start of ``into``, which keeps its heading."""
    into.body = "\n\n".join(p for p in [*_lines(section), into.body] if p)
