"""The template catalog over HTTP: what can be generated, and the schema of each template's data."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for

from ..catalog import Template
from .openapi import documented
from .schemas import TemplateSummary
from .services import services

bp = Blueprint("templates", __name__, url_prefix="/api/templates")


def _summary(template: Template) -> dict[str, object]:
    return TemplateSummary(
        id=template.id,
        title=template.title,
        kind=template.kind,
        format=template.format,
        version=template.version,
        fields=list(template.model.model_fields),
        schema_url=url_for("templates.template_schema", template_id=template.id),
    ).model_dump()


@bp.get("")
@documented("List templates", responses={200: TemplateSummary})
def list_templates() -> Response:
    return jsonify({"items": [_summary(template) for template in services().catalog]})


@bp.get("/<template_id>")
@documented(
    "Template data schema", responses={200: {"type": "object", "description": "JSON Schema of the template's data"}}
)
def template_schema(template_id: str) -> Response:
    template = services().catalog[template_id]
    return jsonify(template.model.model_json_schema() | {"title": template.title, "x-template": _summary(template)})
