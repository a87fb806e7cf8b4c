"""Generated documents over HTTP: generate, list, read a record, download the file."""
from flask import Blueprint, current_app, jsonify, send_file, url_for
from io import BytesIO

from ..catalog import MEDIA_TYPES
from .. import generation
from ..errors import BadRequest
from .openapi import documented
from .auth import current_user
from .requests import catalog, json_body, query, roster, store, tenant, user_id
from .schemas import Document, DocumentPage, DocumentRequest, ListQuery, SavedToOneDrive

bp = Blueprint("documents", __name__, url_prefix="/api/documents")


def _document(record) -> dict:
    return Document(id=str(record.id), template=record.template, template_version=record.template_version,
                    filename=record.filename, format=record.format, sha256=record.sha256, size=record.size,
                    created_at=record.created_at, created_by=record.created_by,
                    download_url=url_for("documents.download", document_id=record.id)).model_dump(mode="json")


@bp.post("")
@documented("Generate a document", body=DocumentRequest, responses={201: Document})
def generate():
    request = json_body(DocumentRequest)
    generated = generation.generate(catalog(), roster(), tenant(), request.template, request.data, request.format)
    record = store().add_document(tenant(), generated, user_id())
    response = jsonify(_document(record))
    response.status_code = 201
    response.headers["Location"] = url_for("documents.read", document_id=record.id)
    return response


@bp.get("")
@documented("List documents", query=ListQuery, responses={200: DocumentPage})
def list_documents():
    params = query(ListQuery)
    page = store().documents(tenant(), params.page, params.per_page, params.template)
    return jsonify({"items": [_document(record) for record in page.items], "page": page.page,
                    "per_page": page.per_page, "total": page.total})


@bp.get("/<document_id>")
@documented("Read a document record", responses={200: Document})
def read(document_id: str):
    return jsonify(_document(store().document(tenant(), document_id)))


@bp.get("/<document_id>/file")
@documented("Download a document", responses={200: "application/octet-stream"})
def download(document_id: str):
    record, content = store().content(tenant(), document_id)
    response = send_file(BytesIO(content), mimetype=MEDIA_TYPES[record.format], as_attachment=True,
                         download_name=record.filename, etag=record.sha256, max_age=0)
    response.headers["X-Content-SHA256"] = record.sha256
    return response


@bp.post("/<document_id>/onedrive")
@documented("Save a document to OneDrive", responses={200: SavedToOneDrive})
def save_to_onedrive(document_id: str):
    onedrive = current_app.extensions["onedrive"]
    if onedrive is None:
        raise BadRequest("Saving to OneDrive needs sign-in: this server runs in local mode.")
    record, content = store().content(tenant(), document_id)
    return jsonify(SavedToOneDrive(web_url=onedrive.save(current_user(), record.filename, content)).model_dump())
