"""Hot index reload: a running server serves the snapshot that ``souffleur index`` publishes.

``souffleur index`` writes a new snapshot folder and then atomically replaces the ``CURRENT`` pointer
(see ``embeddings.index.passage_index``). :class:`IndexWatcher` checks that pointer every
``index_poll_seconds`` (a stat and a small read), loads a new snapshot completely into memory (the
server never reads the snapshot folder afterwards; it may be deleted), warms it with one search per
city, and then swaps the retriever, the answer extractor and the knowledge base in. Requests in flight
finish on the objects they started with; no request fails. Every replica watching the same (shared)
index folder switches within about one poll interval.

The knowledge folder's answer examples (``answer-examples.jsonl``) and known gaps (``known-gaps.jsonl``)
are not part of the index: the watcher also checks those files (a stat each) and, when one changed, reads
the knowledge folder again and gives the engine the new examples and gaps with the index it already
serves. A file with errors is logged and the examples and gaps in use are kept. At each poll the
watcher also learns the agents' answer marks and the known gaps marked or removed on the gaps page of
other replicas (a read of the stored ids); every reload keeps the stored known gaps.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from assistant.live.call_service import CallService
from assistant.settings import Settings
from assistant.wiring import serving_retriever
from corpus.answer_examples import ANSWER_EXAMPLES_FILE
from corpus.knowledge_base import KnowledgeBase, load_knowledge_base
from corpus.known_gaps import KNOWN_GAPS_FILE
from embeddings.index.passage_index import CURRENT_FILE, PassageIndex

log = logging.getLogger("souffleur.index")


def read_pointer(folder: Path) -> str | None:
    """The snapshot name ``CURRENT`` points to, or ``None`` when there is none."""
    try:
        return (folder / CURRENT_FILE).read_text().strip() or None
    except OSError:
        return None


def examples_stamp(knowledge_dir: Path) -> tuple[tuple[int, int] | None, ...]:
    """When the answer examples and the known gaps files were last written and their sizes (``None``
    for a file that is not there)."""
    return tuple(_stamp(knowledge_dir / name) for name in (ANSWER_EXAMPLES_FILE, KNOWN_GAPS_FILE))


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def swap_index(service: CallService, index: PassageIndex, knowledge: KnowledgeBase, settings: Settings) -> None:
    """Serve ``index`` and ``knowledge`` from now on (the service's encoder, the configured retrieval)."""
    retriever = serving_retriever(settings, index, service.encoder, knowledge)
    for city in knowledge.cities.keys:  # the first use of a new index is slow: not on a caller's time
        retriever.search("Personalausweis beantragen", city, k=1)
    retriever.clear_query_cache()
    examples, gaps = settings.suggestions.examples_of(knowledge), settings.suggestions.gaps_of(knowledge)
    # With the known gaps marked on the gaps page (stored) too: ``rebuild_answers`` adds them.
    service.rebuild_answers(lambda known: service.engine.serve(retriever, index, examples, known), gaps)
    service.retriever = retriever
    service.knowledge = knowledge
    service.cities = knowledge.cities


class IndexWatcher:
    def __init__(self, settings: Settings, service: CallService, current: str | None = None) -> None:
        self.settings = settings
        self.service = service
        self.folder = settings.index_dir
        self.current = current if current is not None else read_pointer(self.folder)
        self.reloads = 0  # index snapshots swapped in
        self.examples = examples_stamp(settings.knowledge_dir)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """Load and swap in a newly published snapshot; whether it did."""
        name = read_pointer(self.folder)
        if name is None or name == self.current:
            self.service.learn_new_marks()  # marks made on other replicas
            reloaded = self.check_examples()
            self.service.learn_stored_gaps()  # known gaps marked or removed on the gaps page of other replicas
            return reloaded
        try:
            index = PassageIndex.load(self.folder)
        except Exception as exc:  # a snapshot replaced while loading: try again at the next poll
            log.warning("index snapshot %s could not be loaded yet (%s); retrying", name, exc)
            return False
        problem = index.check(self.service.encoder, None, self.settings.index_settings())
        if problem is not None:
            log.error("not serving the index snapshot %s: %s", name, problem)
            self.current = name
            return False
        try:
            knowledge = load_knowledge_base(self.settings.knowledge_dir)
        except Exception as exc:
            log.error("index snapshot %s: the knowledge folder could not be read (%s); keeping its articles", name, exc)
            knowledge = self.service.knowledge
        self.examples = examples_stamp(self.settings.knowledge_dir)
        swap_index(self.service, index, knowledge, self.settings)
        self.current = name
        self.reloads += 1
        log.info("serving index snapshot %s (%d passages)", name, len(index.passages))
        return True

    def check_examples(self) -> bool:
        """Give the engine the knowledge folder's answer examples and known gaps again if one of their
        files changed; whether it did."""
        stamp = examples_stamp(self.settings.knowledge_dir)
        if stamp == self.examples:
            return False
        self.examples = stamp
        try:
            knowledge = load_knowledge_base(self.settings.knowledge_dir)
        except Exception as exc:
            log.error("the answer examples could not be read (%s); keeping the examples in use", exc)
            return False
        examples, gaps = self.settings.suggestions.examples_of(knowledge), self.settings.suggestions.gaps_of(knowledge)
        self.service.rebuild_answers(lambda known: self.service.engine.use_examples(examples, known), gaps)
        known = len(self.service.engine.known_gaps)  # the file's and those marked on the gaps page
        log.info("serving %d answer examples and %d known gaps", len(examples), known)
        return True

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="index-watcher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.settings.server.index_poll_seconds):
            try:
                self.check()
            except Exception:
                log.exception("index reload failed; still serving the previous index")


def start_index_watcher(settings: Settings, service: CallService) -> IndexWatcher | None:
    """A running watcher, unless ``index_poll_seconds`` is 0."""
    if settings.server.index_poll_seconds <= 0:
        return None
    watcher = IndexWatcher(settings, service)
    watcher.start()
    return watcher
