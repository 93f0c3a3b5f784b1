"""What the questions editors wrote for the articles' sentences cost: the engine's start with the callers'
answer examples only and with the editors' questions too (their questions embedded for the first time, and
read from the index folder's vector cache), the memory their vectors take, and the time to pick the answer
sentence of a labeled question with and without them, in one run.

    .venv/bin/python bench/editor_questions_bench.py [--questions 300] [--repeat 3]

Default model and demo knowledge base (the index is built on first use). The first start embeds into a
temporary folder, so the index folder's own vector cache is neither used nor changed by that row. The
question's content words are embedded before the timing (a caller turn's search embeds them anyway).
"""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from assistant.live.suggestion_engine import SuggestionConfig, SuggestionEngine
from assistant.settings import Settings
from assistant.wiring import open_retriever
from corpus.answer_examples import AnswerExample
from corpus.knowledge_base import load_knowledge_base
from embeddings.index.index_store import query_vector_store, sentence_vector_store
from embeddings.retrieval.retriever import HybridRetriever

ROOT = Path(__file__).resolve().parent.parent


def _questions(limit: int) -> list[tuple[str, str]]:
    found = []
    for path in sorted(glob.glob(str(ROOT / "demo" / "calls" / "answer-labels*.jsonl"))):
        for line in Path(path).read_text("utf-8").splitlines():
            label = json.loads(line)
            if label.get("split") == "tune" and label.get("sentences"):
                found.append((label["question"], label["article_id"]))
    return found[:limit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=300, help="labeled tune questions timed")
    parser.add_argument("--repeat", type=int, default=3, help="timings per question (the best counts)")
    args = parser.parse_args()
    settings = Settings()
    knowledge = load_knowledge_base(settings.knowledge_dir)
    served, _ = open_retriever(settings, knowledge_base=knowledge)
    examples = settings.suggestions.examples_of(knowledge)
    callers = tuple(e for e in examples if not e.by_editor)

    def start(used: Sequence[AnswerExample], folder: Path) -> tuple[SuggestionEngine, float]:
        retriever = HybridRetriever(
            served.index,
            served.encoder,
            knowledge.cities,
            settings.retrieval_config(),
            query_store=query_vector_store(folder, served.encoder),
            sentence_store=sentence_vector_store(settings.index_dir, served.encoder),
        )
        started = time.perf_counter()
        engine = SuggestionEngine.for_index(retriever, served.index, SuggestionConfig(), examples=used)
        return engine, time.perf_counter() - started

    start(callers, settings.index_dir)  # fills the index folder's caches where they are not yet
    with tempfile.TemporaryDirectory() as empty:
        _, callers_cold = start(callers, Path(empty))
    with tempfile.TemporaryDirectory() as empty:
        _, both_cold = start(examples, Path(empty))
    only_callers, callers_warm = start(callers, settings.index_dir)
    start(examples, settings.index_dir)
    with_editors, both_warm = start(examples, settings.index_dir)
    written = len(examples) - len(callers)
    megabytes = written * served.encoder.dimension * 4 / 1e6
    print(f"engine start, {len(callers)} callers' and {written} editors' questions (+{megabytes:.1f} MB of vectors):")
    print(f"  callers' only, questions embedded (first)   {callers_cold:6.2f} s")
    print(f"  with editors', questions embedded (first)   {both_cold:6.2f} s")
    print(f"  callers' only, from the cache               {callers_warm:6.2f} s")
    print(f"  with editors', from the cache               {both_warm:6.2f} s")

    questions = _questions(args.questions)
    for engine in (only_callers, with_editors):  # the question's content words, as a turn's search embeds them
        for question, _ in questions:
            text = engine.extractor.meaning_text(question)
            if text:
                engine.retriever.query_vectors([text])
    print(f"answer sentence of {len(questions)} labeled tune questions (best of {args.repeat}):")
    for name, engine in (("callers' examples only", only_callers), ("with editors' questions", with_editors)):
        micros = []
        for question, article in questions:
            sections = engine.retriever.sections(article)
            best = float("inf")
            for _ in range(args.repeat):
                started = time.perf_counter()
                engine.extractor.extract(question, sections[0], sections)
                best = min(best, time.perf_counter() - started)
            micros.append(best * 1e6)
        p95 = statistics.quantiles(micros, n=20)[-1]
        print(f"  {name:26s} median {statistics.median(micros):7.1f} us  p95 {p95:7.1f} us")


if __name__ == "__main__":
    main()
