"""The one error table of the API: which domain error becomes which HTTP status (routes) and which
``error`` status on the call socket, plus the socket's close codes and the declared error responses.

Routes raise (or let through) domain errors; ``install_error_handlers`` turns them into
``{"detail": message}`` with the status below. The socket looks the same table up with
``status_for``. Nothing here logs a request body, a query or SQL parameters.
"""

from __future__ import annotations

import logging
import traceback

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from assistant.api.schemas import ErrorOut
from assistant.live.call_service import (
    AnswerMarkError,
    CallEndedError,
    CallNotFoundError,
    KnownGapError,
    KnownGapNotFoundError,
    UnknownArticleError,
    UnknownNumberError,
)
from corpus.errors import UnknownCityError
from embeddings.retrieval.retriever import EmptyQueryError

log = logging.getLogger("souffleur.api")


class TextTooLongError(ValueError):
    """A text above ``max_utterance_chars``."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"text is longer than {limit} characters")


class NotAllowedError(PermissionError):
    """A valid token whose role may not do this (a sidebar socket sending utterances)."""


# domain error -> HTTP status (and the ``status`` of a socket ``error`` message)
ERROR_STATUS: tuple[tuple[type[Exception], int], ...] = (
    (CallNotFoundError, 404),
    (KnownGapNotFoundError, 404),
    (CallEndedError, 409),
    (UnknownArticleError, 422),
    (AnswerMarkError, 422),
    (KnownGapError, 422),
    (UnknownCityError, 422),
    (UnknownNumberError, 422),
    (EmptyQueryError, 422),
    (TextTooLongError, 413),
    (NotAllowedError, 403),
)

# socket close codes (after the handshake was accepted, so browsers see them)
CLOSE_POLICY = 1008  # missing or wrong token
CLOSE_UNKNOWN_CALL = 4404  # no such call


def status_for(exc: Exception) -> int | None:
    """The status of a domain error, or None for an unexpected one."""
    for kind, code in ERROR_STATUS:
        if isinstance(exc, kind):
            return code
    return None


def readable(errors: list[dict[str, object]]) -> str:
    """Validation errors as one line naming each field (never the rejected input itself)."""
    parts = []
    for error in errors:
        location = error.get("loc", ())
        names = location if isinstance(location, tuple | list) else ()
        where = ".".join(str(p) for p in names if p not in ("body", "query", "path"))
        parts.append(f"{where or 'body'}: {error.get('msg')}")
    return "; ".join(parts)


def declared(*statuses: int) -> dict[int | str, dict[str, object]]:
    """The ``responses`` entry of a route: these error statuses, each with the ``ErrorOut`` body."""
    return {code: {"model": ErrorOut, "description": DESCRIPTIONS[code]} for code in statuses}


DESCRIPTIONS = {
    401: "Missing or wrong token",
    403: "Not allowed",
    404: "Unknown call, article or known gap",
    409: "The call has ended",
    413: "Body or text too large",
    422: "Malformed request (the message names the field)",
    503: "Not configured on this server",
}


def install_error_handlers(app: FastAPI) -> None:
    """Domain errors, validation errors and HTTP errors all answer ``{"detail": message}``."""

    for kind, code in ERROR_STATUS:

        async def domain_error(_request: Request, exc: Exception, code: int = code) -> JSONResponse:
            return JSONResponse({"detail": str(exc)}, status_code=code)

        app.add_exception_handler(kind, domain_error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": readable(list(exc.errors()))}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI's "error parsing the body" (e.g. not UTF-8): a malformed request
            return JSONResponse({"detail": "body: not valid UTF-8 JSON"}, status_code=422)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The type and route only: an exception's message may carry SQL parameters or user text.
        route = getattr(request.scope.get("route"), "path", "unmatched")
        frames = "".join(traceback.format_tb(exc.__traceback__))
        log.error("unexpected %s in %s %s\n%s", type(exc).__name__, request.method, route, frames)
        return JSONResponse({"detail": "Internal error; it has been logged."}, status_code=500)
