"""Company templates and their versions, per tenant; a new version never replaces an old one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKeyConstraint, Index, Integer, LargeBinary, String, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker, undefer

from ..database import Base, UTCDateTime
from ..errors import Conflict, NotFound
from ..problems import Problem
from ..quota import Quota


class TemplateRecord(Base):
    """A company template: its id within the tenant, its title, and whether it is retired."""

    __tablename__ = "company_templates"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    retired_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class VersionRecord(Base):
    """One uploaded file of a template, numbered from 1, with what vetting derived of its data."""

    __tablename__ = "template_versions"
    __table_args__ = (
        ForeignKeyConstraint(
            ["tenant", "template_id"], ["company_templates.tenant", "company_templates.id"], ondelete="CASCADE"
        ),
        Index("ix_template_versions_sha", "tenant", "template_id", "sha256"),
    )

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    template_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    fields: Mapped[dict[str, Any]] = mapped_column(JSON)
    shipped_fields: Mapped[list[str]] = mapped_column(JSON)
    warnings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class NewVersion:
    """What publishing a file adds: the file, its kind and fields as vetting derived them, its warnings."""

    content: bytes
    sha256: str
    kind: str
    fields: dict[str, Any]
    shipped_fields: list[str]
    warnings: list[dict[str, Any]]


class TemplateStore:
    """The company templates of every tenant; each change is one transaction."""

    def __init__(self, engine: Engine, quota: Quota):
        self._session, self._quota = sessionmaker(engine, expire_on_commit=False), quota

    def create(self, tenant: str, template_id: str, title: str, version: NewVersion, by: str) -> VersionRecord:
        """Add a template with its first version; raise Conflict if the tenant has one of that id (even retired)."""
        taken = Conflict(
            f"There is already a template {template_id!r}.",
            [Problem("id", "is taken: publish a new version of it, or choose another id")],
        )
        try:
            with self._session.begin() as session:
                if session.get(TemplateRecord, (tenant, template_id)) is not None:
                    raise taken
                now = datetime.now(UTC)
                session.add(TemplateRecord(tenant=tenant, id=template_id, title=title, created_at=now, created_by=by))
                session.flush()
                return self._add_version(session, tenant, template_id, 1, version, by, now)
        except IntegrityError:  # published at the same moment by someone else
            raise taken from None

    def add_version(
        self, tenant: str, template_id: str, title: str | None, version: NewVersion, by: str
    ) -> VersionRecord:
        """Add the next version of the tenant's template (and retitle it); raise NotFound, or Conflict if retired."""
        with self._session.begin() as session:
            template = session.get(TemplateRecord, (tenant, template_id), with_for_update=True)
            if template is None:
                raise NotFound(f"There is no template {template_id!r}.")
            if template.retired_at is not None:
                raise Conflict(f"Template {template_id!r} is retired.", [Problem("id", "is retired")])
            if title:
                template.title = title
            number = session.scalar(
                select(func.max(VersionRecord.number)).where(
                    VersionRecord.tenant == tenant, VersionRecord.template_id == template_id
                )
            )
            return self._add_version(session, tenant, template_id, (number or 0) + 1, version, by, datetime.now(UTC))

    def _add_version(self, session, tenant, template_id, number, version: NewVersion, by, now) -> VersionRecord:
        self._quota.charge(session, tenant, len(version.content))
        record = VersionRecord(
            tenant=tenant,
            template_id=template_id,
            number=number,
            sha256=version.sha256,
            kind=version.kind,
            fields=version.fields,
            shipped_fields=version.shipped_fields,
            warnings=version.warnings,
            content=version.content,
            created_at=now,
            created_by=by,
        )
        session.add(record)
        return record

    def retire(self, tenant: str, template_id: str, by: str) -> None:
        """Retire the tenant's template: no new documents; raise NotFound."""
        with self._session.begin() as session:
            template = session.get(TemplateRecord, (tenant, template_id))
            if template is None or template.retired_at is not None:
                raise NotFound(f"There is no template {template_id!r}.")
            template.retired_at, template.retired_by = datetime.now(UTC), by

    def template(self, tenant: str, template_id: str) -> TemplateRecord | None:
        """Return the tenant's template record (retired ones too), or None."""
        with self._session() as session:
            return session.get(TemplateRecord, (tenant, template_id))

    def templates(self, tenant: str) -> list[tuple[TemplateRecord, VersionRecord]]:
        """Return the tenant's templates in use, each with its newest version, by id."""
        newest = (
            select(VersionRecord.template_id, func.max(VersionRecord.number).label("number"))
            .where(VersionRecord.tenant == tenant)
            .group_by(VersionRecord.template_id)
            .subquery()
        )
        query = (
            select(TemplateRecord, VersionRecord)
            .join(newest, newest.c.template_id == TemplateRecord.id)
            .join(
                VersionRecord,
                (VersionRecord.tenant == TemplateRecord.tenant)
                & (VersionRecord.template_id == TemplateRecord.id)
                & (VersionRecord.number == newest.c.number),
            )
            .where(TemplateRecord.tenant == tenant, TemplateRecord.retired_at.is_(None))
            .order_by(TemplateRecord.id)
        )
        with self._session() as session:
            return [(row[0], row[1]) for row in session.execute(query)]

    def versions(self, tenant: str, template_id: str) -> list[VersionRecord]:
        """Return the versions of the tenant's template, newest first (without their files)."""
        with self._session() as session:
            return list(
                session.scalars(
                    select(VersionRecord)
                    .where(VersionRecord.tenant == tenant, VersionRecord.template_id == template_id)
                    .order_by(VersionRecord.number.desc())
                )
            )

    def version(
        self, tenant: str, template_id: str, number: int | None = None, sha256: str | None = None
    ) -> VersionRecord | None:
        """Return one version with its file: by number, by SHA-256, or the newest; None if there is none."""
        query = select(VersionRecord).where(VersionRecord.tenant == tenant, VersionRecord.template_id == template_id)
        if number is not None:
            query = query.where(VersionRecord.number == number)
        if sha256 is not None:
            query = query.where(VersionRecord.sha256 == sha256)
        with self._session() as session:
            return session.scalars(
                query.order_by(VersionRecord.number.desc()).limit(1).options(undefer(VersionRecord.content))
            ).first()
