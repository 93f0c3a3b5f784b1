"""XQuAD, German: every Wikipedia paragraph is an article, each question's relevant item its paragraph.

Identical paragraphs (same text after whitespace normalization) become one article that all their
questions point to. Article titles are the Wikipedia article titles with the paragraph number.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from eval.benchmarks.article_writer import GeneratedArticle, write_articles
from eval.benchmarks.benchmark_corpus import BenchmarkCorpus, BenchmarkDataError, limited, require_file
from eval.queries import LabeledQuery

XQUAD_FILE = "xquad.de.json"
CITY = "xquad"
SECTION_HEADING = "Absatz"


def _squad_articles(path: Path) -> list[dict[str, Any]]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise BenchmarkDataError(f"{path}: cannot read a JSON file: {exc}") from exc
    data = raw.get("data") if isinstance(raw, dict) else None
    if not isinstance(data, list) or not all(isinstance(a, dict) and "paragraphs" in a for a in data):
        raise BenchmarkDataError(f"{path}: expected SQuAD JSON: {{data: [{{title, paragraphs: [...]}}]}}")
    return data


class XquadBenchmark:
    name = "xquad"
    description = "XQuAD German: question -> its Wikipedia paragraph"

    def build(self, data: Path, workdir: Path, limit: int | None = None) -> BenchmarkCorpus:
        path = require_file(data, XQUAD_FILE, "the German XQuAD file")
        article_by_text: dict[str, str] = {}
        articles: list[GeneratedArticle] = []
        queries: list[LabeledQuery] = []
        duplicates = 0
        for wiki in _squad_articles(path):
            title = " ".join(str(wiki.get("title", "")).replace("_", " ").split()) or "Artikel"
            for number, paragraph in enumerate(wiki["paragraphs"], start=1):
                context = " ".join(str(paragraph.get("context", "")).split())
                if not context:
                    continue
                if context in article_by_text:
                    duplicates += 1
                else:
                    stem = f"p{len(articles) + 1:04d}"
                    article_by_text[context] = f"{CITY}/{stem}"
                    articles.append(GeneratedArticle(stem, f"{title} – Absatz {number}", [(SECTION_HEADING, context)]))
                article_id = article_by_text[context]
                for qa in paragraph.get("qas", []):
                    question = str(qa.get("question", "")).strip()
                    if question:
                        queries.append(LabeledQuery(str(qa["id"]), CITY, question, {article_id: 1}))
        if not articles:
            raise BenchmarkDataError(f"{path}: no paragraphs")
        written = write_articles(workdir, CITY, "XQuAD (de)", articles)
        return BenchmarkCorpus(
            name=self.name,
            city=CITY,
            knowledge_dir=workdir,
            queries=limited(queries, limit),
            articles=len(written),
            notes=[f"{len(written)} paragraphs, {duplicates} duplicate paragraphs merged"],
        )
