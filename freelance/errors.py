"""Domain exceptions: what went wrong, in words a person can act on. They carry no HTTP status;
the web layer maps each class to one (``web/errors.py``)."""

from __future__ import annotations

from .problems import Problem


class DomainError(Exception):
    """Base: ``message`` says what went wrong in words a person can act on."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidData(DomainError):
    """Data that breaks the model; ``problems`` lists each Problem (field, row or cell, and why)."""

    def __init__(self, message: str, problems: list[Problem]):
        super().__init__(message)
        self.problems = problems


class NotApplicable(InvalidData):
    """A valid request about something it cannot apply to (a contract asked for as a workbook)."""


class TemplateRefused(InvalidData):
    """An uploaded template that cannot be published; ``problems`` lists every one, where it is and why."""


class NotFound(DomainError):
    """No such template, document or record (for this tenant)."""


class CannotRender(DomainError):
    """The template cannot produce a document from valid data (a template fault, not the user's)."""


class UnreadableFile(DomainError):
    """An upload that cannot be read as what it should be (a roster, a tracker): the message says why."""


class Conflict(InvalidData):
    """The change clashes with another record (e.g. an email another freelancer has)."""


class NotSignedIn(DomainError):
    """No token, or a token that does not prove who is asking.

    ``error`` is the OAuth error code for the WWW-Authenticate challenge; ``claims`` the claims a
    claims challenge asks for.
    """

    def __init__(self, message: str, error: str = "invalid_token", claims: str | None = None):
        super().__init__(message)
        self.error, self.claims = error, claims


class NotAllowed(DomainError):
    """A request the caller may not make: a valid token that does not grant this API, a cross-site write."""


class MicrosoftUnavailable(DomainError):
    """Entra ID or Microsoft Graph is down or busy: try again later."""


class MicrosoftFailed(MicrosoftUnavailable):
    """Entra ID or Microsoft Graph answered with an error it should not have."""


class TooLarge(DomainError):
    """Something larger than the place it goes takes (a file over OneDrive's single-upload limit)."""


class StorageFull(DomainError):
    """The tenant's storage quota has no room for what would be kept."""


class NotConfigured(DomainError):
    """Something this server is not set up to do (saving to OneDrive without sign-in)."""


class LinkExpired(DomainError):
    """A signed download link that was good once but whose lifetime has passed."""


class Unavailable(DomainError):
    """A part of the service is not installed or not running here (PDF without LibreOffice); try elsewhere or later."""


class Busy(Unavailable):
    """Every worker for this is busy and the queue in front of them is full; ``retry_after`` is in seconds."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after
