"""Generated documents over HTTP: generate, list, read a record, download the file (also by a signed link)."""

from __future__ import annotations

import hashlib
from io import BytesIO

from flask import Blueprint, Response, jsonify, request, send_file, url_for

from ..documents.insertion import NotAWorkbook, insertion_of
from ..errors import CannotRender, NotApplicable, NotConfigured
from ..filenames import file_name
from ..generated import MEDIA_TYPES
from ..problems import Problem
from ..programme.lifecycle import TRANSITIONS, History
from ..store import DocumentFilter, DocumentRecord
from .audit_api import audited
from .auth import current_user
from .document_schemas import (
    Document,
    DocumentPage,
    DocumentRequest,
    FileQuery,
    ListQuery,
    Match,
    Revision,
    SignedCopy,
    StatusChange,
    StatusEvent,
    Verification,
)
from .openapi import Upload, documented
from .requests import json_body, query, uploaded_file
from .schemas import DownloadLink, Error, SavedToOneDrive, WorkbookInsertion
from .services import services

bp = Blueprint("documents", __name__, url_prefix="/api/documents")
_SIGNED_TYPES = (MEDIA_TYPES["pdf"], MEDIA_TYPES["docx"], "application/octet-stream")
_ANY_FILE = (*MEDIA_TYPES.values(), "application/octet-stream")


def _document(record: DocumentRecord, history: History | None = None, *, data: bool = False) -> Document:
    """The API's form of a record; a single one (``data``) with the data it was made from."""
    copy = history.signed_copy if history is not None else None
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
        kind=record.kind,
        client_name=record.client_name,
        freelancer_name=record.freelancer_name,
        project_title=record.project_title,
        sow_number=record.engagement,
        predecessor_id=str(record.predecessor_id) if record.predecessor_id else None,
        data=record.data if data else None,
        status=record.status,
        status_on=record.status_on,
        next_statuses=list(TRANSITIONS[record.status]) if record.status else [],
        history=[StatusEvent.model_validate(event) for event in history.events] if history else None,
        signed_copy=SignedCopy.model_validate(
            {**vars(copy), "download_url": url_for("documents.download_signed", document_id=record.id)}
        )
        if copy is not None
        else None,
    )


@bp.post("")
@documented("Generate a document", body=DocumentRequest, responses={201: Document})
def generate() -> Response:
    request = json_body(DocumentRequest)
    user = current_user()
    with services().store.writing() as session:  # the document and its audit event, or neither
        record = (
            services()
            .generator.generate(
                user.tenant, request.template, request.data, format=request.format, by=user.oid, session=session
            )
            .record
        )
        audited("document.generated", record.id, template=record.template, format=record.format, session=session)
    response = jsonify(
        _document(record, History.of(record) if record.status else None, data=True).model_dump(mode="json")
    )
    response.status_code = 201
    response.headers["Location"] = url_for("documents.read", document_id=record.id)
    return response


@bp.post("/<document_id>/regenerate")
@documented("Regenerate a document, or edit it", body=Revision, responses={201: Document, 409: Error})
def regenerate(document_id: str) -> Response:
    """A new document from a stored one's data, linked to it: as it was, with the very template version it
    was made with (no body), or edited with ``changes`` by the template's newest version."""
    changes = json_body(Revision).changes if request.content_length or request.is_json else None
    user = current_user()
    with services().store.writing() as session:
        record = (
            services()
            .generator.regenerate(user.tenant, document_id, changes=changes, by=user.oid, session=session)
            .record
        )
        audited(
            "document.generated",
            record.id,
            template=record.template,
            format=record.format,
            source=document_id,
            session=session,
        )
    response = jsonify(
        _document(record, History.of(record) if record.status else None, data=True).model_dump(mode="json")
    )
    response.status_code = 201
    response.headers["Location"] = url_for("documents.read", document_id=record.id)
    return response


@bp.get("")
@documented("List documents", query=ListQuery, responses={200: DocumentPage})
def list_documents() -> Response:
    params = query(ListQuery)
    filter = DocumentFilter(**params.model_dump(exclude={"page", "per_page"}))
    page = services().store.documents(current_user().tenant, params.page, params.per_page, filter)
    return jsonify(
        DocumentPage(
            items=[_document(record) for record in page.items], page=page.page, per_page=page.per_page, total=page.total
        ).model_dump(mode="json")
    )


@bp.get("/<document_id>")
@documented("Read a document record", responses={200: Document})
def read(document_id: str) -> Response:
    """A contract's record comes with its history and signed copy."""
    record = services().store.document(current_user().tenant, document_id)
    history = services().lifecycle.history(record.tenant, document_id) if record.status is not None else None
    return jsonify(_document(record, history, data=True).model_dump(mode="json"))


@bp.patch("/<document_id>")
@documented("Change a contract's status", body=StatusChange, responses={200: Document, 409: Error, 422: Error})
def change_status(document_id: str) -> Response:
    """draft -> sent -> signed -> active -> completed, or cancelled / expired; a move it does not allow is a 409."""
    change = json_body(StatusChange)
    user = current_user()
    with services().store.writing() as session:
        record = services().lifecycle.change(session, user.tenant, document_id, change.status, change.on, user.oid)
        audited("document.status_changed", record.id, status=record.status, on=str(record.status_on), session=session)
    return jsonify(
        _document(record, services().lifecycle.history(user.tenant, document_id), data=True).model_dump(mode="json")
    )


