"""What the questions editors wrote for the articles' sentences cost: the engine's start with the callers'
answer examples only and with the editors' questions too (their questions embedded for the first time, and
read from the index folder's vector cache), the memory their vectors take, and the time to pick the answer
sentence of a labeled question with and without them, in one run.

    .venv/bin/python bench/editor_questions_bench.py [--questions 300] [--repeat 3]

The rows "embedded (first)" start on an empty temporary vector cache for the questions, the others on the
index folder's (filled first where it is not yet); the articles' sentences come from the index folder's.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from answer_timing import open_demo, print_answer_times

from assistant.live.suggestion_engine import SuggestionConfig, SuggestionEngine
from corpus.answer_examples import AnswerExample


def main() -> None:
    demo = open_demo(__doc__.splitlines()[0])
    settings, served = demo.settings, demo.served
    examples = settings.suggestions.examples_of(demo.knowledge)
    callers = tuple(e for e in examples if not e.by_editor)

    def start(used: Sequence[AnswerExample], folder: Path) -> tuple[SuggestionEngine, float]:
        return demo.timed_engine(demo.retriever(folder, settings.index_dir), SuggestionConfig(), used)

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

    print_answer_times(
        [("callers' examples only", only_callers), ("with editors' questions", with_editors)],
        demo.args.questions,
        demo.args.repeat,
    )


if __name__ == "__main__":
    main()
