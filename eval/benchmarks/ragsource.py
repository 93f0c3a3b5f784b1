"""RAGSource: German statutes and the bylaws (Satzungen) of Bad Boll, with citizens' questions.

Each document becomes one article; its Markdown is cut into ``##`` sections at headings of every
level (:mod:`eval.benchmarks.markdown_sections`) and long sections are split into passages by the
index's passage splitter. The documents' ``fragen`` (the queries themselves) and ``keywords`` are
left out of the articles.
"""

from __future__ import annotations

from pathlib import Path

from corpus.dldb_import import slugify
from eval.benchmarks.article_writer import GeneratedArticle, write_articles
from eval.benchmarks.benchmark_corpus import (
    BenchmarkCorpus,
    BenchmarkDataError,
    limited,
    read_benchmark_queries,
    require_file,
)
from eval.benchmarks.markdown_sections import markdown_sections
from eval.json_lines import json_lines, problem_list
from eval.queries import LabeledQuery

DOCS_FILE = "docs.jsonl"
QUERIES_FILE = "queries.jsonl"
CITY = "ragsource"


def _documents(path: Path) -> list[GeneratedArticle]:
    articles: list[GeneratedArticle] = []
    problems: list[str] = []
    for number, doc in json_lines(path, problems):
        if not isinstance(doc, dict) or not str(doc.get("doc_id", "")).strip() or not isinstance(doc.get("text"), str):
            problems.append(f"{path}:{number}: expected {{doc_id, title, text, ...}}")
            continue
        doc_id = str(doc["doc_id"])
        source = doc.get("quelle") or doc.get("source_path")
        articles.append(
            GeneratedArticle(
                stem=slugify(doc_id),
                title=str(doc.get("title") or doc_id),
                sections=markdown_sections(doc["text"]),
                source=str(source) if source else None,
            )
        )
    if problems:
        raise BenchmarkDataError(problem_list(path.name, problems))
    return articles


class RagsourceBenchmark:
    name = "ragsource"
    description = "RAGSource statutes and bylaws: citizen question -> its document"

    def build(self, data: Path, workdir: Path, limit: int | None = None) -> BenchmarkCorpus:
        docs = require_file(data, DOCS_FILE, "the documents")
        query_file = require_file(data, QUERIES_FILE, "the questions")
        documents = _documents(docs)
        written = set(write_articles(workdir, CITY, "RAGSource", documents))
        queries: list[LabeledQuery] = []
        dropped = 0
        for qid, text, ids in read_benchmark_queries(query_file):
            relevant = {f"{CITY}/{slugify(i)}": 1 for i in ids if f"{CITY}/{slugify(i)}" in written}
            if not relevant:
                dropped += 1
                continue
            queries.append(LabeledQuery(id=qid, city=CITY, text=text, relevant=relevant))
        notes = [f"{len(written)} documents", f"{dropped} queries dropped: their document is missing or empty"]
        return BenchmarkCorpus(
            name=self.name,
            city=CITY,
            knowledge_dir=workdir,
            queries=limited(queries, limit),
            articles=len(written),
            dropped_queries=dropped,
            notes=notes,
        )
