"""``CallService``: the live call use cases, independent of HTTP. The API and the call replay of
the evaluation toolkit both drive calls through it.

Any replica may serve any call: the utterances of a call are serialized by ``CallStore.locks`` (across
replicas on PostgreSQL), each one is a single unit of work in the store, its events are published after
commit, and the engine's memory of the call is kept per process only as a cache tagged with the call's
last event number; when another replica has moved the call on, it is restored from the stored state.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from cachetools import LRUCache

from assistant.events.hub import EventHub
from assistant.live.answer_extraction import LikeExample
from assistant.live.feedback import ANSWER_MARK, FeedbackEvent
from assistant.live.known_gaps import answered_like
from assistant.live.metrics import LiveMetrics
from assistant.live.suggestion_engine import CallContext, Speaker, Suggestion, SuggestionEngine, SuggestionOutcome
from assistant.privacy.redaction import Redactor
from assistant.storage.call_store import CallInfo, CallStore, StoredKnownGap, UtteranceWrite
from corpus.answer_examples import AnswerExample, article_quotes, normal_text
from corpus.cities import CityDirectory
from corpus.errors import UnknownCityError
from corpus.knowledge_base import KnowledgeBase
from corpus.known_gaps import KnownGap
from embeddings.encoders.encoder import Encoder
from embeddings.encoders.inference_worker import InferenceWorker
from embeddings.retrieval.retriever import Retriever

log = logging.getLogger("souffleur.live")

MAX_CACHED_CALLS = 5000


class UnknownArticleError(LookupError):
    def __init__(self, article_id: str) -> None:
        super().__init__(f"Unknown article '{article_id}'")


class AnswerMarkError(ValueError):
    """An answer mark (feedback ``answered``) that cannot be learned from: no sentence, a sentence the
    article does not contain, or no caller question yet."""


LABEL_CHARS = 200  # the stored label's column


class KnownGapError(ValueError):
    """A known gap that cannot be marked: no question (nothing but spaces or punctuation)."""


class KnownGapNotFoundError(LookupError):
    def __init__(self, gap_id: int) -> None:
        super().__init__(f"No known gap with id {gap_id} (unknown or already removed)")


class CallNotFoundError(LookupError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"No call with id '{call_id}'")


class CallEndedError(RuntimeError):
    def __init__(self, call_id: str) -> None:
        super().__init__(f"Call '{call_id}' has ended")


class UnknownNumberError(LookupError):
    def __init__(self, number: str, known: dict[str, str]) -> None:
        listing = ", ".join(f"{n} ({c})" for n, c in known.items()) or "none configured"
        super().__init__(f"Unknown dialed number '{number}'. Known numbers: {listing}")
        self.known = known


@dataclass(frozen=True)
class OpenedCall:
    call: CallInfo
    sidebar_token: str


@dataclass(frozen=True)
class SearchResult:
    search_id: int
    suggestions: list[Suggestion]


def stored_answer_marks(store: CallStore, after: int = 0) -> list[tuple[int, AnswerExample]]:
    """The agents' answer marks stored after feedback id ``after``, each with its id, as answer examples."""
    return [
        (number, AnswerExample(article, question, (sentence,)))
        for number, article, question, sentence in store.answer_marks(ANSWER_MARK, after)
    ]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sidebar_token_matches(call: CallInfo | None, token: str | None) -> bool:
    """Whether ``token`` is the sidebar token of ``call`` (constant-time; ``False`` for no call or token)."""
    return call is not None and bool(token) and hmac.compare_digest(call.sidebar_token_hash, token_hash(token or ""))


