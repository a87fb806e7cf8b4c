"""Validating a document's data and naming every problem at once: each field error (a missing object as
each field it needs), and the cross-field rules that the valid parts of the data break (a bad date does
not hide that the milestones miss the fee)."""

from __future__ import annotations

import re
import types
import typing
from functools import cache
from typing import Annotated, Any, Union

from pydantic import BaseModel, TypeAdapter, ValidationError

from .errors import InvalidData
from .models import DocumentData
from .problems import Problem, problems_of

_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")
_REQUIRED = "is required"


def validated(model: type[DocumentData], data: Any, what: str) -> DocumentData:
    """Return ``data`` as ``model``; raise InvalidData(``what``) naming every problem of the data."""
    try:
        document = model.model_validate(data)
    except ValidationError as exc:
        problems = _expanded(model, problems_of(exc))
        raise InvalidData(what, problems + _rules_of_valid_parts(model, data, problems)) from None
    if problems := document.problems():
        raise InvalidData(what, problems)
    return document


def _expanded(model: type[BaseModel], problems: list[Problem]) -> list[Problem]:
    """The problems with each missing object given as the missing fields it needs (client -> client.name...)."""
    found: list[Problem] = []
    for problem in problems:
        inner = _model_at(model, problem.field or "") if problem.message == _REQUIRED else None
        found += _required_of(inner, problem.field or "") if inner is not None else [problem]
    return found


def _required_of(model: type[BaseModel], path: str) -> list[Problem]:
    """A problem per field ``model`` requires, under ``path`` (a required object's own, in turn)."""
    found = []
    for name, field in model.model_fields.items():
        if not field.is_required():
            continue
        inner = _model_of(field.annotation)
        found += _required_of(inner, f"{path}.{name}") if inner else [Problem(f"{path}.{name}", _REQUIRED)]
    return found


def _model_at(model: type[BaseModel], path: str) -> type[BaseModel] | None:
    """The model of the object at ``path`` of ``model``'s data (``client``, ``milestones[0]``), if it is one."""
    current: Any = model
    for name, index in _STEP.findall(path):
        if index:
            current = _item_of(current)
        elif isinstance(current, type) and issubclass(current, BaseModel) and name in current.model_fields:
            current = _model_of(current.model_fields[name].annotation) or _unwrapped(
                current.model_fields[name].annotation
            )
        else:
            return None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _unwrapped(annotation: Any) -> Any:
    """The type inside Annotated[...] and X | None."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (Union, types.UnionType):
        others = [arg for arg in typing.get_args(annotation) if arg is not type(None)]
        annotation = others[0] if len(others) == 1 else annotation
    return annotation


def _model_of(annotation: Any) -> type[BaseModel] | None:
    found = _unwrapped(annotation)
    return found if isinstance(found, type) and issubclass(found, BaseModel) else None


def _item_of(annotation: Any) -> Any:
    found = _unwrapped(annotation)
    args = typing.get_args(found)
    return _model_of(args[0]) or _unwrapped(args[0]) if typing.get_origin(found) is list and args else None


def _rules_of_valid_parts(model: type[DocumentData], data: Any, problems: list[Problem]) -> list[Problem]:
    """The cross-field rules' problems that the data's valid top-level parts show (rules that read a part
    with a field error are left out: that part is wrong already)."""
    if not isinstance(data, dict):
        return []
    failing = {_top(problem.field or "") for problem in problems}
    parts = {}
    for name in model.model_fields.keys() & data.keys() - failing:
        try:
            parts[name] = _adapter(model, name).validate_python(data[name])
        except ValidationError:  # valid only beside the others (it should not be): leave the rules alone
            return []
    partial = model.model_construct(**parts)
    for name in failing:
        partial.__dict__.pop(name, None)
    try:
        found = partial.problems()
    except (AttributeError, TypeError):  # a rule read a part that is wrong already
        return []
    return [problem for problem in found if not _under(problem.field or "", failing)]


def _under(path: str, tops: set[str]) -> bool:
    return _top(path) in tops


def _top(path: str) -> str:
    """The top-level field of a path: ``project`` of ``project.end_date``."""
    first = _STEP.match(path)
    return first[0] if first else ""


@cache
def _adapter(model: type[BaseModel], name: str) -> TypeAdapter[Any]:
    field = model.model_fields[name]
    return TypeAdapter(Annotated[field.annotation, field])  # type: ignore[arg-type]  # its constraints with it
