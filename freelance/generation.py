"""Generating a document: roster details filled in, data validated, template rendered."""
from __future__ import annotations

from typing import Any

from .catalog import Catalog, Generated
from .errors import InvalidData, NotFound
from .roster import Roster

MAX_FILLED_LINES = 5000
"""The most budget lines a tracker holds, and so the most roster look-ups one request makes."""


def generate(catalog: Catalog, roster: Roster, tenant: str, template_id: str, data: Any, format: str | None = None) -> Generated:
    """Return the document ``template_id`` makes of ``data``, freelancer_ids filled from the tenant's roster.

    Raises NotFound for an unknown template, InvalidData naming every problem of the data,
    CannotRender for a template fault.
    """
    template = catalog[template_id]
    if format is not None and format != template.format:
        raise InvalidData("The format does not match the template.",
                          [{"field": "format", "message": f"template {template.id} makes {template.format} files"}])
    if isinstance(data, dict):
        data = _filled_from_roster(roster, tenant, data)
    return template.generate(template.validate(data))


def _filled_from_roster(roster: Roster, tenant: str, data: dict[str, Any]) -> dict[str, Any]:
    """Return ``data`` with each freelancer_id's details copied in: the record keeps that snapshot."""
    problems: list[dict[str, str]] = []
    filled = dict(data)
    if "freelancer_id" in data:
        if details := _details(roster, tenant, data["freelancer_id"], "freelancer_id", problems):
            if "freelancer" in data:
                problems.append({"field": "freelancer", "message": "give either freelancer or freelancer_id, not both"})
            filled["freelancer"] = details.model_dump(mode="json")
    if isinstance(data.get("lines"), list) and len(data["lines"]) <= MAX_FILLED_LINES:  # more: validation refuses
        filled["lines"] = [_filled_line(roster, tenant, line, i, data.get("currency"), problems)
                           for i, line in enumerate(data["lines"])]
    if problems:
        raise InvalidData("The data is not valid: the roster cannot fill it.", problems)
    return filled


def _filled_line(roster: Roster, tenant: str, line: Any, index: int, currency: Any,
                 problems: list[dict[str, str]]) -> Any:
    """A budget line with the roster's name, and its rate unless the line gives one."""
    if not isinstance(line, dict) or "freelancer_id" not in line:
        return line
    details = _details(roster, tenant, line["freelancer_id"], f"lines[{index}].freelancer_id", problems)
    if details is None:
        return line
    if "rate" not in line and details.rate is not None and details.currency != str(currency).upper():
        problems.append({"field": f"lines[{index}].rate", "message": f"{details.name}'s roster rate is in "
                         f"{details.currency}, the tracker in {currency}: give the line's rate"})
    rate = {"rate": str(details.rate)} if details.rate is not None else {}
    return rate | line | {"freelancer": details.name}


def _details(roster: Roster, tenant: str, freelancer_id: Any, field: str, problems: list[dict[str, str]]):
    try:
        return roster.get(tenant, str(freelancer_id)).details()
    except NotFound:
        problems.append({"field": field, "message": f"there is no freelancer {freelancer_id!r} in the roster"})
        return None
