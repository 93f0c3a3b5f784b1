"""Logging for ``souffleur serve``: no token in any log line, at any level.

``SecretScrubber`` is a logging filter for every handler of the server: it removes tokens from query
strings (``?token=…``), WebSocket subprotocols (``souffleur.token.…``), ``Authorization: Bearer``
values and the token headers, and any literal secret it was given (the service and content tokens).
``server_log_config`` is uvicorn's logging configuration with the filter on every handler and the
application's loggers routed through the same handler. The access log stays off (it would carry
search queries); requests are counted by route template in ``/metrics``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import Any

MASK = "***"
MIN_LITERAL_SECRET = 8  # shorter literal secrets would mask ordinary words; the patterns still apply
PATTERNS = (
    re.compile(r"(?i)([?&;]token=)[^&\s\"'\]\)]+"),
    re.compile(r"(souffleur\.token\.)[^\s,\"'\]\)]+"),
    re.compile(r"(?i)(bearer\s+)[^\s,\"'\]\)]+"),
    re.compile(r"(?i)(x-(?:call|content|souffleur)-token['\"]?\s*[:,]\s*b?['\"]?)[^\s,\"'\]\)]+"),
)


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every token pattern and every literal secret masked."""
    for pattern in PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + MASK, text)
    for secret in secrets:
        if len(secret) >= MIN_LITERAL_SECRET:
            text = text.replace(secret, MASK)
    return text


class SecretScrubber(logging.Filter):
    """Masks tokens in a record's final message (arguments merged) and in its exception text."""

    secrets: tuple[str, ...] = ()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a record whose arguments do not fit its format: keep only the format
            message = str(record.msg)
        record.msg, record.args = scrub(message, self.secrets), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text, self.secrets)
        return True


def server_log_config(secrets: Iterable[str], level: str = "INFO") -> dict[str, Any]:
    """uvicorn's log configuration with ``SecretScrubber`` (knowing ``secrets``) on every handler."""
    from uvicorn.config import LOGGING_CONFIG

    SecretScrubber.secrets = tuple(s for s in secrets if s)
    config: dict[str, Any] = {
        **LOGGING_CONFIG,
        "filters": {"secrets": {"()": SecretScrubber}},
        "handlers": {name: {**handler, "filters": ["secrets"]} for name, handler in LOGGING_CONFIG["handlers"].items()},
        "loggers": {
            **LOGGING_CONFIG["loggers"],
            "souffleur": {"handlers": ["default"], "level": level, "propagate": False},
        },
    }
    return config
