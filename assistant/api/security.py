"""Who may call what: the service token for ingest and admin endpoints, per-call sidebar tokens."""

from __future__ import annotations

import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from fastapi import HTTPException, Request, status

from assistant.call_service import CallService

log = logging.getLogger("souffleur.security")
TOKEN_FILE = "api-token"


class MissingTokenError(RuntimeError):
    """Production mode without a configured token."""


def resolve_api_token(configured: str | None, environment: str, data_dir: Path) -> str:
    """The configured token; in development mode without one, a random token kept in the data folder
    (readable only by its owner) so local tools such as ``souffleur replay`` find it."""
    if configured:
        return configured
    if environment != "development":
        raise MissingTokenError(
            "SOUFFLEUR_API_TOKEN is not set. The server refuses to start in production mode without a token."
        )
    path = data_dir / TOKEN_FILE
    if path.is_file() and path.read_text().strip():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(32)
    path.write_text(token + "\n")
    os.chmod(path, 0o600)
    log.warning("development mode: generated an API token in %s", path)
    return token


def presented_token(headers: Mapping[str, str]) -> str | None:
    """The service token from ``Authorization: Bearer`` or ``X-Souffleur-Token`` (lower-case keys)."""
    auth = headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip()
    return headers.get("x-souffleur-token")


def _matches(given: str | None, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(str(given), expected)


class Access:
    """Checks tokens against the app's service token and the call's sidebar token."""

    def __init__(self, api_token: str, service: CallService) -> None:
        self.api_token = api_token
        self.service = service

    def is_service(self, token: str | None) -> bool:
        return _matches(token, self.api_token)

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
