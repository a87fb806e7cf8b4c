"""What a document's data says for programme insight, kept on its record when it is made.

A contract's facts (who, what kind of work, how much, how long, until when an NDA binds) are read
once, from the data it was made from, so insight is a few aggregate queries over indexed columns.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import get_currency_precision

CONTRACT_KINDS = frozenset({"sow", "nda-mutual", "nda-one-way", "custom"})
"""The kinds of document that have a lifecycle (a tracker has none)."""

NDA_KINDS = frozenset({"nda-mutual", "nda-one-way"})

FACTS = (
    "kind",
    "client_name",
    "project_title",
    "search_text",
    "status",
    "status_on",
    "freelancer_id",
    "freelancer_email",
    "freelancer_name",
    "country",
    "skills",
    "engagement",
    "category",
    "team",
    "cost_center",
    "currency",
    "value",
    "start_on",
    "end_on",
    "duration_days",
    "expires_on",
)
"""The record's columns ``facts_of`` fills."""


def facts_of(kind: str, data: dict[str, Any], today: date) -> dict[str, Any]:
    """Return the facts of a document of ``kind`` made ``today`` from ``data`` (its JSON snapshot): every
    column of FACTS, None where the data does not say (a company template may leave fields out)."""
    facts: dict[str, Any] = dict.fromkeys(FACTS)
    facts |= _library_facts(data) | {"kind": kind}
    if kind not in CONTRACT_KINDS:
        return facts
    facts |= {"status": "draft", "status_on": today}
    freelancer = _part(data, "freelancer")
    facts |= {
        "freelancer_id": _text(data.get("freelancer_id")),
        "freelancer_email": (_text(freelancer.get("email")) or "").lower() or None,
        "freelancer_name": _text(freelancer.get("name")),
        "country": _text(freelancer.get("country")),
        "skills": list(dict.fromkeys(str(skill) for skill in freelancer.get("skills") or [])),  # each once
    }
    if kind == "sow":
        facts |= _sow_facts(data)
    elif kind in NDA_KINDS:
        facts["start_on"] = _date(data.get("effective_date"))  # it binds from then, not from its signature
        facts["expires_on"] = _nda_expiry(data)
    return facts


def _library_facts(data: dict[str, Any]) -> dict[str, Any]:
    """What the documents library finds a record by: client, project title, and the words of those, the
    freelancer's name and email and the SOW number (lower case, for a search in any database)."""
    client, project = _text(_part(data, "client").get("name")), _text(_part(data, "project").get("title"))
    freelancer = _part(data, "freelancer")
    words = [
        client,
        project,
        _text(freelancer.get("name")),
        _text(freelancer.get("email")),
        _text(data.get("sow_number")),
    ]
    lines = data.get("lines")
    if not isinstance(lines, list):
        lines = []
    words += [_text(line.get("freelancer")) for line in lines[:200] if isinstance(line, dict)]  # a tracker's people
    return {
        "client_name": client[:200] if client else None,
        "project_title": project[:200] if project else None,
        "search_text": " ".join(word for word in words if word).lower()[:4000] or None,
    }


def sow_value(fee: dict[str, Any]) -> Decimal | None:
    """A SOW's value, what it commits: a fixed fee's amount; else the cap (not to exceed), when it has one,
    else rate x estimated units in the currency's smallest unit, as the contract states it."""
    if fee.get("model") == "fixed":
        return _amount(fee.get("amount"))
    if (cap := _amount(fee.get("cap"))) is not None:
        return cap
    rate, units = _amount(fee.get("rate")), _amount(fee.get("estimated_units"))
    if rate is None or units is None:
        return None
    return (rate * units).quantize(Decimal(1).scaleb(-get_currency_precision(str(fee.get("currency")))))


def _sow_facts(data: dict[str, Any]) -> dict[str, Any]:
    project, fee = _part(data, "project"), _part(data, "fee")
    start, end = _date(project.get("start_date")), _date(project.get("end_date"))
    return {
        "engagement": _text(data.get("sow_number")),
        "category": _text(data.get("category")),
        "team": _text(data.get("team")),
        "cost_center": _text(data.get("cost_center")),
        "currency": _text(fee.get("currency")),
        "value": sow_value(fee),
        "start_on": start,
        "end_on": end,
        "duration_days": (end - start).days + 1 if start and end and end >= start else None,
    }


def _nda_expiry(data: dict[str, Any]) -> date | None:
    """The last day an NDA's term covers (None: until terminated)."""
    effective, years = _date(data.get("effective_date")), data.get("term_years")
    if effective is None or not isinstance(years, int):
        return None
    try:
        ends = effective.replace(year=effective.year + years)
    except ValueError:  # 29 February, in a year that has none
        ends = effective.replace(year=effective.year + years, day=28) + timedelta(days=1)
    return ends - timedelta(days=1)


def _part(data: dict[str, Any], name: str) -> dict[str, Any]:
    part = data.get(name)
    return part if isinstance(part, dict) else {}


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _amount(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
