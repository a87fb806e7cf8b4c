"""Batches over HTTP: start one (a document per freelancer), follow it, cancel it, download its zip."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, url_for

from ..batches.service import Progress
from ..roster.service import Query
from .auth import current_user
from .openapi import documented
from .requests import json_body, query
from .schemas import Batch, BatchRequest, Error, ZipQuery
from .services import services

bp = Blueprint("batches", __name__, url_prefix="/api/batches")


def _batch(progress: Progress) -> Response:
    batch, counts = progress.batch, progress.counts
    return jsonify(
        Batch.model_validate(
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
    )


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
    response = _batch(progress)
    response.status_code = 202
    response.headers["Location"] = url_for("batches.read", batch_id=progress.batch.id)
    return response


@bp.get("/<batch_id>")
@documented("Read a batch's progress", responses={200: Batch})
def read(batch_id: str) -> Response:
    return _batch(services().batches.progress(current_user().tenant, batch_id))


@bp.delete("/<batch_id>")
@documented("Cancel a batch's items not started", responses={200: Batch})
def cancel(batch_id: str) -> Response:
    return _batch(services().batches.cancel(current_user().tenant, batch_id))


@bp.get("/<batch_id>/zip")
@documented("Download a batch's documents as a zip", query=ZipQuery, responses={200: "application/zip", 409: Error})
def download_zip(batch_id: str) -> Response:
    """Streamed, each document named as its single download is; 409 while items run, unless ?partial=1."""
    partial = query(ZipQuery).partial
    chunks = services().batches.archive(current_user().tenant, batch_id, partial=partial)
    return Response(
        chunks,
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.zip"'},
    )
