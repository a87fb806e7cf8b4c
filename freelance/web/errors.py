"""Every error as JSON, in one place: each domain exception's HTTP status, and HTTP errors alike."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..errors import (
    Busy,
    CannotRender,
    Conflict,
    DomainError,
    InvalidData,
    LinkExpired,
    MicrosoftFailed,
    MicrosoftUnavailable,
    NotAllowed,
    NotApplicable,
    NotConfigured,
    NotFound,
    NotSignedIn,
    StorageFull,
    TemplateRefused,
    TooLarge,
    Unavailable,
    UnreadableFile,
)
from ..identity import challenge
from .schemas import Problem

REALM = "Freelance Toolkit"

STATUS: dict[type[DomainError], int] = {
    DomainError: 400,
    InvalidData: 400,
    UnreadableFile: 400,
    NotConfigured: 400,
    NotSignedIn: 401,
    NotAllowed: 403,
    NotFound: 404,
    Conflict: 409,
    LinkExpired: 410,
    TooLarge: 413,
    CannotRender: 422,
    NotApplicable: 422,
    TemplateRefused: 422,
    MicrosoftFailed: 502,
    MicrosoftUnavailable: 503,
    Unavailable: 503,
    StorageFull: 507,
}
"""The HTTP status of each domain exception; a subclass not listed takes its nearest listed base's."""

DATABASE_RETRY_AFTER = 5
"""Seconds a client is told to wait when the database cannot be reached."""

_HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
}


def status_of(error: DomainError) -> int:
    """Return the HTTP status that answers ``error``."""
    return next(STATUS[kind] for kind in type(error).__mro__ if kind in STATUS)


def error_response(status: int, message: str, errors: list[dict[str, Any]] | None = None, **more: Any) -> Response:
    """Return the JSON error body ``{"error", "errors", ...more}`` with ``status``."""
    response = jsonify({"error": message, "errors": errors or [], **more})
    response.status_code = status
    return response


def _domain_error(error: DomainError) -> Response:
    problems = (
        [Problem.model_validate(p).model_dump() for p in error.problems] if isinstance(error, InvalidData) else None
    )
    response = error_response(status_of(error), error.message, problems)
    if isinstance(error, Busy):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def _not_signed_in(error: NotSignedIn) -> Response:
    claims = {"claims": error.claims} if error.claims else {}
    response = error_response(status_of(error), error.message, None, **claims)
    response.headers["WWW-Authenticate"] = challenge(error if error.error else None, REALM)
    return response


def _http_error(error: HTTPException) -> Response:
    code = error.code or 500
    message = _HTTP_MESSAGES.get(code, error.description or "")
    if code == 413:
        message = f"The request body is larger than the {request.max_content_length} bytes the server accepts here."
    response = error_response(code, message)
    if code == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))  # type: ignore[attr-defined]
    return response


def _unexpected_error(_error: InternalServerError) -> Response:
    # Flask has logged the exception with its traceback; the client gets no internals.
    return error_response(500, "Something went wrong on the server; the error has been logged.")


def _database_error(error: DBAPIError) -> Response:
    # The database down, restarting, failing over or locked is an outage to wait out (503), not a fault;
    # the pool replaces the lost connections (pre-ping) once it is back. Any other database error is a fault.
    if isinstance(error, OperationalError) or error.connection_invalidated:
        current_app.logger.warning("The database is unavailable: %s", error.orig)
        response = error_response(503, "The database cannot be reached just now: try again in a few seconds.")
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
        return response
    current_app.logger.error("Exception on %s [%s]", request.path, request.method, exc_info=error)
    return _unexpected_error(InternalServerError(original_exception=error))


def register(app: Flask) -> None:
    """Install the handlers that turn every error into a JSON answer."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(NotSignedIn, _not_signed_in)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected_error)
    app.register_error_handler(DBAPIError, _database_error)
