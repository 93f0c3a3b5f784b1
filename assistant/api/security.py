"""Where the tokens come from: configured, or generated once per data folder in development mode
(files readable only by their owner). Checking them is ``assistant.api.deps``."""

from __future__ import annotations

import logging
import os
import secrets
from pathlib import Path

log = logging.getLogger("souffleur.security")
TOKEN_FILE = "api-token"
CONTENT_TOKEN_FILE = "content-token"


class MissingTokenError(RuntimeError):
    """Production mode without a configured token."""


def resolve_token(
    configured: str | None,
    environment: str,
    data_dir: Path,
    file_name: str = TOKEN_FILE,
    variable: str = "SOUFFLEUR_API_TOKEN",
    without: str = "The server refuses to start in production mode without a token.",
) -> str:
    """The configured token; in development mode without one, a random token kept in the data folder
    under ``file_name`` (readable only by its owner) so local tools find it. In production mode a
    missing token is an error naming the environment ``variable`` and what happens ``without`` it."""
    if configured:
        return configured
    if environment != "development":
        raise MissingTokenError(f"{variable} is not set. {without}")
    path = data_dir / file_name
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(token + "\n")
    os.chmod(path, 0o600)
    log.warning("development mode: generated a token in %s", path)
    return token


def resolve_api_token(configured: str | None, environment: str, data_dir: Path) -> str:
    """The service token for ingest and admin endpoints (file ``api-token`` in development), so local
    tools such as ``souffleur replay`` find it."""
    return resolve_token(configured, environment, data_dir)


def resolve_content_token(configured: str | None, environment: str, data_dir: Path) -> str:
    """The content team's token for the gaps page (file ``content-token`` in development)."""
    return resolve_token(
        configured,
        environment,
        data_dir,
        CONTENT_TOKEN_FILE,
        "SOUFFLEUR_CONTENT_TOKEN",
        "The gaps page is switched off in production mode without a token.",
    )
