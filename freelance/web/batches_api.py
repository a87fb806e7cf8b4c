"""Batches over HTTP: start one (a document per freelancer), follow it, cancel it, download its zip (also by a
signed link) or save it to OneDrive."""

from __future__ import annotations

import tempfile
from typing import Any

from flask import Blueprint, Response, jsonify, url_for

from .. import links
from ..batches.service import Progress
from ..errors import NotConfigured
from ..roster.service import Query
from .audit_api import audited
from .auth import current_user
from .openapi import documented
from .requests import json_body, query
from .schemas import Batch, BatchPage, BatchRequest, DownloadLink, Error, PageQuery, SavedToOneDrive, ZipQuery
from .services import services

bp = Blueprint("batches", __name__, url_prefix="/api/batches")

_IN_MEMORY = 8 * 1024 * 1024
"""A zip saved to OneDrive is put together in memory up to this size, in a temporary file beyond it."""


def _batch(progress: Progress) -> Response:
    return jsonify(_described(progress))


def _described(progress: Progress) -> dict[str, Any]:
    batch, counts = progress.batch, progress.counts
    return Batch.model_validate(
        {
            "id": str(batch.id),
            "template": batch.template,
            "template_version": batch.template_version,
            "format": batch.format,
            "status": progress.status,
            "total": batch.total,
            **counts,
            "created_at": batch.created_at,
            "created_by": batch.created_by,
            "zip_url": url_for("batches.download_zip", batch_id=batch.id),
            "failures": [
                {
                    "freelancer_id": item.freelancer_id,
                    "freelancer_name": item.freelancer_name,
                    "error": item.error or "",
                    "errors": item.problems or [],
                }
                for item in progress.failures
            ],
        }
    ).model_dump(mode="json")


@bp.post("")
@documented(
    "Generate a document for each of several freelancers", body=BatchRequest, responses={202: Batch, 503: Error}
)
def create() -> Response:
    """The batch is recorded and its items queued; follow it at its Location."""
    request = json_body(BatchRequest)
    user = current_user()
    progress = services().batches.create(
        user.tenant,
        request.template,
        request.data,
        freelancer_ids=request.freelancer_ids,
        roster=Query(**request.roster.model_dump()) if request.roster else None,
        format=request.format,
        by=user.oid,
    )
    batch = progress.batch
    audited("batch.started", batch.id, template=batch.template, format=batch.format, total=batch.total)
    response = _batch(progress)
    response.status_code = 202
    response.headers["Location"] = url_for("batches.read", batch_id=progress.batch.id)
    return response


@bp.get("")
@documented("List batches, newest first", query=PageQuery, responses={200: BatchPage})
def listed() -> Response:
    paging = query(PageQuery)
    page = services().batches.listed(current_user().tenant, paging.page, paging.per_page)
    return jsonify(
        BatchPage(
            items=[_described(progress) for progress in page.items],
            page=page.page,
            per_page=page.per_page,
            total=page.total,
        ).model_dump(mode="json")
    )


@bp.get("/<batch_id>")
@documented("Read a batch's progress", responses={200: Batch})
def read(batch_id: str) -> Response:
    return _batch(services().batches.progress(current_user().tenant, batch_id))


@bp.delete("/<batch_id>")
@documented("Cancel a batch's items not started", responses={200: Batch})
def cancel(batch_id: str) -> Response:
    progress = services().batches.cancel(current_user().tenant, batch_id)
    audited("batch.cancelled", progress.batch.id, cancelled=progress.counts["cancelled"])
    return _batch(progress)


@bp.get("/<batch_id>/zip")
@documented("Download a batch's documents as a zip", query=ZipQuery, responses={200: "application/zip", 409: Error})
def download_zip(batch_id: str) -> Response:
    """Streamed, each document named as its single download is; 409 while items run, unless ?partial=1."""
    return _zip(current_user().tenant, batch_id, query(ZipQuery).partial, by_link=False)


@bp.post("/<batch_id>/link")
@documented("Make a download link to a batch's zip", responses={201: DownloadLink, 409: Error})
def make_link(batch_id: str) -> Response:
    """A short-lived URL that downloads the finished batch's zip without a token (for a system browser)."""
    progress = services().batches.finished(current_user().tenant, batch_id)
    token, expires_at = services().links.sign(progress.batch.tenant, str(progress.batch.id), purpose=links.BATCH)
    audited("batch.link_created", progress.batch.id)
    url = services().settings.PUBLIC_URL.rstrip("/") + url_for("batches.download_by_link", token=token)
    response = jsonify(DownloadLink(url=url, expires_at=expires_at).model_dump(mode="json"))
    response.status_code = 201
    return response


@bp.get("/links/<token>")
@documented("Download a batch's zip by link", responses={200: "application/zip", 410: Error})
def download_by_link(token: str) -> Response:
    link = services().links.verify(token, purpose=links.BATCH)
    return _zip(link.tenant, link.document_id, by_link=True)


@bp.post("/<batch_id>/onedrive")
@documented("Save a batch's zip to OneDrive", responses={200: SavedToOneDrive, 409: Error}, signed_in=True)
def save_to_onedrive(batch_id: str) -> Response:
    """The finished batch's zip goes into the user's OneDrive, in fragments when it is large."""
    onedrive = services().onedrive
    if onedrive is None:
        raise NotConfigured("Saving to OneDrive needs sign-in: this server runs in local mode.")
    user = current_user()
    progress, chunks = services().batches.archive(user.tenant, batch_id)
    with tempfile.SpooledTemporaryFile(max_size=_IN_MEMORY) as file:
        for chunk in chunks:
            file.write(chunk)
        web_url = onedrive.save(user, progress.zip_name, file)
    audited("batch.saved_to_onedrive", progress.batch.id)
    return jsonify(SavedToOneDrive(web_url=web_url).model_dump())


def _zip(tenant: str, batch_id: str, partial: bool = False, *, by_link: bool) -> Response:
    progress, chunks = services().batches.archive(tenant, batch_id, partial=partial)
    audited("batch.downloaded", progress.batch.id, tenant=tenant if by_link else None, partial=partial)
    name = progress.zip_name
    # Template ids are lower-case letters, digits and hyphens: the name needs no escaping.
    return Response(
        chunks, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
