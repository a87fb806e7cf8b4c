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
import json
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ..documents.expressions import LIST, Use
from ..documents.vetting import Found
from ..models import DOCUMENT_MODELS, Contract
from ..values import Money

TYPES = ("text", "date", "money", "number", "integer", "boolean", "object", "list")
"""The types a field may have."""
_SPECIFIC = {"date", "money", "number", "integer", "boolean"}
_SAMPLES = Path(__file__).resolve().parents[2] / "templates" / "samples"
_CONTRACT_FIELDS = frozenset(Contract.model_fields)
_KINDS = ("sow", "nda-mutual", "nda-one-way")
"""The shipped kinds a company Word template can be (a tracker is a workbook)."""
_KIND_EVIDENCE = 2
"""How many of a kind's own field names a template must use to be of that kind (or the sidecar's x-kind)."""


@dataclass
class Spec:
    """One field: its type, whether it is required, what the sidecar says of it, and its parts."""

    type: str = "text"
    required: bool = True
    title: str | None = None
    description: str | None = None
    enum: list[str] | None = None
    max_length: int | None = None
    examples: list[str] = field(default_factory=list)
    properties: dict[str, Spec] = field(default_factory=dict)
    items: Spec | None = None
    only_tested: bool = field(default=True, repr=False, compare=False)

    def to_json(self) -> dict[str, Any]:
        """Return this field as stored with the template version."""
        found: dict[str, Any] = {"type": self.type, "required": self.required}
        for name in ("title", "description", "enum", "max_length"):
            if (value := getattr(self, name)) is not None:
                found[name] = value
        if self.examples:
            found["examples"] = self.examples
        if self.properties:
            found["properties"] = {name: spec.to_json() for name, spec in self.properties.items()}
        if self.items is not None:
            found["items"] = self.items.to_json()
        return found

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Spec:
        """Return the field stored as ``data``."""
        return cls(
            type=data["type"],
            required=data["required"],
            title=data.get("title"),
            description=data.get("description"),
            enum=data.get("enum"),
            max_length=data.get("max_length"),
            examples=data.get("examples", []),
            properties={name: cls.from_json(spec) for name, spec in data.get("properties", {}).items()},
            items=cls.from_json(data["items"]) if "items" in data else None,
        )


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
    shipped = set(DOCUMENT_MODELS[kind].model_fields) if kind != "custom" else _CONTRACT_FIELDS
    derived = Derived(kind, {}, roots & shipped)
    if declared_kind is not None and declared_kind not in _KINDS:
        derived.problems.append(Found("schema (x-kind)", f"is one of {', '.join(_KINDS)}"))
    for use in uses:
        if use.path[0] in shipped:
            if unknown := _unknown_in(kind, use.path):
                derived.problems.append(Found(use.tag.location, unknown, use.tag.text))
        else:
            _add(derived, use)
    for spec in _leaves(derived.fields):
        if spec.only_tested and spec.type == "text":
            spec.type = "boolean"  # only tested ({% if is_paid %}): a yes or no
    if sidecar:
        _apply_sidecar(derived, sidecar, shipped)
    return derived


def _leaves(fields: dict[str, Spec]) -> list[Spec]:
    found = []
    for spec in fields.values():
        found += _leaves(spec.properties) if spec.properties else [] if spec.items else [spec]
        if spec.items is not None:
            found += _leaves(spec.items.properties) if spec.items.properties else [spec.items]
    return found


def _kind_of(roots: set[str]) -> str:
    """The shipped kind whose own fields (beyond every contract's) the template uses most, at least two
    of them (one shared word such as ``deliverables`` does not make an SOW); else custom."""
    scores = {kind: len(roots & (set(DOCUMENT_MODELS[kind].model_fields) - _CONTRACT_FIELDS)) for kind in _KINDS}
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


def _unknown_in(kind: str, path: tuple[str, ...]) -> str | None:
    """Say why ``path`` is not a variable of the shipped ``kind``'s documents, or None if it is."""
    value: Any = _sample_context(kind)
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


