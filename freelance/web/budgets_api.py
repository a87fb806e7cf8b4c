"""Budget trackers over HTTP: upload a tracker as a user left it, get its summary."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from ..budget.summary import summarise
from ..generated import MEDIA_TYPES
from .openapi import Upload, documented
from .requests import uploaded_file
from .schemas import Error, Summary

bp = Blueprint("budgets", __name__, url_prefix="/api/budgets")


@bp.post("/summary")
@documented(
    "Summarise a budget tracker",
    body=Upload((MEDIA_TYPES["xlsx"], "application/octet-stream")),
    responses={200: Summary, 400: Error, 413: Error, 415: Error},
)
def summary() -> Response:
    stream, _ = uploaded_file("tracker .xlsx", (MEDIA_TYPES["xlsx"], "application/octet-stream"))
    return jsonify(Summary.model_validate(summarise(stream.read())).model_dump(mode="json"))
