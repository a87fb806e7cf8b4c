"""Every error as JSON, in one place: domain errors and HTTP errors alike."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from ..errors import DomainError, InvalidData
from ..identity import NotSignedIn, challenge

REALM = "Freelance Toolkit"

_HTTP_MESSAGES = {
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
}


def error_response(status: int, message: str, errors: list[dict] | None = None, **more):
    """Return the JSON error body ``{"error", "errors", ...more}`` with ``status``."""
    response = jsonify({"error": message, "errors": errors or [], **more})
    response.status_code = status
    return response


def _domain_error(error: DomainError):
    return error_response(error.status, error.message, error.errors if isinstance(error, InvalidData) else None)


def _not_signed_in(error: NotSignedIn):
    response = error_response(401, error.message, **({"claims": error.claims} if error.claims else {}))
    response.headers["WWW-Authenticate"] = challenge(error if error.error else None, REALM)
    return response


def _http_error(error: HTTPException):
    message = _HTTP_MESSAGES.get(error.code, error.description)
    if error.code == 413:
        message = f"The request body is larger than the {request.max_content_length} bytes the server accepts here."
    response = error_response(error.code, message)
    if error.code == 405 and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _unexpected_error(_error: InternalServerError):
    # Flask has logged the exception with its traceback; the client gets no internals.
    return error_response(500, "Something went wrong on the server; the error has been logged.")


def register(app: Flask) -> None:
    """Install the handlers that turn every error into a JSON answer."""
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(NotSignedIn, _not_signed_in)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(InternalServerError, _unexpected_error)
