"""The audit log over HTTP: ``GET /api/audit`` lists the tenant's events, and ``audited`` is what a route calls
once it has acted. There is no way to change or remove an event."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from ..audit import Action
from .auth import current_user
from .openapi import documented
from .requests import query
from .schemas import Page, PageQuery
from .services import services

bp = Blueprint("audit", __name__, url_prefix="/api/audit")


class AuditQuery(PageQuery):
    action: Action | None = None
    since: datetime | None = Field(None, alias="from", description="At or after (ISO 8601; UTC without a zone)")
    until: datetime | None = Field(None, alias="to", description="Before (ISO 8601; UTC without a zone)")


class AuditEvent(BaseModel):
    """Who did what to which record, and when; ``actor`` is None for the holder of a signed download link."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    actor: str | None = Field(description="The user's object id")
    actor_name: str | None
    action: str = Field(examples=["document.generated"])
    target_type: str = Field(examples=["document"])
    target_id: str | None
    detail: dict[str, Any]


class AuditPage(Page[AuditEvent]):
    """One page of the audit log, newest first."""


@bp.get("")
@documented("List the audit log, newest first", query=AuditQuery, responses={200: AuditPage})
def listed() -> Response:
    params = query(AuditQuery)
    page = services().audit.events(
        current_user().tenant,
        params.page,
        params.per_page,
        action=params.action,
        since=params.since,
        until=params.until,
    )
    return jsonify(
        AuditPage(
            items=[AuditEvent.model_validate(event) for event in page.items],
            page=page.page,
            per_page=page.per_page,
            total=page.total,
        ).model_dump(mode="json")
    )


def audited(
    action: Action,
    target_id: object | None = None,
    *,
    tenant: str | None = None,
    session: Session | None = None,
    **detail: Any,
) -> None:
    """Record that the current user did ``action`` to ``target_id``, with ``detail`` (in ``session``'s
    transaction, if given); given ``tenant`` (a request made with a signed link, which has no user), the event
    is that tenant's, without an actor."""
    if tenant is not None:
        services().audit.record(tenant, action, target_id, actor=None, detail=detail, session=session)
        return
    user = current_user()
    services().audit.record(
        user.tenant, action, target_id, actor=user.oid, actor_name=user.name, detail=detail, session=session
    )
