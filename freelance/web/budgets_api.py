"""Budget trackers over HTTP: upload a tracker as a user left it, get its summary."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from ..budget import Summary, summarise
from ..catalog import MEDIA_TYPES
from ..errors import BadRequest, UnsupportedMedia
from .openapi import documented
from .schemas import Error

bp = Blueprint("budgets", __name__, url_prefix="/api/budgets")


@bp.post("/summary")
@documented("Summarise a budget tracker",
            responses={200: Summary, 400: Error, 413: Error, 415: Error})
def summary():
    return jsonify(summarise(_uploaded_workbook()).model_dump(mode="json"))


def _uploaded_workbook() -> bytes:
    """Return the uploaded .xlsx bytes, from the multipart field 'file' or the body.

    Raises BadRequest for a multipart upload without 'file', UnsupportedMedia for another body type;
    a body over MAX_UPLOAD_LENGTH gets 413, as roster imports do.
    """
    request.max_content_length = current_app.config["SETTINGS"].MAX_UPLOAD_LENGTH
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise BadRequest("The upload has no field 'file': send the tracker .xlsx in it.")
        return upload.read()
    if request.mimetype in (MEDIA_TYPES["xlsx"], "application/octet-stream"):
        return request.get_data(cache=False)
    raise UnsupportedMedia(f"Send the tracker as a multipart upload in the field 'file', or as a body of type {MEDIA_TYPES['xlsx']}.")
