"""Munich DLDB services without their keywords; the keywords become the queries.

``services_de.raw.json`` is imported with the DLDB importer (``with_keywords=False``: the queries are
the services' own search keywords, so indexing them would give the answers away), and each query's
``relevant_ids`` (DLDB service ids) map to the importer's article ids ``muenchen/<slug>-<service id>``.
Queries whose services have no article (skipped by the importer for lack of content) are dropped.
"""

from __future__ import annotations

from pathlib import Path

from corpus.dldb_import import DldbFormatError, import_dldb
from eval.benchmarks.benchmark_corpus import (
    BenchmarkCorpus,
    BenchmarkDataError,
    limited,
    read_benchmark_queries,
    require_file,
)
from eval.queries import LabeledQuery

SERVICES_FILE = "services_de.raw.json"
QUERIES_FILE = "munich_keyword_queries.jsonl"
CITY = "muenchen"


class MunichKeywordBenchmark:
    name = "munich"
    description = "Munich DLDB services (keywords left out) searched with their citizen keywords"

    def build(self, data: Path, workdir: Path, limit: int | None = None) -> BenchmarkCorpus:
        services = require_file(data, SERVICES_FILE, "the Munich DLDB services export")
        query_file = require_file(data, QUERIES_FILE, "the keyword queries")
        try:
            report = import_dldb(services, CITY, workdir, with_keywords=False)
        except DldbFormatError as exc:
            raise BenchmarkDataError(str(exc)) from exc
        # The importer names each file <slug>-<service id>; DLDB ids have no hyphen.
        article_by_service = {p.stem.rsplit("-", 1)[-1]: f"{CITY}/{p.stem}" for p in report.written}
        queries: list[LabeledQuery] = []
        dropped = 0
        for qid, text, ids in read_benchmark_queries(query_file):
            relevant = {article_by_service[i]: 1 for i in ids if i in article_by_service}
            if not relevant:
                dropped += 1
                continue
            queries.append(LabeledQuery(id=qid, city=CITY, text=text, relevant=relevant))
        notes = [
            f"{len(report.written)} services imported, {len(report.skipped)} skipped (no content)",
            f"{dropped} queries dropped: none of their services has an article",
        ]
        return BenchmarkCorpus(
            name=self.name,
            city=CITY,
            knowledge_dir=workdir,
            queries=limited(queries, limit),
            articles=len(report.written),
            dropped_queries=dropped,
            notes=notes,
        )
