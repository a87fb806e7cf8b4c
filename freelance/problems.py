"""One shape for everything wrong with what a user sent: a field error, a file's row error, a cell warning.

A problem says where (a field path such as ``milestones[1].amount``, a cell such as ``Budget!F7``,
or a row and column of an uploaded file) and why, in words a person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import ValidationError

_DATE = "is not a date: write it as YYYY-MM-DD, e.g. 2027-01-31"
_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_too_short": "must not be empty",
    "date_type": _DATE,
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
}


@dataclass(frozen=True)
class Problem:
    """Where something is wrong (``field``, or ``row`` and ``column`` of a file) and the ``message`` saying why.

    A template's problem also says where it is in the document (``location``, in the author's terms)
    and the ``tag`` at fault, which an add-in can find in the open document.
    """

    field: str | None
    message: str
    row: int | None = None
    column: str | None = None
    location: str | None = None
    tag: str | None = None

    @classmethod
    def in_row(cls, row: int, column: str, message: str) -> Problem:
        """Return the problem of a file's ``row`` (as a spreadsheet numbers it) under the header ``column``."""
        return cls(None, message, row, column)

    def __str__(self) -> str:
        where = f"row {self.row}, {self.column}" if self.row is not None else self.location or self.field
        return f"{where}: {self.message}"


def field_path(location: tuple[str | int, ...]) -> str:
    """Return ``("milestones", 1, "amount")`` as ``"milestones[1].amount"``."""
    path = ""
    for step in location:
        path += f"[{step}]" if isinstance(step, int) else f".{step}" if path else str(step)
    return path


def problems_of(error: ValidationError) -> list[Problem]:
    """Return each error of a pydantic ``error`` as a Problem at its field's path."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        message = _MESSAGES.get(item["type"]) or item["msg"].removeprefix("Value error, ")
        if item["type"] == "string_too_short" and item.get("ctx", {}).get("min_length", 1) > 1:
            message = item["msg"]
        problems.append(Problem(field_path(item["loc"]) or "(body)", message))
    return problems
