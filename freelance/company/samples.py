"""Sample data: what a preview renders when given none, and what a shipped kind's documents hold.

Each shipped kind has valid sample data in ``templates/samples/<kind>.json``; a company template's
own fields get values that name themselves (``[tasks[0].name]``), so its author sees where each goes.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ..models import DOCUMENT_MODELS, Contract
from .spec import Spec

_SAMPLES = Path(__file__).resolve().parents[2] / "templates" / "samples"


def model_kind(kind: str) -> str:
    """The shipped kind whose sample data a template of ``kind`` starts from (a custom one: an SOW's)."""
    return "sow" if kind == "custom" else kind


@cache
def _sample_file(kind: str) -> str:
    return (_SAMPLES / f"{kind}.json").read_text("utf-8")


def sample_data(kind: str) -> dict[str, Any]:
    """Return valid data for the shipped ``kind`` (a fresh copy)."""
    data: dict[str, Any] = json.loads(_sample_file(model_kind(kind)))
    return data


@cache
def shipped_context(kind: str) -> dict[str, Any]:
    """The variables a document of the shipped ``kind`` renders with (a custom one's: every contract's)."""
    context = DOCUMENT_MODELS[model_kind(kind)].model_validate(sample_data(kind)).context() | {"locale": "en-US"}
    if kind == "custom":
        return {name: value for name, value in context.items() if name in Contract.model_fields}
    return context


def sample_for(kind: str, fields: dict[str, Spec], shipped: set[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return data a preview renders when given none: the kind's sample, then each own field's sample value."""
    base = sample_data(kind)
    if kind == "custom":
        base = {name: base[name] for name in shipped if name in base}
    return base | {name: sample_value(spec, name) for name, spec in fields.items()}


def sample_value(spec: Spec, name: str) -> Any:
    """Return a value of ``spec`` a preview shows: text names its field, so the author sees where it goes."""
    if spec.enum:
        return spec.enum[0]
    if spec.type == "object":
        return {key: sample_value(part, f"{name}.{key}") for key, part in spec.properties.items()}
    if spec.type == "list":
        item = spec.items or Spec()
        return [sample_value(item, f"{name}[{i}]") for i in range(2)]
    if spec.type == "text":
        text = spec.examples[0] if spec.examples else f"[{name}]"
        return text[: spec.max_length] if spec.max_length else text
    return {
        "date": date.today().isoformat(),
        "money": {"amount": "1000.00", "currency": "USD"},
        "number": "12.5",
        "integer": 3,
        "boolean": True,
    }[spec.type]
