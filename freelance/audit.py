"""The audit log: who did what to which record of a tenant, and when. Events are appended and listed, never
changed or removed (on PostgreSQL a trigger refuses it, see migration 0007).

An event names its target by id and keeps a small detail (counts, a template, a format): never a document's
contents, and no personal data beyond the actor's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import JSON, BigInteger, Index, Integer, String, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from .database import Base, UTCDateTime
from .paging import Page, page_of

Action = Literal[
    "document.generated",
    "document.downloaded",
    "document.link_created",
    "document.saved_to_onedrive",
    "document.status_changed",
    "document.signed_copy_attached",
    "document.signed_copy_downloaded",
    "freelancer.created",
    "freelancer.changed",
    "freelancer.deleted",
    "freelancer.restored",
    "roster.imported",
    "roster.exported",
    "insights.exported",
    "template.published",
    "template.retired",
    "batch.started",
    "batch.cancelled",
    "batch.downloaded",
    "batch.link_created",
    "batch.saved_to_onedrive",
]
"""Every action recorded: "<target type>.<what was done>"."""


class AuditEvent(Base):
    """One thing a user (``actor``, an object id; None for a signed link's bearer) did to a tenant's record."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_tenant_at", "tenant", "at"),)

    # SQLite numbers rows itself only in an INTEGER primary key.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    tenant: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str | None] = mapped_column(String(64))
    actor_name: Mapped[str | None] = mapped_column(String(256))
    action: Mapped[str] = mapped_column(String(64))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


_APPEND = insert(AuditEvent.table())
"""One statement for every event (built once: SQLAlchemy keys its compiled form by the statement)."""


class AuditLog:
    """The audit events of every tenant: append one, list a tenant's."""

    def __init__(self, engine: Engine):
        self._session = sessionmaker(engine, expire_on_commit=False)

    def record(
        self,
        tenant: str,
        action: Action,
        target_id: object | None,
        *,
        actor: str | None,
        actor_name: str | None = None,
        detail: Mapping[str, Any] | None = None,
        session: Session | None = None,
    ) -> None:
        """Append that ``actor`` did ``action`` to the target ``target_id`` (of the type the action names) of
        ``tenant``; ``detail`` must be JSON. Given ``session``, the event joins its transaction (it stands or
        falls with what it records), else it is a transaction of its own."""
        event = {
            "tenant": tenant,
            "at": datetime.now(UTC),
            "actor": actor,
            "actor_name": actor_name,
            "action": action,
            "target_type": action.partition(".")[0],
            "target_id": None if target_id is None else str(target_id),
            "detail": dict(detail or {}),
        }
        if session is not None:
            session.connection().execute(_APPEND, event)
            return
        with self._session.begin() as own:
            own.connection().execute(_APPEND, event)

    def events(
        self,
        tenant: str,
        page: int = 1,
        per_page: int = 20,
        *,
        action: Action | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Page[AuditEvent]:
        """Return a page of the tenant's events, newest first: of ``action`` only if given, at or after
        ``since``, before ``until`` (a time without a zone is taken as UTC)."""
        query = select(AuditEvent).where(AuditEvent.tenant == tenant)
        if action:
            query = query.where(AuditEvent.action == action)
        if since:
            query = query.where(AuditEvent.at >= _utc(since))
        if until:
            query = query.where(AuditEvent.at < _utc(until))
        with self._session() as session:
            return page_of(session, query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()), page, per_page)


def _utc(moment: datetime) -> datetime:
    # SQLite keeps a timestamp's wall time without its zone: every comparison is made in UTC.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
