"""A company template's sidecar: a JSON Schema that declares its fields' types, titles, descriptions
and which are required. Only what the toolkit can honour is read; anything else is a problem named
at its place (``schema (hours)``), never a crash."""

from __future__ import annotations

from typing import Any

from ..documents.vetting import Found
from .spec import Spec, reserved

MAX_LENGTH = 10_000
"""The most characters a sidecar may allow a text field."""
_TYPES = {
    "string": "text",
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "array": "list",
    "object": "object",
}


def apply_sidecar(
    fields: dict[str, Spec], sidecar: dict[str, Any], shipped: set[str] | frozenset[str]
) -> tuple[list[Found], list[Found]]:
    """Apply ``sidecar`` to the derived ``fields``; return its problems and its warnings."""
    problems: list[Found] = []
    warnings: list[Found] = []
    properties, required = sidecar.get("properties", {}), sidecar.get("required", [])
    if not isinstance(properties, dict) or not _names(required):
        return [Found("schema", "properties must be an object and required a list of field names")], []
    for name, declared in properties.items():
        where = f"schema ({name})"
        if name in shipped:
            warnings.append(Found(where, "is a shipped field: its shipped type and rules apply, the sidecar's do not"))
            continue
        if why := reserved(name):
            problems.append(Found(where, why))
            continue
        spec = fields.get(name)
        if spec is None:
            warnings.append(Found(where, "is declared but no tag uses it"))
            spec = fields[name] = Spec(required=False)
        problems += _declare(spec, declared, name)
    for name in required:
        if name in fields:
            fields[name].required = True
    return problems, warnings


def _names(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _declare(spec: Spec, declared: Any, name: str) -> list[Found]:
    """Apply one sidecar property (a JSON Schema) to ``spec``; return what is wrong with it."""
    where = f"schema ({name})"
    if not isinstance(declared, dict):
        return [Found(where, "must be an object (a JSON Schema)")]
    kind = _declared_type(declared)
    if kind is None:
        return [Found(where, "has a type this toolkit does not know: string, number, integer, boolean, array, object")]
    problems = []
    if "type" in declared or kind != "text":
        spec.type = kind
    for key in ("title", "description"):
        if key in declared:
            if isinstance(declared[key], str):
                setattr(spec, key, declared[key][:500])
            else:
                problems.append(Found(where, f"{key} must be text"))
    if "enum" in declared:
        if kind == "text" and _names(declared["enum"]) and 0 < len(declared["enum"]) <= 100:
            spec.enum = declared["enum"]
        else:
            problems.append(Found(where, "enum must list 1 to 100 texts, for a field of type string"))
    if "maxLength" in declared:
        limit = declared["maxLength"]
        if kind == "text" and isinstance(limit, int) and not isinstance(limit, bool) and 1 <= limit <= MAX_LENGTH:
            spec.max_length = limit
        else:
            problems.append(Found(where, f"maxLength must be a whole number from 1 to {MAX_LENGTH}, for text"))
    if "items" in declared:
        if kind == "list":
            spec.items = spec.items or Spec()
            problems += _declare(spec.items, declared["items"], f"{name}[]")
        else:
            problems.append(Found(where, "items is for a field of type array"))
    parts, required = declared.get("properties", {}), declared.get("required", [])
    if not isinstance(parts, dict) or not _names(required):
        return [*problems, Found(where, "properties must be an object and required a list of field names")]
    for part, part_declared in parts.items():
        if why := reserved(part):
            problems.append(Found(f"schema ({name}.{part})", why))
            continue
        problems += _declare(spec.properties.setdefault(part, Spec(required=False)), part_declared, f"{name}.{part}")
    for part in required:
        if part in spec.properties:
            spec.properties[part].required = True
    return problems


def _declared_type(declared: dict[str, Any]) -> str | None:
    kind, form = declared.get("type", "string"), declared.get("format") or declared.get("x-format")
    if form == "money":
        return "money"
    if not isinstance(kind, str):
        return None
    if kind == "string" and form == "date":
        return "date"
    return _TYPES.get(kind)
