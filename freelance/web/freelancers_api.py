"""The roster over HTTP: search, create, read, update, remove, import and export freelancers."""

from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Response, jsonify, send_file, stream_with_context, url_for

from ..generated import MEDIA_TYPES
from ..models import RosterFreelancer
from ..roster.export import export_rows, spooled, write_csv, write_xlsx
from ..roster.importing import import_roster
from ..roster.records import FreelancerRecord as Record
from ..roster.service import Query, changed
from .audit_api import audited
from .auth import current_user
from .openapi import Upload, documented
from .requests import json_body, query, uploaded_file
from .schemas import (
    Error,
    ExportQuery,
    FreelancerChanges,
    FreelancerPage,
    FreelancerQuery,
    FreelancerRecord,
    ImportOutcome,
    ImportQuery,
    NdaStatus,
)
from .services import services

bp = Blueprint("freelancers", __name__, url_prefix="/api/freelancers")
_UPLOAD_TYPES = ("text/csv", MEDIA_TYPES["xlsx"], "application/octet-stream")


def _record(record: Record) -> FreelancerRecord:
    return _records([record])[0]


def _records(records: list[Record]) -> list[FreelancerRecord]:
    """The records as the API shows them, each with the NDA in force for it (read in one query)."""
    ndas = services().lifecycle.ndas_in_force(current_user().tenant, {str(r.id): r.email for r in records})
    shown = []
    for record in records:
        nda = ndas.get(str(record.id))
        status = (
            NdaStatus(in_force=nda.in_force, until=nda.until, document_id=nda.document_id, starts_on=nda.starts)
            if nda
            else NdaStatus(in_force=False)
        )
        shown.append(FreelancerRecord.model_validate(record).model_copy(update={"nda": status}))
    return shown


@bp.get("")
@documented("Search freelancers", query=FreelancerQuery, responses={200: FreelancerPage})
def search() -> Response:
    params = query(FreelancerQuery)
    page = services().roster.search(current_user().tenant, Query(**params.model_dump()))
    return jsonify(
        FreelancerPage(items=_records(page.items), page=page.page, per_page=page.per_page, total=page.total).model_dump(
            mode="json"
        )
    )


@bp.post("")
@documented("Add a freelancer", body=RosterFreelancer, responses={201: FreelancerRecord, 409: Error})
def add() -> Response:
    user = current_user()
    record = services().roster.add(user.tenant, json_body(RosterFreelancer), by=user.oid)
    audited("freelancer.created", record.id)
    response = jsonify(_record(record).model_dump(mode="json"))
    response.status_code = 201
    response.headers["Location"] = url_for("freelancers.read", freelancer_id=record.id)
    return response


@bp.get("/<freelancer_id>")
@documented("Read a freelancer", responses={200: FreelancerRecord})
def read(freelancer_id: str) -> Response:
    return jsonify(_record(services().roster.get(current_user().tenant, freelancer_id)).model_dump(mode="json"))


@bp.patch("/<freelancer_id>")
@documented("Change a freelancer", body=FreelancerChanges, responses={200: FreelancerRecord})
def change(freelancer_id: str) -> Response:
    changes = json_body(FreelancerChanges).root
    user = current_user()
    record = services().roster.update(
        user.tenant, freelancer_id, lambda current: changed(current, changes), by=user.oid
    )
    audited("freelancer.changed", record.id, fields=sorted(changes))
    return jsonify(_record(record).model_dump(mode="json"))


@bp.delete("/<freelancer_id>")
@documented("Remove a freelancer", responses={204: {"description": "Removed"}})
def remove(freelancer_id: str) -> tuple[str, int]:
    """Restorable for 30 days (POST .../restore); ``?removed=1`` on the search lists those."""
    user = current_user()
    services().roster.remove(user.tenant, freelancer_id, by=user.oid)
    audited("freelancer.deleted", freelancer_id)
    return "", 204


@bp.post("/<freelancer_id>/restore")
@documented("Restore a removed freelancer", responses={200: FreelancerRecord, 409: Error})
def restore(freelancer_id: str) -> Response:
    user = current_user()
    record = services().roster.restore(user.tenant, freelancer_id, by=user.oid)
    audited("freelancer.restored", record.id)
    return jsonify(_record(record).model_dump(mode="json"))


@bp.post("/import")
@documented(
    "Import a roster file (CSV or .xlsx, multipart field 'file')",
    body=Upload(_UPLOAD_TYPES),
    query=ImportQuery,
    responses={200: ImportOutcome},
)
def import_file() -> Response:
    params = query(ImportQuery)
    stream, filename = uploaded_file("roster (CSV or .xlsx)", _UPLOAD_TYPES)
    user = current_user()
    result = import_roster(
        services().roster,
        user.tenant,
        stream,
        filename,
        dry_run=params.dry_run,
        by=user.oid,
        rate_unit=params.rate_unit,
    )
    if not result.dry_run:
        counts = result.counts
        audited("roster.imported", created=counts.created, updated=counts.updated, unchanged=counts.unchanged)
    return jsonify(
        ImportOutcome(
            created=result.counts.created,
            updated=result.counts.updated,
            unchanged=result.counts.unchanged,
            dry_run=result.dry_run,
            ignored_columns=result.ignored_columns,
        ).model_dump()
    )


@bp.get("/export")
@documented("Export the roster", query=ExportQuery, responses={200: ("text/csv", MEDIA_TYPES["xlsx"])})
def export() -> Response:
    params = query(ExportQuery)
    chosen = Query(**params.model_dump(exclude={"format"}))
    with services().roster.snapshot(current_user().tenant, chosen) as records:
        rows = spooled(export_rows(records))
    audited("roster.exported", format=params.format)
    if params.format == "csv":
        return Response(
            stream_with_context(write_csv(rows)),
            mimetype="text/csv",
            headers={"Content-Disposition": "attachment; filename=roster.csv"},
        )
    out = BytesIO()
    write_xlsx(rows, out)
    out.seek(0)
    return send_file(out, mimetype=MEDIA_TYPES["xlsx"], as_attachment=True, download_name="roster.xlsx")
