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
from .services import services

bp = Blueprint("openapi", __name__)
_ERRORS = {
    400: "Invalid input",
    401: "Not signed in (Entra ID mode)",
    403: "Refused: another site, or a request local mode does not answer",
    404: "Not found",
    413: "Body too large",
    415: "Body of a type the operation does not take",
    429: "Too many requests: try again after Retry-After seconds",
    503: "Unavailable for now (database, queue or converter): try again after Retry-After seconds",
}
_ANY_OPERATION = (400, 401, 403, 404, 413, 429, 503)
"""What any operation may answer: input refused, sign-in, rate limits, a service down."""
ViewFunction = TypeVar("ViewFunction", bound=Callable[..., Any])
Answer = type[BaseModel] | str | tuple[str, ...] | dict[str, Any]
"""What a response carries: a model, a file's media type (or one of several), or a JSON schema with its description."""


@dataclass(frozen=True)
class Upload:
    """A file sent as the multipart field ``file`` (with ``fields`` beside it, name: JSON schema) or as the whole
    body of one of ``media_types``."""

    media_types: tuple[str, ...]
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: tuple[str, ...] = ("file",)

    def request_body(self) -> dict[str, Any]:
        binary = {"type": "string", "format": "binary"}
        form = {"type": "object", "properties": {"file": binary, **self.fields}, "required": list(self.required)}
        content: dict[str, Any] = {"multipart/form-data": {"schema": form}}
        if self.required == ("file",):  # a bare body carries the file only
            content |= {media_type: {"schema": binary} for media_type in self.media_types}
        return {"required": True, "content": content}


@dataclass(frozen=True)
class Operation:
    """What a route takes and answers, for the OpenAPI document."""

    summary: str
    body: type[BaseModel] | Upload | None = None
    query: type[BaseModel] | None = None
    responses: dict[int, Answer] = field(default_factory=dict)
    signed_in: bool = False


def documented(
    summary: str,
    *,
    body: type[BaseModel] | Upload | None = None,
    query: type[BaseModel] | None = None,
    responses: dict[int, Answer] | None = None,
    signed_in: bool = False,
) -> Callable[[ViewFunction], ViewFunction]:
    """Return a decorator attaching an Operation to a view function (as its ``operation``) and returning
    the view itself; the OpenAPI document is built from these. ``body``: a JSON body's model, or an Upload.
    ``signed_in``: the operation works only with sign-in (Entra ID), and a local-mode server leaves it out."""

    def attach(view: ViewFunction) -> ViewFunction:
        # Through vars(): a Callable type declares no "operation" to assign; a function keeps it in __dict__.
        vars(view)["operation"] = Operation(summary, body, query, responses or {}, signed_in)
        return view

    return attach


@bp.get("/api/openapi.json")
def openapi_document():
    """Return the OpenAPI 3.1 document of every documented route."""
    return jsonify(build(current_app))


def build(app: Flask) -> dict[str, Any]:
    """Return the OpenAPI document for ``app``'s documented routes (those it can answer in its mode)."""
    signed_in = services(app).settings.identity is not None
    operations: list[tuple[Rule, str, Operation]] = [
        (rule, method, op)
        for rule in app.url_map.iter_rules()
        if (op := getattr(app.view_functions[rule.endpoint], "operation", None)) is not None
        and (signed_in or not op.signed_in)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    models: set[type[BaseModel]] = {Error, *DOCUMENT_MODELS.values()}
    for _, _, op in operations:
        models |= {m for m in (op.body, *op.responses.values()) if isinstance(m, type) and issubclass(m, BaseModel)}
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
    if isinstance(op.body, Upload):
        result["requestBody"] = op.body.request_body()
    elif op.body:
        result["requestBody"] = {"required": True, "content": {"application/json": {"schema": _ref(op.body)}}}
    for status, answer in op.responses.items():
        if isinstance(answer, (str, tuple)):
            responses[str(status)] = {
                "description": "File",
                "content": {
                    media_type: {"schema": {"type": "string", "format": "binary"}}
                    for media_type in ((answer,) if isinstance(answer, str) else answer)
                },
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
    for status in sorted({*_ANY_OPERATION, *([415] if op.body else [])} - {int(s) for s in responses}):
        responses[str(status)] = {
            "description": _ERRORS[status],
            "content": {"application/json": {"schema": _ref(Error)}},
        }
    return result


def _ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}
