"""What comparing the answer sentence's meaning costs: the engine's start with the articles' sentences
embedded for the first time, read from the index folder's vector cache, and not used; and the time to
pick the answer sentence of a labeled question with and without it, in one run.

    .venv/bin/python bench/sentence_meaning_bench.py [--questions 300] [--repeat 3]

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
from pathlib import Path

from assistant.live.suggestion_engine import SuggestionConfig, SuggestionEngine
from assistant.settings import Settings
from assistant.wiring import open_retriever
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

    def start(sentence_meaning: bool, folder: Path) -> tuple[SuggestionEngine, float]:
        retriever = HybridRetriever(
            served.index,
            served.encoder,
            knowledge.cities,
            settings.retrieval_config(),
            query_store=query_vector_store(settings.index_dir, served.encoder),
            sentence_store=sentence_vector_store(folder, served.encoder),
        )
        config = SuggestionConfig(sentence_meaning=sentence_meaning)
        started = time.perf_counter()
        engine = SuggestionEngine.for_index(retriever, served.index, config, examples=examples)
        return engine, time.perf_counter() - started

    with tempfile.TemporaryDirectory() as empty:
        _, cold = start(True, Path(empty))
    without, off = start(False, settings.index_dir)
    start(True, settings.index_dir)  # fills the index folder's cache where it is not yet
    with_meaning, warm = start(True, settings.index_dir)
    units = sum(len(p.units) for p in with_meaning.extractor._prepared.values())
    print(f"engine start, {units} sentences and list items:")
    print(f"  without sentence meaning      {off:6.2f} s")
    print(f"  sentences embedded (first)    {cold:6.2f} s")
    print(f"  sentences from the cache      {warm:6.2f} s")

    questions = _questions(args.questions)
    for engine in (without, with_meaning):  # the question's content words, as a turn's search embeds them
        for question, _ in questions:
            text = engine.extractor.meaning_text(question)
            if text:
                engine.retriever.query_vectors([text])
    print(f"answer sentence of {len(questions)} labeled tune questions (best of {args.repeat}):")
    for name, engine in (("without sentence meaning", without), ("with sentence meaning", with_meaning)):
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
