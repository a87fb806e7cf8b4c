"""Generated documents and their bytes, per tenant; a record and its bytes are written in one transaction."""

from __future__ import annotations

import hashlib
import uuid
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Uuid,
    func,
    insert,
    or_,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from .database import Base, PlainDecimal, UTCDateTime
from .errors import NotFound
from .generated import Generated
from .paging import Page, page_of
from .programme.facts import facts_of
from .quota import Quota

COMMITTED_SOWS = "kind = 'sow' AND status IN ('signed', 'active', 'completed') AND signed_on IS NOT NULL"
"""The records programme insight adds up (``programme.lifecycle.COMMITTED``): written as its queries' conditions are."""
COMMITTED_SOW_FACTS = [
    "id",
    "currency",
    "value",
    "duration_days",
    "days_to_engage",
    "status",
    "category",
    "team",
    "cost_center",
    "country",
    "freelancer_email",
    "freelancer_name",
    "skills",
]


class DocumentRecord(Base):
    """What was generated, for whom, from which template version, with its SHA-256; for a contract, its
    status and the facts programme insight reads (``programme.facts``)."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_tenant_created", "tenant", "created_at"),
        Index("ix_documents_tenant_kind_signed", "tenant", "kind", "signed_on"),
        Index("ix_documents_tenant_engagement", "tenant", "engagement"),
        Index("ix_documents_tenant_freelancer_email", "tenant", "freelancer_email"),
        Index("ix_documents_tenant_sha256", "tenant", "sha256"),
        # Programme insight reads the committed SOWs of a period from this index alone (PostgreSQL: the columns
        # it adds up are included), never the table with its data snapshots.
        Index(
            "ix_documents_committed_sows",
            "tenant",
            "signed_on",
            postgresql_include=COMMITTED_SOW_FACTS,
            postgresql_where=text(COMMITTED_SOWS),
            sqlite_where=text(COMMITTED_SOWS),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(64))
    template: Mapped[str] = mapped_column(String(64))
    template_version: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64), default="local")
    kind: Mapped[str] = mapped_column(String(16))
    predecessor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, ForeignKey("documents.id", ondelete="SET NULL"))
    client_name: Mapped[str | None] = mapped_column(String(200))
    project_title: Mapped[str | None] = mapped_column(String(200))
    search_text: Mapped[str | None] = mapped_column(String(4000))
    status: Mapped[str | None] = mapped_column(String(16))
    status_on: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    days_to_engage: Mapped[int | None] = mapped_column(Integer)
    freelancer_id: Mapped[str | None] = mapped_column(String(36))
    freelancer_email: Mapped[str | None] = mapped_column(String(254))
    freelancer_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    skills: Mapped[list[str] | None] = mapped_column(JSON)
    engagement: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(60))
    team: Mapped[str | None] = mapped_column(String(120))
    cost_center: Mapped[str | None] = mapped_column(String(60))
    currency: Mapped[str | None] = mapped_column(String(3))
    value: Mapped[Decimal | None] = mapped_column(PlainDecimal)
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    duration_days: Mapped[int | None] = mapped_column(Integer)
    expires_on: Mapped[date | None] = mapped_column(Date)


class DocumentFile(Base):
    __tablename__ = "document_files"

    document_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Rendition(Base):
    """A document's file in another format (its PDF), made once from its own file and kept with it."""

    __tablename__ = "document_renditions"
    __table_args__ = (Index("ix_document_renditions_sha256", "sha256"),)

    document_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    format: Mapped[str] = mapped_column(String(8), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)


@dataclass(frozen=True)
class DocumentFilter:
    """Which records a listing shows: ``q``'s words each in the client, freelancer, project title or SOW
    number; a template or kind; a contract status; a freelancer (roster id or email); a client (part of its
    name); made from ``start`` to ``end`` (days, both included). None: any."""

    q: str | None = None
    template: str | None = None
    kind: str | None = None
    status: str | None = None
    freelancer: str | None = None
    client: str | None = None
    start: date | None = None
    end: date | None = None

    def where(self, tenant: str) -> list[ColumnElement[bool]]:
        """The conditions that select the tenant's records this filter lets through."""
        found = [DocumentRecord.tenant == tenant]
        for word in (self.q or "").lower().split():
            found.append(DocumentRecord.search_text.contains(word, autoescape=True))
        for column, value in ((DocumentRecord.template, self.template), (DocumentRecord.kind, self.kind)):
            if value:
                found.append(column == value)
        if self.status:
            found.append(DocumentRecord.status == self.status)
        if self.freelancer:
            found.append(
                or_(
                    DocumentRecord.freelancer_id == self.freelancer,
                    DocumentRecord.freelancer_email == self.freelancer.lower(),
                )
            )
        if self.client:
            found.append(func.lower(DocumentRecord.client_name).contains(self.client.lower(), autoescape=True))
        if self.start:
            found.append(DocumentRecord.created_at >= datetime.combine(self.start, time.min, UTC))
        if self.end:
            found.append(DocumentRecord.created_at < datetime.combine(self.end + timedelta(days=1), time.min, UTC))
        return found


# Built once: SQLAlchemy keys a statement's compiled form by the statement, and a new one costs that key each time.
_ADD_RECORDS, _ADD_FILES = insert(DocumentRecord.table()), insert(DocumentFile.table())


