"""What the answer-sentence benchmarks share: the demo opened with their options, a retriever that keeps
its stored vectors in given folders, the labeled tune questions they time, and the timing of picking the
answer sentence of each with several engines side by side."""

from __future__ import annotations

import argparse
import glob
import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from assistant.live.suggestion_engine import SuggestionConfig, SuggestionEngine
from assistant.settings import Settings
from assistant.wiring import open_retriever
from corpus.answer_examples import AnswerExample
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from embeddings.index.index_store import query_vector_store, sentence_vector_store
from embeddings.retrieval.retriever import HybridRetriever

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class DemoBench:
    """The benchmark's options, the settings, the demo knowledge base and its served retriever."""

    args: argparse.Namespace
    settings: Settings
    knowledge: KnowledgeBase
    served: HybridRetriever

    def retriever(self, queries: Path, sentences: Path) -> HybridRetriever:
        """A retriever on the served index whose stored query and sentence vectors live in the index folders
        ``queries`` and ``sentences`` (an empty temporary one embeds them anew)."""
        return HybridRetriever(
            self.served.index,
            self.served.encoder,
            self.knowledge.cities,
            self.settings.retrieval_config(),
            query_store=query_vector_store(queries, self.served.encoder),
            sentence_store=sentence_vector_store(sentences, self.served.encoder),
        )

    def timed_engine(
        self, retriever: HybridRetriever, config: SuggestionConfig, examples: Sequence[AnswerExample]
    ) -> tuple[SuggestionEngine, float]:
        """The suggestion engine on ``retriever`` with ``config`` and ``examples``, and the seconds its start
        took (what embedding the examples' questions and the articles' sentences costs, where not stored)."""
        started = time.perf_counter()
        engine = SuggestionEngine.for_index(retriever, self.served.index, config, examples=examples)
        return engine, time.perf_counter() - started


def open_demo(description: str) -> DemoBench:
    """Parse ``--questions`` and ``--repeat`` and open the default model on the demo knowledge base (its
    index built on first use)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--questions", type=int, default=300, help="labeled tune questions timed")
    parser.add_argument("--repeat", type=int, default=3, help="timings per question (the best counts)")
    args = parser.parse_args()
    settings = Settings()
    knowledge = load_knowledge_base(settings.knowledge_dir)
    served, _ = open_retriever(settings, knowledge_base=knowledge)
    return DemoBench(args, settings, knowledge, served)


def tune_questions(limit: int) -> list[tuple[str, str]]:
    """The first ``limit`` labeled tune questions of the demo call sets, each with its article."""
    found = []
    for path in sorted(glob.glob(str(ROOT / "demo" / "calls" / "answer-labels*.jsonl"))):
        for line in Path(path).read_text("utf-8").splitlines():
            label = json.loads(line)
            if label.get("split") == "tune" and label.get("sentences"):
                found.append((label["question"], label["article_id"]))
    return found[:limit]


def print_answer_times(engines: Sequence[tuple[str, SuggestionEngine]], limit: int, repeat: int) -> None:
    """Time picking the answer sentence of ``limit`` labeled tune questions with each engine (best of
    ``repeat``) and print median and p95. The questions' content words are embedded first, as a caller
    turn's search embeds them anyway."""
    questions = tune_questions(limit)
    for _, engine in engines:
        for question, _ in questions:
            text = engine.extractor.meaning_text(question)
            if text:
                engine.retriever.query_vectors([text])
    print(f"answer sentence of {len(questions)} labeled tune questions (best of {repeat}):")
    for name, engine in engines:
        micros = []
        for question, article in questions:
            sections = engine.retriever.sections(article)
            best = float("inf")
            for _ in range(repeat):
                started = time.perf_counter()
                engine.extractor.extract(question, sections[0], sections)
                best = min(best, time.perf_counter() - started)
            micros.append(best * 1e6)
        p95 = statistics.quantiles(micros, n=20)[-1]
        print(f"  {name:26s} median {statistics.median(micros):7.1f} us  p95 {p95:7.1f} us")
