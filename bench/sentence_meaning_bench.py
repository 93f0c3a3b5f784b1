"""What comparing the answer sentence's meaning costs: the engine's start with the articles' sentences
embedded for the first time, read from the index folder's vector cache, and not used; and the time to
pick the answer sentence of a labeled question with and without it, in one run.

    .venv/bin/python bench/sentence_meaning_bench.py [--questions 300] [--repeat 3]

Default model and demo knowledge base (the index is built on first use). The first start embeds into a
temporary folder, so the index folder's own vector cache is neither used nor changed by that row. The
question's content words are embedded before the timing (a caller turn's search embeds them anyway).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from answer_timing import open_demo, print_answer_times

from assistant.live.suggestion_engine import SuggestionConfig, SuggestionEngine


def main() -> None:
    demo = open_demo(__doc__.splitlines()[0])
    settings = demo.settings
    examples = settings.suggestions.examples_of(demo.knowledge)

    def start(sentence_meaning: bool, folder: Path) -> tuple[SuggestionEngine, float]:
        config = SuggestionConfig(sentence_meaning=sentence_meaning)
        return demo.timed_engine(demo.retriever(settings.index_dir, folder), config, examples)

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

    print_answer_times(
        [("without sentence meaning", without), ("with sentence meaning", with_meaning)],
        demo.args.questions,
        demo.args.repeat,
    )


if __name__ == "__main__":
    main()
