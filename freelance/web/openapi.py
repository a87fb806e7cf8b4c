"""The OpenAPI document, generated from the routes and the models that validate them."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from werkzeug.routing import Rule

from ..models import DOCUMENT_MODELS
from .schemas import Error

bp = Blueprint("openapi", __name__)
_ERRORS = {400: "Invalid input", 404: "Not found", 405: "Method not allowed", 413: "Body too large", 415: "Not JSON"}
ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])
Answer = type[BaseModel] | str | dict[str, Any]
"""What a response carries: a model, a file's media type, or a JSON schema with its description."""


@dataclass(frozen=True)
class Operation:
    """What a route takes and answers, for the OpenAPI document."""

    summary: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, Answer] = field(default_factory=dict)


def documented(
    summary: str,
    *,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    responses: dict[int, Answer] | None = None,
) -> Callable[[ViewFunction], ViewFunction]:
    """Return a decorator attaching an Operation to a view function (as its ``operation``) and returning
    the view itself; the OpenAPI document is built from these."""

    def attach(view: ViewFunction) -> ViewFunction:
        # Through vars(): a Callable type declares no "operation" to assign; a function keeps it in __dict__.
        vars(view)["operation"] = Operation(summary, body, query, responses or {})
        return view

    return attach


@bp.get("/api/openapi.json")
def openapi_document():
    """Return the OpenAPI 3.1 document of every documented route."""
    return jsonify(build(current_app))


def build(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI document for ``app``'s documented routes."""
    operations: list[tuple[Rule, str, Operation]] = [
        (rule, method, op)
        for rule in app.url_map.iter_rules()
        if (op := getattr(app.view_functions[rule.endpoint], "operation", None)) is not None
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    models: set[type[BaseModel]] = {Error, *DOCUMENT_MODELS.values()}
    for _, _, op in operations:
        models |= {m for m in (op.body, *op.responses.values()) if isinstance(m, type)}
    _, schema = models_json_schema(
        [(model, "serialization") for model in sorted(models, key=lambda m: m.__name__)],
        ref_template="#/components/schemas/{model}",
    )
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, op in operations:
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        paths.setdefault(path, {})[method.lower()] = _operation(op, list(rule.arguments), method)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Freelance Toolkit API",
            "version": "1.0.0",
            "description": "Statements of work, NDAs and budget trackers for engaging freelancers.",
        },
        "paths": paths,
        "components": {"schemas": schema.get("$defs", {})},
    }


def _operation(op: Operation, path_parameters: list[str], method: str) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in path_parameters
    ]
    if op.query:
        query_schema = op.query.model_json_schema()
        parameters += [
            {"name": name, "in": "query", "required": name in query_schema.get("required", []), "schema": spec}
            for name, spec in query_schema["properties"].items()
        ]
    responses: dict[str, dict[str, Any]] = {}
    result: dict[str, Any] = {
        "summary": op.summary,
        "operationId": f"{method.lower()}_{op.summary.lower().replace(' ', '_')}",
        "parameters": parameters,
        "responses": responses,
    }
    if op.body:
        result["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body)}}}
    for status, answer in op.responses.items():
        if isinstance(answer, str):
            responses[str(status)] = {
                "description": "File",
                "content": {answer: {"schema": {"type": "string", "format": "binary"}}},
            }
        elif isinstance(answer, dict):
            responses[str(status)] = {
                "description": answer.get("description", ""),
                "content": {"application/json": {"schema": answer}},
            }
        else:
            responses[str(status)] = {
                "description": answer.__doc__ or answer.__name__,
                "content": {"application/json": {"schema": _ref(answer)}},
            }
    errors = [404] + ([400, 413, 415] if op.body else []) + ([400] if op.query and not op.body else [])
    for status in sorted(set(errors)):
        responses[str(status)] = {
            "description": _ERRORS[status],
            "content": {"application/json": {"schema": _ref(Error)}},
        }
    return result


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}
