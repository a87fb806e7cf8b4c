"""One field of a company template's data, as derived from its tags and declared by its sidecar."""

from __future__ import annotations

import keyword
from dataclasses import dataclass, field
from typing import Any

from ..models import DocumentData

TYPES = ("text", "date", "money", "number", "integer", "boolean", "object", "list")
"""The types a field may have."""
_MODEL_ATTRIBUTES = frozenset(dir(DocumentData)) | {"problems", "context"}


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


def reserved(name: str) -> str | None:
    """Say why a field may not be called ``name`` (the data models' own words, Python's), or None."""
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
        return f"{name!r} cannot name a field: use letters, digits and _, starting with a letter"
    if name.startswith("model_") or name in _MODEL_ATTRIBUTES:
        return f"{name!r} is a word the toolkit keeps for itself: name the field otherwise"
    return None
