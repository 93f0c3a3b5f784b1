"""Who may call what: the service token for ingest and admin endpoints, per-call sidebar tokens."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from fastapi import HTTPException, Request, status

from assistant.live.call_service import CallService

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
    path.write_text(token + "\n")
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


def matches_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison; an empty token never matches."""
    return bool(given) and hmac.compare_digest(str(given), expected)


def presented_token(headers: Mapping[str, str]) -> str | None:
    """The service token from ``Authorization: Bearer`` or ``X-Souffleur-Token`` (lower-case keys)."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-souffleur-token")


class Access:
    """Checks tokens against the app's service token and the call's sidebar token."""

    def __init__(self, api_token: str, service: CallService) -> None:
        self.api_token = api_token
        self.service = service

    def is_service(self, token: str | None) -> bool:
        return matches_token(token, self.api_token)

    def require_service(self, request: Request) -> None:
        if not self.is_service(presented_token(dict(request.headers))):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED,
                "A valid service token is required (header 'Authorization: Bearer <token>').",
                headers={"WWW-Authenticate": "Bearer"},
            )

    def require_call(self, request: Request, call_id: str) -> None:
        """The service token, or this call's sidebar token (query ``token`` or header ``X-Call-Token``)."""
        headers = dict(request.headers)
        if self.is_service(presented_token(headers)):
            return
        token = headers.get("x-call-token") or request.query_params.get("token")
        if not token or not self.service.check_sidebar_token(call_id, token):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "A valid service token or this call's sidebar token is required."
            )
