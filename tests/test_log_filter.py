"""The server's log scrubber removes every kind of token from a log line, whatever the level."""

from __future__ import annotations

import logging

import pytest

from assistant.api.log_filter import SecretScrubber, scrub, server_log_config

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "line",
    [
        '127.0.0.1:5 - "WebSocket /ws/calls/abc?token=Zq9-_x&after=3" [accepted]',
        "GET /sidebar/abc?after=1&token=Zq9-_x HTTP/1.1",
        "('sec-websocket-protocol', 'souffleur, souffleur.token.Zq9-_x')",
        "(b'authorization', b'Bearer Zq9-_x')",
        "(b'x-call-token', b'Zq9-_x')",
        "X-Content-Token: Zq9-_x",
    ],
)
def test_token_patterns_are_masked(line: str) -> None:
    assert "Zq9-_x" not in scrub(line)


def test_literal_secrets_are_masked_but_short_ones_leave_words_alone() -> None:
    assert (
        scrub("the service token is service-token-123 here", ["service-token-123"]) == "the service token is *** here"
    )
    assert scrub("Started server process", ["t"]) == "Started server process"


def test_the_filter_rewrites_records_with_arguments_and_exceptions() -> None:
    record = logging.LogRecord("uvicorn.error", logging.DEBUG, __file__, 1, '"%s" %s', ("/ws?token=abcdef", "ok"), None)
    try:
        raise ValueError("failed for /x?token=abcdef")
    except ValueError as exc:
        record.exc_info = (type(exc), exc, exc.__traceback__)
    assert SecretScrubber().filter(record)
    assert "abcdef" not in record.getMessage() and "abcdef" not in (record.exc_text or "")


def test_every_server_handler_and_the_application_logger_use_the_scrubber() -> None:
    config = server_log_config(["a-long-service-token"])
    assert all(handler["filters"] == ["secrets"] for handler in config["handlers"].values())
    assert config["loggers"]["souffleur"]["handlers"] == ["default"]