@bp.put("/<document_id>/signed")
@documented("Attach the signed copy of a contract", body=Upload(_SIGNED_TYPES), responses={200: SignedCopy, 422: Error})
def attach_signed(document_id: str) -> Response:
    """A PDF or .docx, kept with the record in place of any attached before, with its SHA-256."""
    stream, _name = uploaded_file("signed PDF or .docx", _SIGNED_TYPES)
    user = current_user()
    with services().store.writing() as session:
        copy = services().lifecycle.attach(session, user.tenant, document_id, stream.read(), user.oid)
        audited("document.signed_copy_attached", document_id, sha256=copy.sha256, session=session)
    return jsonify(
        SignedCopy.model_validate(
            {**vars(copy), "download_url": url_for("documents.download_signed", document_id=document_id)}
        ).model_dump(mode="json")
    )


@bp.get("/<document_id>/signed")
@documented("Download the signed copy of a contract", responses={200: "application/octet-stream"})
def download_signed(document_id: str) -> Response:
    copy, content = services().lifecycle.signed_copy(current_user().tenant, document_id)
    audited("document.signed_copy_downloaded", document_id)
    response = send_file(
        BytesIO(content),
        mimetype=MEDIA_TYPES[copy.format],
        as_attachment=True,
        download_name=copy.filename,
        etag=copy.sha256,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = copy.sha256
    return response


@bp.post("/verify")
@documented("Which document is this file?", body=Upload(_ANY_FILE), responses={200: Verification})
def verify() -> Response:
    """The records whose file, PDF or signed copy has the uploaded file's SHA-256 (none: it was not made here,
    or it was changed since)."""
    stream, _name = uploaded_file("file to check", _ANY_FILE)
    digest = hashlib.sha256(stream.read()).hexdigest()
    tenant = current_user().tenant
    found = services().store.with_hash(tenant, digest)
    found += [("signed copy", record) for record in services().lifecycle.signed_with_hash(tenant, digest)]
    return jsonify(
        Verification(
            sha256=digest, matches=[Match(found_as=copy, document=_document(record)) for copy, record in found]
        ).model_dump(mode="json")
    )


@bp.get("/<document_id>/file")
@documented("Download a document", responses={200: "application/octet-stream"})
def download(document_id: str) -> Response:
    """``?format=pdf`` gives a Word document as PDF/A (converted once, then kept with the record)."""
    format = query(FileQuery).format
    record, content = services().generator.file(current_user().tenant, document_id, format)
    audited("document.downloaded", record.id, format=format or record.format)
    return _file(record, content, format)


@bp.post("/<document_id>/link")
@documented("Make a download link", responses={201: DownloadLink})
def make_link(document_id: str) -> Response:
    """A short-lived URL that downloads the file without a token: for Office on Mac and iPad, whose
    WKWebView ignores <a download> and blob URLs, so the pane opens it with openBrowserWindow.
    ``?format=pdf``: the link downloads a Word document as PDF."""
    format = query(FileQuery).format
    record = services().store.document(current_user().tenant, document_id)
    token, expires_at = services().links.sign(record.tenant, str(record.id))
    audited("document.link_created", record.id, format=format or record.format)
    address = url_for("documents.download_by_link", token=token) + (f"?format={format}" if format else "")
    url = services().settings.PUBLIC_URL.rstrip("/") + address
    response = jsonify(DownloadLink(url=url, expires_at=expires_at).model_dump(mode="json"))
    response.status_code = 201
    return response


@bp.get("/links/<token>")
@documented("Download a document by link", responses={200: "application/octet-stream", 410: Error})
def download_by_link(token: str) -> Response:
    format = query(FileQuery).format
    link = services().links.verify(token)
    record, content = services().generator.file(link.tenant, link.document_id, format)
    audited("document.downloaded", record.id, tenant=link.tenant, format=format or record.format)
    return _file(record, content, format)


def _file(record: DocumentRecord, content: bytes, format: str | None = None) -> Response:
    format = format or record.format
    sha256 = hashlib.sha256(content).hexdigest() if format != record.format else record.sha256
    response = send_file(
        BytesIO(content),
        mimetype=MEDIA_TYPES[format],
        as_attachment=True,
        download_name=f"{file_name(record.filename.rsplit('.', 1)[0], record.template)}.{format}",
        etag=sha256,
        max_age=0,
    )
    response.headers["X-Content-SHA256"] = sha256
    return response


@bp.get("/<document_id>/insertion")
@documented("Prepare a workbook to insert into an open one", responses={200: WorkbookInsertion})
def insertion(document_id: str) -> Response:
    """The workbook without charts or defined names (which Excel cannot always insert), and how to add them back."""
    record, content = services().store.content(current_user().tenant, document_id)
    if record.format != "xlsx":
        raise NotApplicable(
            "Only a workbook can be inserted into Excel.",
            [Problem("format", f"is {record.format}: only an xlsx document can be inserted into a workbook")],
        )
    try:
        plan = insertion_of(content)
    except NotAWorkbook as exc:
        raise CannotRender(f"The workbook cannot be prepared for insertion: {exc}") from exc
    return jsonify(WorkbookInsertion.of(plan).model_dump(mode="json"))


@bp.post("/<document_id>/onedrive")
@documented("Save a document to OneDrive", responses={200: SavedToOneDrive}, signed_in=True)
def save_to_onedrive(document_id: str) -> Response:
    onedrive = services().onedrive
    if onedrive is None:
        raise NotConfigured("Saving to OneDrive needs sign-in: this server runs in local mode.")
    user = current_user()
    record, content = services().store.content(user.tenant, document_id)
    web_url = onedrive.save(user, record.filename, content)
    audited("document.saved_to_onedrive", record.id)
    return jsonify(SavedToOneDrive(web_url=web_url).model_dump())
