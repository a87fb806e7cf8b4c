"""A company template's fields, derived from what its tags use and what its optional sidecar declares.

Every variable path the tags read becomes a field; a loop's list becomes a list of objects (or of
text, when its items are printed as they are); each use implies a type (``|money``: money,
``|date``: a date, ``is number``: a number, only tested: optional). Where a template uses the
shipped field names of PRODUCT.md (a company SOW's ``fee``, ``milestones``), the template takes
that kind's model: its types and its cross-field rules. Paths the shipped model does not have are
unknown variables (``fee.amout``). The sidecar, a JSON Schema, declares types, required fields,
titles and descriptions.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..documents.expressions import LIST, Use
from ..documents.vetting import Found
from ..models import DOCUMENT_MODELS, Contract
from ..values import Money
from .samples import shipped_context
from .sidecar import apply_sidecar
from .spec import Spec, reserved

_SPECIFIC = {"date", "money", "number", "integer", "boolean"}
CONTRACT_FIELDS = frozenset(Contract.model_fields)
"""The fields every contract has: any template that uses them takes their shipped types."""
_KINDS = ("sow", "nda-mutual", "nda-one-way")
"""The shipped kinds a company Word template can be (a tracker is a workbook)."""
_KIND_EVIDENCE = 2
"""How many of a kind's own field names a template must use to be of that kind (or the sidecar's x-kind)."""


@dataclass
class Derived:
    """What a template's tags and sidecar make of its data: its kind, its own fields, and what is wrong."""

    kind: str
    fields: dict[str, Spec]
    shipped: set[str] = field(default_factory=set)
    """The shipped fields (of the kind, or every contract's) the tags use."""
    problems: list[Found] = field(default_factory=list)
    warnings: list[Found] = field(default_factory=list)


def derive(uses: list[Use], sidecar: dict[str, Any] | None) -> Derived:
    """Return the kind and fields ``uses`` and ``sidecar`` describe, with every problem found."""
    roots = {use.path[0] for use in uses}
    declared_kind = (sidecar or {}).get("x-kind")
    kind = declared_kind if declared_kind in _KINDS else _kind_of(roots)
    shipped = set(DOCUMENT_MODELS[kind].model_fields) if kind != "custom" else CONTRACT_FIELDS
    derived = Derived(kind, {}, roots & shipped)
    if declared_kind is not None and declared_kind not in _KINDS:
        derived.problems.append(Found("schema (x-kind)", f"is one of {', '.join(_KINDS)}"))
    for use in uses:
        if use.path[0] in shipped:
            if unknown := unknown_in(kind, use.path):
                derived.problems.append(Found(use.tag.location, unknown, use.tag.text))
        else:
            _add(derived, use)
    for spec in _every(derived.fields):
        if spec.only_tested and spec.type == "text" and not spec.properties:
            spec.type = "boolean"  # only tested ({% if is_paid %}): a yes or no
    if sidecar:
        problems, warnings = apply_sidecar(derived.fields, sidecar, shipped)
        derived.problems += problems
        derived.warnings += warnings
    return derived


def _every(fields: dict[str, Spec]) -> Iterator[Spec]:
    """Each field, its parts and its list items (and theirs), at every depth."""
    for spec in fields.values():
        yield spec
        yield from _every(spec.properties)
        item = spec.items
        while item is not None:
            yield item
            yield from _every(item.properties)
            item = item.items


def _kind_of(roots: set[str]) -> str:
    """The shipped kind whose own fields (beyond every contract's) the template uses most, at least two
    of them (one shared word such as ``deliverables`` does not make an SOW); else custom."""
    scores = {kind: len(roots & (set(DOCUMENT_MODELS[kind].model_fields) - CONTRACT_FIELDS)) for kind in _KINDS}
    best = max(_KINDS, key=lambda kind: scores[kind])
    return best if scores[best] >= _KIND_EVIDENCE else "custom"


def _add(derived: Derived, use: Use) -> None:
    specs, spec = derived.fields, None
    for depth, step in enumerate(use.path):
        if step == LIST:
            assert spec is not None  # a path never starts with LIST
            if not _become(spec, "list", derived, use, depth):
                return
            spec.items = spec.items or Spec(type="text")
            spec = spec.items
            specs = spec.properties
            continue
        if spec is not None and spec.type != "list" and not _become(spec, "object", derived, use, depth):
            return
        if step not in specs and (why := reserved(step)):
            derived.problems.append(Found(use.tag.location, why, use.tag.text))
            return
        spec = specs.setdefault(step, Spec())
        specs = spec.properties
    assert spec is not None
    if use.implies == "condition":
        spec.required = False
        return
    spec.only_tested = False
    if use.implies in _SPECIFIC or use.implies in ("list", "object"):
        _become(spec, use.implies, derived, use, len(use.path))
    spec.examples += [example for example in use.examples if example not in spec.examples]


def _become(spec: Spec, kind: str, derived: Derived, use: Use, depth: int) -> bool:
    """Make ``spec`` of type ``kind`` unless it already has a conflicting type (then report it)."""
    if spec.type in ("text", kind) or (kind == "number" and spec.type == "integer"):
        spec.type = kind if spec.type == "text" else spec.type
        return True
    if (spec.type == "object" and kind == "money") or (spec.type == "money" and kind == "object"):
        spec.type = "money"
        return True
    name = ".".join(use.path[:depth]).replace(f".{LIST}", "[]")
    derived.problems.append(
        Found(use.tag.location, f"{name} is used as {_a(kind)} here but as {_a(spec.type)} elsewhere", use.tag.text)
    )
    return False


def _a(kind: str) -> str:
    return {"object": "an object with fields", "list": "a list", "integer": "an integer"}.get(kind, f"a {kind}")


def unknown_in(kind: str, path: tuple[str, ...]) -> str | None:
    """Say why ``path`` is not a variable of the shipped ``kind``'s documents, or None if it is."""
    value: Any = shipped_context(kind)
    for depth, step in enumerate(path):
        if step == LIST:
            if not isinstance(value, list):
                return f"{_dotted(path[:depth])} is not a list"
            value = value[0] if value else None
            continue
        if isinstance(value, Money):
            value = value._asdict()
        if not isinstance(value, dict):
            return f"{_dotted(path[:depth])} has no fields: {_dotted(path)} is not a variable"
        if step not in value:
            close = difflib.get_close_matches(step, list(value), n=1)
            hint = f" (did you mean {_dotted((*path[:depth], close[0]))}?)" if close else ""
            return f"unknown variable {_dotted(path[: depth + 1])}{hint}"
        value = value[step]
    return None


def _dotted(path: tuple[str, ...]) -> str:
    return ".".join(path).replace(f".{LIST}", "[]")