class Store:
    """The documents of every tenant; each write is one transaction."""

    def __init__(self, engine: Engine, quota: Quota):
        self.engine, self.quota = engine, quota
        self._session = sessionmaker(engine, expire_on_commit=False)

    def writing(self) -> AbstractContextManager[Session]:
        """A transaction for writes that must stand or fall together (a document and its audit event)."""
        return self._session.begin()

    def add_document(
        self,
        tenant: str,
        generated: Generated,
        by: str = "local",
        session: Session | None = None,
        predecessor: uuid.UUID | None = None,
    ) -> DocumentRecord:
        """Store the record and its bytes together and return the record; ``by`` is the user's oid.

        Given a ``session``, both are added to its transaction (flushed, not committed): the caller's
        other writes then stand or fall with them. ``predecessor``: the record it was regenerated or edited from.
        Raises StorageFull past the tenant's quota."""
        if session is not None:
            return self.add_documents(tenant, [generated], by, session, predecessor)[0]
        with self._session.begin() as own:
            return self.add_documents(tenant, [generated], by, own, predecessor)[0]

    def add_documents(
        self,
        tenant: str,
        generated: list[Generated],
        by: str,
        session: Session,
        predecessor: uuid.UUID | None = None,
    ) -> list[DocumentRecord]:
        """Add the records and bytes of ``generated`` to ``session``'s transaction, in two statements whatever
        their number; return the records. Raises StorageFull past the tenant's quota."""
        now = datetime.now(UTC)
        rows = [
            {
                "id": uuid.uuid4(),
                "tenant": tenant,
                "template": each.template,
                "template_version": each.template_version,
                "filename": each.filename,
                "format": each.format,
                "sha256": each.sha256,
                "size": len(each.content),
                "data": each.data,
                "created_at": now,
                "created_by": by,
                "predecessor_id": predecessor,
            }
            | facts_of(each.kind, each.data, now.date())
            for each in generated
        ]
        # Core inserts on the session's connection: the ORM's bulk insert costs more than their round trips.
        connection = session.connection()
        connection.execute(_ADD_RECORDS, rows)
        connection.execute(
            _ADD_FILES, [{"document_id": row["id"], "content": each.content} for row, each in zip(rows, generated)]
        )
        # Last: the tenant's count stays locked only until the commit that follows.
        self.quota.charge(session, tenant, sum(len(each.content) for each in generated))
        return [DocumentRecord(**row) for row in rows]

    def documents(
        self, tenant: str, page: int, per_page: int, filter: DocumentFilter | None = None
    ) -> Page[DocumentRecord]:
        """Return one page of the tenant's records that ``filter`` lets through, newest first."""
        query = select(DocumentRecord).where(*(filter or DocumentFilter()).where(tenant))
        with self._session() as session:
            return page_of(
                session, query.order_by(DocumentRecord.created_at.desc(), DocumentRecord.id.desc()), page, per_page
            )

    def document(self, tenant: str, document_id: str) -> DocumentRecord:
        """Return the tenant's record; raise NotFound for an unknown, malformed or other tenant's id."""
        with self._session() as session:
            record = session.get(DocumentRecord, _uuid(document_id))
        if record is None or record.tenant != tenant:
            raise NotFound(f"There is no document {document_id!r}.")
        return record

    def content(self, tenant: str, document_id: str) -> tuple[DocumentRecord, bytes]:
        """Return the tenant's record and its bytes; raise NotFound as ``document`` does."""
        record = self.document(tenant, document_id)
        with self._session() as session:
            return record, session.get_one(DocumentFile, record.id).content

    def with_hash(self, tenant: str, sha256: str) -> list[tuple[str, DocumentRecord]]:
        """Return each of the tenant's records whose file (``document``) or PDF (``pdf``) has ``sha256``, oldest
        first."""
        with self._session() as session:
            files = session.scalars(
                select(DocumentRecord).where(DocumentRecord.tenant == tenant, DocumentRecord.sha256 == sha256)
            )
            found = [("document", record) for record in files]
            pdfs = session.scalars(
                select(DocumentRecord)
                .join(Rendition, Rendition.document_id == DocumentRecord.id)
                .where(DocumentRecord.tenant == tenant, Rendition.sha256 == sha256)
            )
            found += [("pdf", record) for record in pdfs]
        return sorted(found, key=lambda each: (each[1].created_at, str(each[1].id)))

    def rendition(self, record: DocumentRecord, format: str) -> bytes | None:
        """Return the record's file in ``format`` if it was made before, else None."""
        with self._session() as session:
            found = session.get(Rendition, (record.id, format))
            return found.content if found is not None else None

    def keep_rendition(self, record: DocumentRecord, format: str, content: bytes) -> bytes:
        """Keep ``content`` as the record's file in ``format``; return the one kept (the first, if two raced).
        Raises StorageFull when the tenant's quota has no room for it."""
        try:
            with self._session.begin() as session:
                self.quota.charge(session, record.tenant, len(content))
                session.add(
                    Rendition(
                        document_id=record.id,
                        format=format,
                        sha256=hashlib.sha256(content).hexdigest(),
                        content=content,
                    )
                )
        except IntegrityError:
            kept = self.rendition(record, format)
            assert kept is not None
            return kept
        return content


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound(f"There is no document {value!r}.") from None
