"""The API's dependencies: the service, the settings, and who may call what.

Tokens are read with ``fastapi.security`` schemes, so the OpenAPI document declares them:

- the service token (ingest and admin): ``Authorization: Bearer`` or ``X-Souffleur-Token``;
- a call's sidebar token: ``X-Call-Token`` (or the service token);
- the content team's token (gaps page): ``X-Content-Token`` or ``Authorization: Bearer``.

The dependencies that only read the request are ``async``: FastAPI runs a plain ``def`` dependency
on a worker thread, and those hand-offs (one per dependency and request) were a large share of the
event loop's work under load. ``CallAccess`` reads the database and stays on a thread.

``CallAccess`` loads the call once per request and authorizes it: without a usable token the
answer is 401 whether or not the call exists (no probing for call ids); with the service token an
unknown call is 404.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends, HTTPException, Path, Request, status
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.live.call_service import CallService, sidebar_token_matches
from assistant.settings import Settings
from assistant.storage.call_store import CallInfo

MAX_CALL_ID = 64

bearer = HTTPBearer(auto_error=False, description="The service token (or, for the gaps, the content token)")
service_header = APIKeyHeader(name="X-Souffleur-Token", auto_error=False, description="The service token")
call_header = APIKeyHeader(name="X-Call-Token", auto_error=False, description="A call's sidebar token")
content_header = APIKeyHeader(name="X-Content-Token", auto_error=False, description="The content team's token")

Role = Literal["ingest", "sidebar"]


def matches_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; an empty token never matches."""
    return bool(given) and bool(expected) and hmac.compare_digest(str(given), str(expected))


async def get_service(request: Request) -> CallService:
    service: CallService = request.app.state.service
    return service


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


Service = Annotated[CallService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def is_service_token(request: Request, token: str | None) -> bool:
    return matches_token(token, request.app.state.api_token)


async def require_service(
    request: Request, credentials: Bearer, header: Annotated[str | None, Depends(service_header)]
) -> None:
    """The service token, or 401."""
    token = credentials.credentials if credentials else header
    if not is_service_token(request, token):
        raise _unauthorized("A valid service token is required (header 'Authorization: Bearer <token>').")


ServiceAuth = Depends(require_service)


@dataclass(frozen=True)
class AuthorizedCall:
    """A call loaded once for this request, and the role of the token that may see it."""

    call: CallInfo
    role: Role


def authorize_call(service: CallService, call_id: str, token: str | None, service_ok: bool) -> AuthorizedCall:
    """The call for the service token (``service_ok``) or for its own sidebar token.

    Raises ``CallNotFoundError`` (service token, unknown call) or 401 (no usable token)."""
    if service_ok:
        return AuthorizedCall(service.get_call(call_id), "ingest")
    call = service.store.get_call(call_id) if token else None
    if call is None or not sidebar_token_matches(call, token):
        raise _unauthorized("A valid service token or this call's sidebar token is required.")
    return AuthorizedCall(call, "sidebar")


def call_access(
    request: Request,
    service: Service,
    call_id: Annotated[str, Path(min_length=1, max_length=MAX_CALL_ID)],
    credentials: Bearer,
    header: Annotated[str | None, Depends(service_header)],
    call_token: Annotated[str | None, Depends(call_header)],
) -> AuthorizedCall:
    """The path's call, for the service token or this call's sidebar token."""
    service_ok = is_service_token(request, credentials.credentials if credentials else header)
    return authorize_call(service, call_id, call_token, service_ok)


CallAccess = Annotated[AuthorizedCall, Depends(call_access)]


async def optional_call_token(call_token: Annotated[str | None, Depends(call_header)]) -> str | None:
    return call_token


async def service_token_given(
    request: Request, credentials: Bearer, header: Annotated[str | None, Depends(service_header)]
) -> bool:
    return is_service_token(request, credentials.credentials if credentials else header)


ServiceTokenGiven = Annotated[bool, Depends(service_token_given)]
CallToken = Annotated[str | None, Depends(optional_call_token)]


async def require_content(
    request: Request, credentials: Bearer, header: Annotated[str | None, Depends(content_header)]
) -> None:
    """The content team's token (gaps page data), 503 when the page is switched off."""
    expected: str | None = request.app.state.content_token
    if expected is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "The gaps page is not configured on this server.")
    if not matches_token(header or (credentials.credentials if credentials else None), expected):
        raise _unauthorized("A valid content-team token is required (header 'X-Content-Token').")


ContentAuth = Depends(require_content)


def base_url(request: Request, settings: Settings) -> str:
    return (settings.server.public_url or str(request.base_url)).rstrip("/")
