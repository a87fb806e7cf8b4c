"""The roster over HTTP: search, create, read, update, remove, import and export freelancers."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, Response, jsonify, send_file, stream_with_context, url_for

from ..catalog import MEDIA_TYPES
from ..models import Freelancer
from ..roster import Query, changed
from ..roster_files import export_rows, write_csv, write_xlsx
from ..roster_import import import_roster
from .openapi import documented
from .requests import json_body, query, roster, tenant, uploaded_file, user_id
from .schemas import (ExportQuery, FreelancerChanges, FreelancerPage, FreelancerQuery, FreelancerRecord, ImportOutcome,
                      ImportQuery)

bp = Blueprint("freelancers", __name__, url_prefix="/api/freelancers")
_UPLOAD_TYPES = ("text/csv", MEDIA_TYPES["xlsx"], "application/octet-stream")


def _record(record) -> dict:
    return FreelancerRecord.model_validate(record).model_dump(mode="json")


@bp.get("")
@documented("Search freelancers", query=FreelancerQuery, responses={200: FreelancerPage})
def search():
    params = query(FreelancerQuery)
    page = roster().search(tenant(), Query(**params.model_dump()))
    return jsonify({"items": [_record(r) for r in page.items], "page": page.page, "per_page": page.per_page,
                    "total": page.total})


@bp.post("")
@documented("Add a freelancer", body=Freelancer, responses={201: FreelancerRecord})
def add():
    record = roster().add(tenant(), json_body(Freelancer), by=user_id())
    response = jsonify(_record(record))
    response.status_code = 201
    response.headers["Location"] = url_for("freelancers.read", freelancer_id=record.id)
    return response


@bp.get("/<freelancer_id>")
@documented("Read a freelancer", responses={200: FreelancerRecord})
def read(freelancer_id: str):
    return jsonify(_record(roster().get(tenant(), freelancer_id)))


@bp.patch("/<freelancer_id>")
@documented("Change a freelancer", body=FreelancerChanges, responses={200: FreelancerRecord})
def change(freelancer_id: str):
    changes = json_body(FreelancerChanges).root
    record = roster().update(tenant(), freelancer_id, lambda current: changed(current, changes), by=user_id())
    return jsonify(_record(record))


@bp.delete("/<freelancer_id>")
@documented("Remove a freelancer", responses={204: {"description": "Removed"}})
def remove(freelancer_id: str):
    roster().remove(tenant(), freelancer_id)
    return "", 204


@bp.post("/import")
@documented("Import a roster file (CSV or .xlsx, multipart field 'file')", query=ImportQuery, responses={200: ImportOutcome})
def import_file():
    params = query(ImportQuery)
    stream, filename = uploaded_file("roster (CSV or .xlsx)", _UPLOAD_TYPES)
    result = import_roster(roster(), tenant(), stream, filename, dry_run=params.dry_run, by=user_id())
    return jsonify(ImportOutcome(created=result.counts.created, updated=result.counts.updated,
                                 unchanged=result.counts.unchanged, dry_run=result.dry_run,
                                 ignored_columns=result.ignored_columns).model_dump())


@bp.get("/export")
@documented("Export the roster", query=ExportQuery, responses={200: "text/csv"})
def export():
    params = query(ExportQuery)
    rows = export_rows(roster().each(tenant()))
    if params.format == "csv":
        return Response(stream_with_context(write_csv(rows)), mimetype="text/csv",
                        headers={"Content-Disposition": "attachment; filename=roster.csv"})
    out = BytesIO()
    write_xlsx(rows, out)
    out.seek(0)
    return send_file(out, mimetype=MEDIA_TYPES["xlsx"],
                     as_attachment=True, download_name="roster.xlsx")
