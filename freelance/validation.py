"""Pydantic validation errors as ``{"field", "message"}`` items with paths like ``milestones[1].amount``."""
from __future__ import annotations

from pydantic import ValidationError

_MESSAGES = {
    "missing": "is required",
    "extra_forbidden": "is not a known field",
    "string_too_short": "must not be empty",
}


def field_path(location: tuple[str | int, ...]) -> str:
    """Return ``("milestones", 1, "amount")`` as ``"milestones[1].amount"``."""
    path = ""
    for step in location:
        path += f"[{step}]" if isinstance(step, int) else f".{step}" if path else str(step)
    return path


def problems_of(error: ValidationError) -> list[dict[str, str]]:
    """Return each error of ``error`` as ``{"field": path, "message": text}``."""
    problems = []
    for item in error.errors(include_url=False, include_input=False):
        message = _MESSAGES.get(item["type"]) or item["msg"].removeprefix("Value error, ")
        if item["type"] == "string_too_short" and item.get("ctx", {}).get("min_length", 1) > 1:
            message = item["msg"]
        problems.append({"field": field_path(item["loc"]) or "(body)", "message": message})
    return problems
