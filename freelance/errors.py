"""Domain exceptions. The web layer maps each to one HTTP status, in one place."""
from __future__ import annotations


class DomainError(Exception):
    """Base: ``message`` says what went wrong in words a person can act on."""

    status = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidData(DomainError):
    """Data that breaks the model; ``errors`` lists ``{"field", "message"}`` for each problem."""

    def __init__(self, message: str, errors: list[dict[str, str]]):
        super().__init__(message)
        self.errors = errors


class NotFound(DomainError):
    """No such template, document or record (for this tenant)."""

    status = 404


class CannotRender(DomainError):
    """The template cannot produce a document from valid data (a template fault, not the user's)."""

    status = 422


class BadRequest(DomainError):
    """A request the server cannot read: malformed JSON, a bad parameter."""


class UnsupportedMedia(DomainError):
    """A body of a type the endpoint does not take."""

    status = 415


class Conflict(InvalidData):
    """The change clashes with another record (e.g. an email another freelancer has)."""

    status = 409
