"""Generated documents over HTTP: generate, list, read a record, download the file."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Response, jsonify, send_file, url_for

from ..errors import NotConfigured
from ..generated import MEDIA_TYPES
from ..store import DocumentRecord
from .auth import current_user
from .openapi import documented
from .requests import json_body, query
from .schemas import Document, DocumentPage, DocumentRequest, ListQuery, SavedToOneDrive
from .services import services

bp = Blueprint("documents", __name__, url_prefix="/api/documents")


def _document(record: DocumentRecord) -> Document:
    return Document(
        id=str(record.id),
        template=record.template,
        template_version=record.template_version,
        filename=record.filename,
        format=record.format,
        sha256=record.sha256,
        size=record.size,
        created_at=record.created_at,
        created_by=record.created_by,
        download_url=url_for("documents.download", document_id=record.id),
    )


@bp.post("")
@documented("Generate a document", body=DocumentRequest, responses={201: Document})
def generate() -> Response:
    request = json_body(DocumentRequest)
    user = current_user()
    record = (
        services()
        .generator.generate(user.tenant, request.template, request.data, format=request.format, by=user.oid)
        .record
    )
    response = jsonify(_document(record).model_dump(mode="json"))
    response.status_code = 201
    response.headers["Location"] = url_for("documents.read", document_id=record.id)
    return response


@bp.get("")
@documented("List documents", query=ListQuery, responses={200: DocumentPage})
def list_documents() -> Response:
    params = query(ListQuery)
    page = services().store.documents(current_user().tenant, params.page, params.per_page, params.template)
    return jsonify(
        DocumentPage(
            items=[_document(record) for record in page.items], page=page.page, per_page=page.per_page, total=page.total
        ).model_dump(mode="json")
    )


@bp.get("/<document_id>")
@documented("Read a document record", responses={200: Document})
def read(document_id: str) -> Response:
    return jsonify(_document(services().store.document(current_user().tenant, document_id)).model_dump(mode="json"))


@bp.get("/<document_id>/file")
@documented("Download a document", responses={200: "application/octet-stream"})
def download(document_id: str) -> Response:
    record, content = services().store.content(current_user().tenant, document_id)
    response = send_file(
        BytesIO(content),
        mimetype=MEDIA_TYPES[record.format],
        as_attachment=True,
        download_name=record.filename,
        etag=record.sha256,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = record.sha256
    return response


@bp.post("/<document_id>/onedrive")
@documented("Save a document to OneDrive", responses={200: SavedToOneDrive})
def save_to_onedrive(document_id: str) -> Response:
    onedrive = services().onedrive
    if onedrive is None:
        raise NotConfigured("Saving to OneDrive needs sign-in: this server runs in local mode.")
    user = current_user()
    record, content = services().store.content(user.tenant, document_id)
    return jsonify(SavedToOneDrive(web_url=onedrive.save(user, record.filename, content)).model_dump())