@cache
def _sample_context(kind: str) -> dict[str, Any]:
    """The context a document of the shipped ``kind`` (or a custom one's contract fields) renders with."""
    model = DOCUMENT_MODELS["sow" if kind == "custom" else kind]
    context = model.model_validate(sample_data(model_kind(kind))).context()
    if kind == "custom":
        return {name: value for name, value in context.items() if name in _CONTRACT_FIELDS}
    return context | {"locale": "en-US"}


def model_kind(kind: str) -> str:
    """The shipped kind whose sample data a template of ``kind`` starts from."""
    return "sow" if kind == "custom" else kind


@cache
def _sample_file(kind: str) -> str:
    return (_SAMPLES / f"{kind}.json").read_text("utf-8")


def sample_data(kind: str) -> dict[str, Any]:
    """Return valid data for the shipped ``kind`` (a fresh copy)."""
    data: dict[str, Any] = json.loads(_sample_file(kind))
    return data


def sample_for(kind: str, fields: dict[str, Spec], shipped: set[str] | tuple[str, ...]) -> dict[str, Any]:
    """Return data a preview renders when given none: the kind's sample, then each own field's sample value."""
    base = sample_data(model_kind(kind))
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
    return {
        "date": date.today().isoformat(),
        "money": {"amount": "1000.00", "currency": "USD"},
        "number": "12.5",
        "integer": 3,
        "boolean": True,
    }.get(spec.type, spec.examples[0] if spec.examples else f"[{name}]")


def _apply_sidecar(derived: Derived, sidecar: dict[str, Any], shipped: set[str] | frozenset[str]) -> None:
    properties = sidecar.get("properties", {})
    required = sidecar.get("required", [])
    if not isinstance(properties, dict) or not isinstance(required, list):
        derived.problems.append(Found("schema", "properties must be an object and required a list"))
        return
    for name, declared in properties.items():
        if name in shipped:
            derived.warnings.append(
                Found(f"schema ({name})", "is a shipped field: its shipped type and rules apply, the sidecar's do not")
            )
            continue
        spec = derived.fields.get(name)
        if spec is None:
            derived.warnings.append(Found(f"schema ({name})", "is declared but no tag uses it"))
            spec = derived.fields[name] = Spec(required=False)
        _declare(spec, declared, name, derived)
    for name in required:
        if name in derived.fields:
            derived.fields[name].required = True


def _declare(spec: Spec, declared: Any, name: str, derived: Derived) -> None:
    """Apply one sidecar property (a JSON Schema) to ``spec``."""
    if not isinstance(declared, dict):
        derived.problems.append(Found(f"schema ({name})", "must be an object (a JSON Schema)"))
        return
    kind = _declared_type(declared)
    if kind is None:
        derived.problems.append(Found(f"schema ({name})", f"has a type this toolkit does not know: {declared!r:.80}"))
        return
    if kind != "text" or "type" in declared:
        spec.type = kind
    for key in ("title", "description"):
        if isinstance(declared.get(key), str):
            setattr(spec, key, declared[key][:500])
    if isinstance(declared.get("enum"), list) and all(isinstance(v, str) for v in declared["enum"]):
        spec.enum = declared["enum"][:100]
    if isinstance(declared.get("maxLength"), int) and 1 <= declared["maxLength"] <= 10_000:
        spec.max_length = declared["maxLength"]
    if kind == "list" and isinstance(declared.get("items"), dict):
        spec.items = spec.items or Spec()
        _declare(spec.items, declared["items"], f"{name}[]", derived)
    for part, part_declared in (declared.get("properties") or {}).items():
        _declare(spec.properties.setdefault(part, Spec()), part_declared, f"{name}.{part}", derived)
    for part in declared.get("required") or []:
        if part in spec.properties:
            spec.properties[part].required = True


def _declared_type(declared: dict[str, Any]) -> str | None:
    kind, form = declared.get("type", "string"), declared.get("format") or declared.get("x-format")
    if form == "money":
        return "money"
    if kind == "string":
        return "date" if form == "date" else "text"
    return {"number": "number", "integer": "integer", "boolean": "boolean", "array": "list", "object": "object"}.get(
        kind
    )
