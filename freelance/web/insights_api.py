"""Programme insight over HTTP: the figures as JSON, and as an Excel dashboard."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from flask import Blueprint, Response, jsonify, send_file

from ..documents.insertion import insertion_of
from ..errors import NotApplicable
from ..generated import MEDIA_TYPES
from ..problems import Problem
from ..programme.dashboard import dashboard
from .audit_api import audited
from .auth import current_user
from .insight_schemas import Insights, InsightsQuery
from .openapi import documented
from .requests import query
from .schemas import Error, WorkbookInsertion
from .services import services

MAX_DASHBOARD_SOWS = 20_000
"""The most SOWs a dashboard workbook lists (a longer period: choose a shorter one, or use the JSON)."""

bp = Blueprint("insights", __name__, url_prefix="/api/insights")


@bp.get("")
@documented("Programme insight", query=InsightsQuery, responses={200: Insights})
def figures() -> Response:
    """Committed spend, SOWs, value, duration, time to engage, active freelancers, demand by skill and NDAs
    about to expire, each with the ids of the documents it counts."""
    params = query(InsightsQuery)
    insight = services().insights.of(current_user().tenant, params.start, params.end, params.group_by)
    return jsonify(Insights.model_validate(insight).model_dump(mode="json", by_alias=True))


@bp.get("/workbook")
@documented("Programme dashboard workbook", query=InsightsQuery, responses={200: MEDIA_TYPES["xlsx"], 422: Error})
def workbook() -> Response:
    """The figures as an Excel dashboard: live formulas over a table of the SOWs, and native charts."""
    made_on = datetime.now(UTC).date()
    content = _dashboard(query(InsightsQuery))
    response = send_file(
        BytesIO(content),
        mimetype=MEDIA_TYPES["xlsx"],
        as_attachment=True,
        download_name=f"Programme dashboard {made_on.isoformat()}.xlsx",
        max_age=0,
    )
    return response


@bp.get("/insertion")
@documented("Programme dashboard to insert into Excel", query=InsightsQuery, responses={200: WorkbookInsertion})
def insertion() -> Response:
    """The dashboard workbook made ready for Excel's insertWorksheetsFromBase64, with its charts to add back."""
    plan = insertion_of(_dashboard(query(InsightsQuery)))
    return jsonify(WorkbookInsertion.of(plan).model_dump(mode="json"))


def _dashboard(params: InsightsQuery) -> bytes:
    tenant, insights = current_user().tenant, services().insights
    sows = insights.sows(tenant, params.start, params.end, MAX_DASHBOARD_SOWS + 1)
    if len(sows) > MAX_DASHBOARD_SOWS:
        raise NotApplicable(
            "The period holds too many SOWs for one workbook.",
            [Problem("from", f"the period holds more than {MAX_DASHBOARD_SOWS:,} SOWs: choose a shorter one")],
        )
    insight = insights.of(tenant, params.start, params.end, params.group_by)
    audited("insights.exported", group_by=params.group_by)
    return dashboard(insight, sows, insights.ndas(tenant), datetime.now(UTC).date())
