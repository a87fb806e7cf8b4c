"""The data model of a company template: a pydantic model built from its fields (and its shipped kind).

A template of a shipped kind (a company SOW) validates with that kind's model, rules and context,
plus its own fields; a custom template validates its own fields, and the contract fields it uses
(client, freelancer, effective_date ...) keep their shipped types.
"""

from __future__ import annotations

import json
from decimal import Decimal
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model, model_validator

from ..fields import Amount, Currency, Date, refuse_excess_decimals, text
from ..models import DOCUMENT_MODELS, Contract, DocumentData, Freelancer, _freelancer_context
from ..problems import Problem
from ..values import Money
from .spec import Spec

MAX_ITEMS = 200
"""The most items a list of a company template may hold."""
DEFAULT_TEXT_LENGTH = 300
"""The most characters of a text field unless the sidecar's maxLength says otherwise (up to 10,000)."""


class MoneyValue(BaseModel):
    """An amount and its currency."""

    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"x-format": "money"})
    amount: Amount
    currency: Currency

    @model_validator(mode="after")
    def _amount_fits_the_currency(self) -> MoneyValue:
        refuse_excess_decimals(self, "amount", self.currency)
        return self


class CompanyData(DocumentData):
    """The data of a custom company template: its own fields, plus the contract fields it uses."""

    def problems(self) -> list[Problem]:
        fields = type(self).model_fields
        if "freelancer" in fields and getattr(self, "freelancer", None) is None:
            return [Problem("freelancer", "is required (or a freelancer_id from the roster)")]
        return []

    def context(self) -> dict[str, Any]:
        return {name: _context(getattr(self, name)) for name in type(self).model_fields} | {"locale": _locale(self)}


class _OwnFields:
    """Mixed into a shipped kind's model: its context gains the template's own fields."""

    def context(self) -> dict[str, Any]:
        shipped = next(base for base in type(self).__mro__ if base in DOCUMENT_MODELS.values())
        own = [name for name in type(self).model_fields if name not in shipped.model_fields]  # type: ignore[attr-defined]
        return super().context() | {name: _context(getattr(self, name)) for name in own}  # type: ignore[misc]


def _locale(data: DocumentData) -> str:
    return str(getattr(data, "locale", None) or "en-US")


def _context(value: Any) -> Any:
    if isinstance(value, MoneyValue):
        return Money(value.amount, value.currency)
    if isinstance(value, Freelancer):
        return _freelancer_context(value)
    if isinstance(value, BaseModel):
        return {name: _context(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, (list, tuple)):
        return [_context(item) for item in value]
    return value


def data_model(kind: str, fields: dict[str, Spec], shipped: tuple[str, ...] = ()) -> type[DocumentData]:
    """Return the model of a template of ``kind`` with its own ``fields``, built once per definition.

    A custom template also takes the contract fields it uses (``shipped``), with their shipped types.
    """
    definition = json.dumps({name: spec.to_json() for name, spec in fields.items()}, sort_keys=True)
    return _cached(kind, definition, tuple(sorted(shipped)))


@lru_cache(maxsize=256)
def _cached(kind: str, definition: str, shipped: tuple[str, ...]) -> type[DocumentData]:
    fields = {name: Spec.from_json(spec) for name, spec in json.loads(definition).items()}
    own = {name: _field(spec, name) for name, spec in fields.items()}
    built: type[DocumentData]
    if kind in DOCUMENT_MODELS:
        base = DOCUMENT_MODELS[kind]
        built = create_model(f"Company{base.__name__}", __base__=(_OwnFields, base), **own)  # type: ignore[call-overload]
    else:
        own |= _contract_fields(shipped)
        built = create_model("CompanyTemplateData", __base__=CompanyData, **own)  # type: ignore[call-overload,misc]
    return built


def _contract_fields(used: tuple[str, ...]) -> dict[str, Any]:
    """The contract fields (shipped types) a custom template uses; freelancer brings freelancer_id."""
    chosen = {name: Contract.model_fields[name] for name in used if name in Contract.model_fields}
    if "freelancer" in chosen:
        chosen["freelancer_id"] = Contract.model_fields["freelancer_id"]
    return {name: (info.annotation, info) for name, info in chosen.items()}


def _field(spec: Spec, name: str) -> tuple[Any, Any]:
    annotation = _annotation(spec, name)
    info = Field(title=spec.title, description=spec.description, examples=spec.examples or None)
    if spec.required:
        return annotation, info
    return annotation | None, Field(None, title=spec.title, description=spec.description)


def _annotation(spec: Spec, name: str) -> Any:
    if spec.enum:
        return Literal[tuple(spec.enum)]
    if spec.type == "object":
        parts = {part: _field(inner, f"{name}.{part}") for part, inner in spec.properties.items()}
        # Named by the whole path, with "-" (no field has one) between steps: a_b.x and a.b_x differ.
        config = ConfigDict(extra="forbid", frozen=True, title=spec.title or _readable(name))
        return create_model(name.replace(".", "-"), __config__=config, **parts)  # type: ignore[call-overload]
    if spec.type == "list":
        item = _annotation(spec.items or Spec(), f"{name}-item")
        return Annotated[list[item], Field(max_length=MAX_ITEMS)]  # type: ignore[valid-type]
    kinds: dict[str, Any] = {
        "date": Date,
        "money": MoneyValue,
        "number": Annotated[Decimal, Field(max_digits=18, decimal_places=6)],
        "integer": Annotated[int, Field(strict=True, ge=-(10**12), le=10**12)],
        "boolean": bool,
    }
    return kinds.get(spec.type) or text(spec.max_length or DEFAULT_TEXT_LENGTH)


def _readable(path: str) -> str:
    """``tasks.sub_tasks-item`` -> "Sub tasks item": the last step, in words."""
    words = path.rsplit(".", 1)[-1].replace("-", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:]