class CallService:
    def __init__(
        self,
        store: CallStore,
        engine: SuggestionEngine,
        retriever: Retriever,
        encoder: Encoder,
        knowledge: KnowledgeBase,
        redactor: Redactor,
        hub: EventHub | None = None,
        metrics: LiveMetrics | None = None,
        on_close: Sequence[Callable[[], None]] = (),
        learn_answers: bool = True,
        file_gaps: Sequence[KnownGap] = (),
        known_gaps: bool = True,
    ) -> None:
        self.store = store
        self.learn_answers = learn_answers  # agents' answer marks become answer examples at once
        self._marks_seen = 0  # the last answer mark (feedback id) the engine has learned
        self._marks_lock = threading.Lock()
        # The engine's known gaps: the knowledge folder's (``file_gaps``, as the engine was built with them)
        # and those marked on the gaps page (stored); neither with ``known_gaps`` off. Guarded by ``_gaps_lock``.
        self.with_known_gaps = known_gaps
        self._file_gaps = tuple(file_gaps) if known_gaps else ()
        self._stored_gap_ids: frozenset[int] = frozenset()  # the stored gaps the engine uses
        self._gaps_lock = threading.Lock()
        self.engine = engine
        self.retriever = retriever
        self.encoder = encoder  # the live path's encoder (the inference worker), shared with the gaps report
        self._on_close = list(on_close)
        self.knowledge = knowledge
        self.cities: CityDirectory = knowledge.cities
        self.redactor = redactor
        self.hub = hub or EventHub(store)
        self.metrics = metrics or LiveMetrics()
        if isinstance(encoder, InferenceWorker):
            self.metrics.watch_encoder(encoder.stats)
        # The engine's memory per call, with the event number it corresponds to; restored from storage
        # when an evicted call speaks again or another replica moved the call on. Guarded by ``_guard``.
        self._contexts: LRUCache[str, tuple[CallContext, int]] = LRUCache(maxsize=MAX_CACHED_CALLS)
        self._guard = threading.Lock()

    def close(self) -> None:
        """Release what the service holds: the event fan-out, the database connections, then the inference
        worker."""
        self.hub.close()
        self.store.close()
        for stop in self._on_close:
            stop()

    # ---- calls ----------------------------------------------------------------------------------
    def resolve_city(self, city: str | None, dialed_number: str | None) -> str:
        """The city key from an explicit city or from the number the call was forwarded from."""
        if city:
            return self.cities.get(city).key
        if dialed_number:
            found = self.cities.by_dialed_number(dialed_number)
            if found is None:
                known = {n: c.key for c in self.cities.cities for n in c.dialed_numbers}
                raise UnknownNumberError(dialed_number, known)
            return found.key
        raise UnknownCityError("", self.cities.keys)

    def open_call(
        self, city: str | None = None, dialed_number: str | None = None, agent_id: str | None = None
    ) -> OpenedCall:
        key = self.resolve_city(city, dialed_number)
        token = secrets.token_urlsafe(24)
        call = self.store.create_call(uuid.uuid4().hex, key, token_hash(token), agent_id, dialed_number)
        # The engine's memory of a call nobody spoke in yet, as restoring it would give: no read on its first turn.
        self._remember(call.id, CallContext(city=call.city), call.event_seq)
        self.metrics.calls.labels(key).inc()
        return OpenedCall(call=call, sidebar_token=token)

    def get_call(self, call_id: str) -> CallInfo:
        call = self.store.get_call(call_id)
        if call is None:
            raise CallNotFoundError(call_id)
        return call

    def active_call(self, call_id: str) -> CallInfo:
        call = self.get_call(call_id)
        if not call.active:
            raise CallEndedError(call_id)
        return call

    def check_sidebar_token(self, call_id: str, token: str) -> bool:
        return sidebar_token_matches(self.store.get_call(call_id), token)

    def end_call(self, call_id: str) -> CallInfo:
        with self.store.locks.hold(call_id):
            self.active_call(call_id)
            events = self.store.end_call(call_id, [("call_ended", {})])
            self.hub.deliver(call_id, events)
            with self._guard:
                self._contexts.pop(call_id, None)
        self.store.locks.forget(call_id)
        return self.get_call(call_id)

    # ---- utterances -----------------------------------------------------------------------------
    def utterance(self, call_id: str, speaker: Speaker, text: str, final: bool = True) -> SuggestionOutcome | None:
        """Record an utterance and push what it triggers. Partials are shown live and not stored."""
        started = time.perf_counter()
        clean = self.redactor.redact(text)
        if not final:
            call = self.active_call(call_id)
            self.hub.publish(call_id, "transcript", {"speaker": speaker, "text": clean, "final": False}, durable=False)
            if speaker == "caller" and self.engine.config.anticipate_partials:
                self._anticipate(call, clean)
            return None
        with self.store.locks.hold(call_id):
            call = self.active_call(call_id)
            context = self._context(call)
            try:
                outcome = self.engine.on_utterance(context, speaker, clean)
                events: list[tuple[str, dict[str, Any]]] = [
                    ("transcript", {"speaker": speaker, "text": clean, "final": True})
                ]
                if outcome.topic_changed:
                    events.append(("topic", {"topic": outcome.topic}))
                if outcome.changed or (outcome.topic_changed and outcome.suggestions):
                    # The full card set of the current concern, best first; it replaces the previous one.
                    cards = [asdict(s) for s in outcome.suggestions]
                    events.append(("suggestions", {"topic": outcome.topic, "suggestions": cards}))
                write = UtteranceWrite(
                    speaker=speaker,
                    text=clean,
                    topic=outcome.topic,
                    outcome=outcome.outcome,
                    top_score=outcome.top_score,
                    top_article_id=outcome.top_article_id,
                    suggestions=[(s.article_id, s.rank, s.score) for s in outcome.pushed],
                    topic_changed=outcome.topic_changed,
                )
                stored = self.store.record_utterance(call_id, write, events, context.to_state())
            except BaseException:
                with self._guard:
                    self._contexts.pop(call_id, None)  # the memory ran ahead of storage: rebuild it
                raise
            self._remember(call_id, context, stored[-1].seq)
            self.hub.deliver(call_id, stored)  # after commit, still in order under the call's lock
            if outcome.pushed:
                self.metrics.suggestions.labels(call.city).inc(len(outcome.pushed))
        if speaker == "caller":
            self.metrics.utterances.labels(call.city, outcome.outcome).inc()
            self.metrics.suggestion_seconds.labels(call.city).observe(time.perf_counter() - started)
        return outcome

    def _anticipate(self, call: CallInfo, partial: str) -> None:
        """Embed what the final turn will search if it says what the partial says, while the encoder is
        idle (``SuggestionEngine.anticipate``, ``Retriever.prefetch``). Only with the call's memory at
        hand in this process (no read for a partial) and without the call's lock: the memory is read,
        never changed, and a turn being processed meanwhile can only make the guess wrong (a final turn
        that differs embeds its own texts), so a read that meets it is given up."""
        with self._guard:
            cached = self._contexts.get(call.id)
        if cached is None or cached[1] != call.event_seq:
            return
        try:
            self.engine.anticipate(cached[0], partial)
        except Exception as exc:  # speculative: the partial is published whatever happens here
            # e.g. the memory changed while it was read (a final turn of the same call); no text is logged
            log.debug("a partial was not embedded ahead (%s)", type(exc).__name__)

    def _context(self, call: CallInfo) -> CallContext:
        """The engine's memory of the call: cached when this process wrote the call's last event, else
        restored from the state stored with it, else (calls from before stored states) rebuilt."""
        with self._guard:
            cached = self._contexts.get(call.id)
        if cached is not None and cached[1] == call.event_seq:
            return cached[0]
        stored = self.store.engine_state(call.id)
        if stored is not None:
            return CallContext.from_state(stored.state)
        # The concern's turns and the articles shown are stored; its evidence is rebuilt from the next turns.
        state = self.store.session_state(call.id, 2 * self.engine.config.context_turns)
        return CallContext(
            city=call.city,
            topic=state.topic,
            turns=[("agent" if s == "agent" else "caller", t) for s, t in state.turns],
            pushed=sorted(state.pushed),
        )

    def _remember(self, call_id: str, context: CallContext, event_seq: int) -> None:
        with self._guard:
            self._contexts[call_id] = (context, event_seq)

    # ---- feedback and manual search -------------------------------------------------------------
    def feedback(
        self,
        call_id: str,
        article_id: str,
        event: FeedbackEvent,
        reason: str | None = None,
        sentence: str | None = None,
    ) -> None:
        """Store an agent's feedback on a card. An answer mark (``answered``, with the ``sentence`` of the
        article that answered) is stored with the call's last caller utterance as its question and, with
        ``learn_answers``, is an answer example from now on: a like question about the article gets that
        sentence highlighted."""
        self.get_call(call_id)
        if article_id not in self.knowledge.articles:
            raise UnknownArticleError(article_id)
        clean = self.redactor.redact(reason) if reason else None
        if event == ANSWER_MARK:
            mark = self._answer_mark(call_id, article_id, sentence)
            self.store.add_feedback(call_id, article_id, event, clean, mark.sentences[0], mark.question)
            self.learn_new_marks()
        else:
            self.store.add_feedback(call_id, article_id, event, clean)
        self.metrics.feedback.labels(event).inc()

    def learn_new_marks(self) -> int:
        """Learn the answer marks stored since the engine last looked (this replica's and any other's);
        how many. Every mark is learned once: after each new mark here, and by the index watcher's poll."""
        with self._marks_lock:
            return self._learn_marks()

    def rebuild_answers(
        self, rebuild: Callable[[tuple[KnownGap, ...]], None], file_gaps: Sequence[KnownGap] | None = None
    ) -> int:
        """Run ``rebuild`` with the known gaps to use (it gives the engine a new answer memory and these
        gaps: a new index, new answer examples) and learn every stored answer mark into the new memory, no
        mark learned and no known gap changed in between; how many marks. The gaps are the knowledge
        folder's ``file_gaps`` (kept from now on; ``None``: the ones given before) and the gaps page's
        stored ones, so a reload never loses those."""
        with self._marks_lock, self._gaps_lock:
            if file_gaps is not None:
                self._file_gaps = tuple(file_gaps) if self.with_known_gaps else ()
            gaps, ids = self._gaps_to_use()
            rebuild(gaps)
            self._stored_gap_ids = ids
            self._marks_seen = 0
            return self._learn_marks()

    def _learn_marks(self) -> int:
        if not self.learn_answers:
            return 0
        new = stored_answer_marks(self.store, self._marks_seen)
        for number, example in new:
            self.engine.learn(example)
            self._marks_seen = number
        return len(new)

    def _answer_mark(self, call_id: str, article_id: str, sentence: str | None) -> AnswerExample:
        text = " ".join((sentence or "").split())
        if not normal_text(text):
            raise AnswerMarkError("An 'answered' mark needs the sentence of the article that answered")
        if not article_quotes(self.knowledge.articles[article_id], text):
            raise AnswerMarkError(f"The marked sentence is not in the text of '{article_id}'")
        question = self.store.last_caller_text(call_id)
        if question is None:
            raise AnswerMarkError("The caller has not asked anything yet in this call")
        return AnswerExample(article_id, question, (text,))

    # ---- known gaps marked on the gaps page ----------------------------------------------------------
    def add_known_gap(self, city: str, label: str, question: str) -> StoredKnownGap:
        """Store a gap topic as a known gap of ``city`` (texts redacted) and use it from now on: a like
        concern of the city gets no 'answer' card (other replicas: from their next index poll)."""
        key = self.cities.get(city).key
        clean = " ".join(self.redactor.redact(question).split())
        if not normal_text(clean):
            raise KnownGapError("A known gap needs a question: what callers asked about the matter")
        label = " ".join(self.redactor.redact(label).split())[:LABEL_CHARS]  # a placeholder may be longer
        gap = self.store.add_known_gap(key, label, clean)
        self.learn_stored_gaps()
        return gap

    def known_gaps(self, city: str | None = None) -> list[StoredKnownGap]:
        """The known gaps marked on the gaps page and not removed (of ``city``, or of every city)."""
        return self.store.known_gaps(self.cities.get(city).key if city else None)

    def answered_like(self, city: str, question: str, limit: int = 3) -> list[LikeExample]:
        """The check of a known gap of ``city`` (``known_gaps.answered_like``); nothing for a city no
        longer configured."""
        if city not in self.cities.keys:
            return []
        gap = KnownGap(question, city)
        return answered_like(self.engine.extractor, self.knowledge, gap, self.engine.config.gap_likeness, limit)

    def answered_without_gap(self, city: str, question: str) -> list[Suggestion]:
        """The other check of a known gap of ``city``: the articles the engine shows as ``answer`` for a
        concern saying ``question`` when no gap is recorded (``SuggestionEngine.answers_without_gaps``);
        nothing for a city no longer configured."""
        if city not in self.cities.keys:
            return []
        return self.engine.answers_without_gaps(city, question)

    def remove_known_gap(self, gap_id: int) -> None:
        """Stop using a known gap marked on the gaps page (it stays stored, marked removed)."""
        if not self.store.remove_known_gap(gap_id):
            raise KnownGapNotFoundError(gap_id)
        self.learn_stored_gaps()

    def learn_stored_gaps(self) -> bool:
        """Give the engine the known gaps again when the gaps page's stored ones changed since it last
        looked (this replica's and any other's: a read of their ids); whether they had. After each change
        here, and by the index watcher's poll."""
        if not self.with_known_gaps:
            return False
        with self._gaps_lock:
            if self.store.known_gap_ids() == self._stored_gap_ids:
                return False
            gaps, ids = self._gaps_to_use()
            self.engine.use_known_gaps(gaps)
            self._stored_gap_ids = ids
            return True

    def _gaps_to_use(self) -> tuple[tuple[KnownGap, ...], frozenset[int]]:
        """The knowledge folder's known gaps and the stored ones, and the stored ones' ids (under ``_gaps_lock``)."""
        if not self.with_known_gaps:
            return (), frozenset()
        stored = self.store.known_gaps()
        gaps = (*self._file_gaps, *(KnownGap(g.question, g.city) for g in stored))
        return gaps, frozenset(g.id for g in stored)

    def search(self, query: str, city: str, k: int = 5, call_id: str | None = None) -> SearchResult:
        key = self.cities.get(city).key
        self.retriever.embed_queries(self.engine.search_texts(query))  # one encoder request for the cards too
        hits = self.retriever.search(query, key, k=k)
        search_id = self.store.add_search(
            call_id, key, self.redactor.redact(query), [h.article_id for h in hits], hits[0].score if hits else None
        )
        self.metrics.searches.labels(key).inc()
        suggestions = [self.engine.describe(query, hit, hit.rank) for hit in hits]
        return SearchResult(search_id=search_id, suggestions=suggestions)
