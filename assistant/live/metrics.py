"""Prometheus metrics of the live service, on a registry of its own (one per app instance)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

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
