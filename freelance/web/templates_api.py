"""Templates over HTTP: the shipped and company templates, each one's data schema, and publishing,
versioning, retiring and previewing a tenant's own templates."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from flask import Blueprint, Response, jsonify, request, send_file, url_for

from ..catalog import Template
from ..company.publishing import TEMPLATE_ID
from ..errors import InvalidData, NotApplicable
from ..generated import MEDIA_TYPES
from ..problems import Problem
from . import exact_json
from .audit_api import audited
from .auth import current_user
from .openapi import Upload, documented
from .requests import uploaded_file, whole_body
from .schemas import Error, PublishedTemplate, TemplateList, TemplateSummary, TemplateVersions
from .services import services

bp = Blueprint("templates", __name__, url_prefix="/api/templates")
_DOCX = (MEDIA_TYPES["docx"], "application/octet-stream")
_MAX_TITLE = 200
_ID = {"type": "string", "pattern": TEMPLATE_ID.pattern, "description": "Lower-case letters, digits and hyphens"}
_TITLE = {"type": "string", "minLength": 1, "maxLength": _MAX_TITLE, "pattern": r"\S"}
_SIDECAR = {"type": "string", "description": "JSON Schema: types, titles, enums and rules the tags cannot say"}


def _summary(template: Template) -> dict[str, Any]:
    return TemplateSummary(
        id=template.id,
        title=template.title,
        kind=template.kind,
        format=template.format,
        version=template.version,
        number=template.number,
        source=template.source,
        fields=list(template.model.model_fields),
        schema_url=url_for("templates.template_schema", template_id=template.id),
        created_at=template.created_at,
        created_by=template.created_by,
    ).model_dump(mode="json")


@bp.get("")
@documented("List templates", responses={200: TemplateList})
def list_templates() -> Response:
    return jsonify({"items": [_summary(template) for template in services().templates.listed(current_user().tenant)]})


@bp.get("/<template_id>")
@documented(
    "Template data schema", responses={200: {"type": "object", "description": "JSON Schema of the template's data"}}
)
def template_schema(template_id: str) -> Response:
    template = services().templates.get(current_user().tenant, template_id)
    return jsonify(template.model.model_json_schema() | {"title": template.title, "x-template": _summary(template)})


@bp.post("")
@documented(
    "Publish a company template",
    body=Upload(_DOCX, {"id": _ID, "title": _TITLE, "schema": _SIDECAR}, ("file", "id", "title")),
    responses={201: PublishedTemplate, 409: Error, 413: Error},
)
def publish() -> Response:
    """Multipart: ``file`` (.docx), ``id``, ``title``, optional ``schema`` (a JSON Schema sidecar)."""
    content, sidecar = _upload()
    user = current_user()
    template = services().templates.publish(
        user.tenant, _form("id", required=True), _title(required=True), content, sidecar, user.oid
    )
    audited("template.published", template.id, number=template.number)
    response = _published(template)
    response.status_code = 201
    response.headers["Location"] = url_for("templates.template_schema", template_id=template.id)
    return response


@bp.put("/<template_id>")
@documented(
    "Publish a new version of a company template",
    body=Upload(_DOCX, {"title": _TITLE, "schema": _SIDECAR}),
    responses={200: PublishedTemplate, 409: Error},
)
def publish_version(template_id: str) -> Response:
    content, sidecar = _upload()
    user = current_user()
    template = services().templates.publish_version(
        user.tenant, template_id, _title(required=False), content, sidecar, user.oid
    )
    audited("template.published", template.id, number=template.number)
    return _published(template)


@bp.get("/<template_id>/versions")
@documented("List a company template's versions", responses={200: TemplateVersions, 409: Error})
def versions(template_id: str) -> Response:
    template, found = services().templates.versions(current_user().tenant, template_id)
    items = [
        {"number": v.number, "version": v.sha256, "created_at": v.created_at, "created_by": v.created_by} for v in found
    ]
    return jsonify(
        TemplateVersions.model_validate({"template": _summary(template), "items": items}).model_dump(mode="json")
    )


@bp.delete("/<template_id>")
@documented("Retire a company template", responses={204: "No content", 409: Error})
def retire(template_id: str) -> Response:
    user = current_user()
    services().templates.retire(user.tenant, template_id, user.oid)
    audited("template.retired", template_id)
    return Response(status=204)


@bp.post("/<template_id>/preview")
@documented("Preview a template", responses={200: MEDIA_TYPES["docx"], 422: Error})
def preview(template_id: str) -> Response:
    """Render the template with the data in the body (or sample data when there is none); nothing is stored."""
    user = current_user()
    template = services().templates.get(user.tenant, template_id)
    if template.format != "docx":
        raise NotApplicable("Only a Word template can be previewed.", [Problem("template", "makes a workbook")])
    raw = whole_body()
    data = _json(raw, "(body)") if raw.strip() else {}
    generated = template.generate(template.validate(data or services().templates.sample(template)))
    return send_file(
        BytesIO(generated.content),
        mimetype=MEDIA_TYPES["docx"],
        as_attachment=True,
        download_name=f"Preview - {generated.filename}",
        max_age=0,
    )


def _published(template: Template) -> Response:
    schema = template.model.model_json_schema()
    return jsonify(
        PublishedTemplate.model_validate(
            _summary(template) | {"schema": schema, "warnings": list(template.warnings)}
        ).model_dump(mode="json", by_alias=True)
    )


def _upload() -> tuple[bytes, dict[str, Any] | None]:
    stream, name = uploaded_file("template .docx", _DOCX)
    if name and not name.lower().endswith(".docx"):
        raise InvalidData(
            "Only a Word template (.docx) can be published.", [Problem("file", f"{name!r} is not a .docx")]
        )
    content = stream.read()
    sidecar_file = request.files.get("schema")
    raw = sidecar_file.read() if sidecar_file is not None else request.form.get("schema", "").encode("utf-8")
    if not raw.strip():
        return content, None
    sidecar = _json(raw, "schema")
    if not isinstance(sidecar, dict):
        raise InvalidData("The schema is not valid.", [Problem("schema", "must be a JSON object (a JSON Schema)")])
    return content, sidecar


def _json(raw: bytes, field: str) -> Any:
    try:
        return exact_json.parse(raw)  # as every JSON body is read: a number means what was written
    except ValueError as exc:
        raise InvalidData(f"The {field} is not valid JSON.", [Problem(field, f"is not valid JSON: {exc}")]) from None


def _form(name: str, *, required: bool) -> str:
    value = (request.form.get(name) or "").strip()
    if required and not value:
        raise InvalidData("The upload is missing a field.", [Problem(name, "is required")])
    return value


def _title(*, required: bool) -> str:
    title = " ".join(_form("title", required=required).split())
    if len(title) > _MAX_TITLE:
        raise InvalidData("The title is too long.", [Problem("title", f"must be at most {_MAX_TITLE} characters")])
    return title
