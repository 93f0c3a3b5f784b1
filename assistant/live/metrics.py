"""Prometheus metrics of the live service, on a registry of its own (one per app instance)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from embeddings.encoders.inference_worker import WorkerStats

LATENCY_BUCKETS = (0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0)


class LiveMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.request_seconds = Histogram(
            "souffleur_http_request_seconds",
            "HTTP request latency by route",
            ["method", "route", "status"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.suggestion_seconds = Histogram(
            "souffleur_suggestion_seconds",
            "Time from a final utterance arriving to its suggestions being decided and published",
            ["city"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.utterances = Counter(
            "souffleur_utterances_total", "Final utterances by outcome", ["city", "outcome"], registry=self.registry
        )
        self.suggestions = Counter(
            "souffleur_suggestions_pushed_total", "Articles pushed to sidebars", ["city"], registry=self.registry
        )
        self.feedback = Counter("souffleur_feedback_total", "Agent feedback events", ["event"], registry=self.registry)
        self.searches = Counter("souffleur_searches_total", "Manual searches", ["city"], registry=self.registry)
        self.calls = Counter("souffleur_calls_total", "Calls opened", ["city"], registry=self.registry)
        self.websockets = Gauge("souffleur_websockets", "Open WebSocket connections", registry=self.registry)
        self.websocket_errors = Counter(
            "souffleur_websocket_message_errors_total", "Invalid WebSocket messages", registry=self.registry
        )
        # The inference worker's counters, read at each scrape: texts / passes is the mean batch size.
        self.encoder_passes = Gauge(
            "souffleur_encoder_passes", "Forward passes of the inference worker (queries)", registry=self.registry
        )
        self.encoder_requests = Gauge(
            "souffleur_encoder_requests", "Query requests served by those passes", registry=self.registry
        )
        self.encoder_texts = Gauge(
            "souffleur_encoder_texts", "Query texts embedded by those passes", registry=self.registry
        )
        self.encoder_largest_batch = Gauge(
            "souffleur_encoder_largest_batch", "Most texts in one forward pass so far", registry=self.registry
        )

    def watch_encoder(self, stats: WorkerStats) -> None:
        """Export the inference worker's counters (``stats`` is read at each scrape)."""
        self.encoder_passes.set_function(lambda: stats.passes)
        self.encoder_requests.set_function(lambda: stats.requests)
        self.encoder_texts.set_function(lambda: stats.texts)
        self.encoder_largest_batch.set_function(lambda: stats.largest_batch)
