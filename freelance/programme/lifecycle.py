"""A contract's lifecycle: draft -> sent -> signed -> active -> completed (or cancelled / expired), each
change dated and signed by who made it, and the signed copy kept with the record."""

from __future__ import annotations

import hashlib
import uuid
import zipfile
from dataclasses import dataclass
from datetime import UTC, date, datetime
from io import BytesIO

from sqlalchemy import (
    BigInteger,
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
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..database import Base, UTCDateTime
from ..errors import Conflict, InvalidData, NotApplicable, NotFound
from ..problems import Problem
from ..quota import Quota
from ..store import DocumentRecord, Store
from .facts import NDA_KINDS

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("sent", "cancelled"),
    "sent": ("signed", "cancelled", "expired"),
    "signed": ("active", "cancelled", "expired"),
    "active": ("completed", "cancelled", "expired"),
    "completed": (),
    "cancelled": (),
    "expired": (),
}
"""The statuses a contract can move to from each status; the last three are final."""

IN_FORCE = ("signed", "active")
"""The statuses of a contract that binds its parties (an NDA in force, until its term ends)."""

COMMITTED = ("signed", "active", "completed")
"""The statuses of a SOW whose value is committed spend."""

SIGNED_FORMATS = {b"%PDF-": "pdf", b"PK\x03\x04": "docx"}
"""What a signed copy may be, known by its first bytes."""


class DocumentEvent(Base):
    """One change of a contract's status: to what, dated when (``on``), recorded when (``at``) and by whom."""

    __tablename__ = "document_events"
    __table_args__ = (Index("ix_document_events_document", "document_id", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    document_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("documents.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    on: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[str] = mapped_column(String(64))


class SignedCopy(Base):
    """The signed contract (PDF or .docx) a user attached to its record, with its SHA-256."""

    __tablename__ = "signed_copies"
    __table_args__ = (Index("ix_signed_copies_sha256", "sha256"),)

    document_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(8))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attached_by: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class NdaInForce:
    """The NDA that binds a freelancer longest: until ``until`` (its last day; None: until terminated). When
    none binds yet, the signed one that takes effect first, on ``starts`` (then ``in_force`` is False)."""

    document_id: str
    until: date | None
    starts: date | None = None

    @property
    def in_force(self) -> bool:
        return self.starts is None


def _binds_better(nda: NdaInForce, best: NdaInForce | None) -> bool:
    """Whether ``nda`` says more of a freelancer than ``best``: it binds today and ``best`` not, or both bind
    and it binds longer, or neither binds yet and it takes effect sooner."""
    if best is None or nda.in_force != best.in_force:
        return best is None or nda.in_force
    if nda.in_force:
        return best.until is not None and (nda.until is None or nda.until > best.until)
    return nda.starts is not None and best.starts is not None and nda.starts < best.starts


@dataclass(frozen=True)
class History:
    """A contract's record, each change of its status (oldest first, the draft from its creation) and its
    signed copy, if one is attached."""

    record: DocumentRecord
    events: list[DocumentEvent]
    signed_copy: SignedCopy | None

    @classmethod
    def of(
        cls, record: DocumentRecord, events: list[DocumentEvent] | None = None, signed_copy: SignedCopy | None = None
    ) -> History:
        """The history of a contract: its draft (when it was made), then ``events``."""
        draft = DocumentEvent(
            document_id=record.id,
            status="draft",
            on=record.created_at.date(),
            at=record.created_at,
            by=record.created_by,
        )
        return cls(record, [draft, *(events or [])], signed_copy)


class Lifecycle:
    """Moves a tenant's contracts through their statuses and keeps their signed copies."""

    def __init__(self, store: Store, quota: Quota):
        self._store, self._quota = store, quota

    def change(
        self, session: Session, tenant: str, document_id: str, status: str, on: date | None, by: str
    ) -> DocumentRecord:
        """Move the contract to ``status`` as of ``on`` (default: today) in ``session``'s transaction and return it.

        Raises NotFound; NotApplicable for a document without a lifecycle (a tracker); InvalidData for an
        unknown status or a date before the last change or after today; Conflict for a move the lifecycle
        does not allow (from a final status, or skipping one).
        """
        if status not in TRANSITIONS:
            raise InvalidData("The status is not valid.", [Problem("status", f"is one of {', '.join(TRANSITIONS)}")])
        record = self._locked(session, tenant, document_id)
        today = datetime.now(UTC).date()
        on = on or today
        assert record.status is not None and record.status_on is not None
        if status not in TRANSITIONS[record.status]:
            allowed = TRANSITIONS[record.status]
            raise Conflict(
                f"The contract is {record.status}: it cannot become {status}.",
                [Problem("status", f"from {record.status}: " + (", ".join(allowed) if allowed else "it is final"))],
            )
        if on > today or on < record.status_on:
            raise InvalidData(
                "The date is not valid.",
                [Problem("date", f"is between {record.status_on.isoformat()} (the last change) and today")],
            )
        changes: dict[str, object] = {"status": status, "status_on": on}
        if status == "signed":
            changes |= {"signed_on": on, "days_to_engage": (on - self._first_draft(session, record)).days}
        session.execute(
            DocumentRecord.table().update().where(DocumentRecord.table().c.id == record.id).values(**changes)
        )
        session.execute(
            insert(DocumentEvent.table()).values(
                document_id=record.id, status=status, on=on, at=datetime.now(UTC), by=by
            )
        )
        for name, value in changes.items():
            setattr(record, name, value)
        return record

    def history(self, tenant: str, document_id: str) -> History:
        """Return the contract's history; raise NotFound (NotApplicable for a document without a lifecycle)."""
        record = self._contract(self._store.document(tenant, document_id))
        with Session(self._store.engine) as session:
            events = list(
                session.scalars(
                    select(DocumentEvent).where(DocumentEvent.document_id == record.id).order_by(DocumentEvent.id)
                )
            )
            copy = session.get(SignedCopy, record.id)
        return History.of(record, events, copy)

    def attach(self, session: Session, tenant: str, document_id: str, content: bytes, by: str) -> SignedCopy:
        """Keep ``content`` (a PDF or .docx) as the contract's signed copy in ``session``'s transaction, in place
        of any before; return it. Raises NotFound, NotApplicable, InvalidData for another kind of file,
        StorageFull past the tenant's quota."""
        record = self._locked(session, tenant, document_id)
        format = _signed_format(content)
        before = session.get(SignedCopy, record.id)
        self._quota.charge(session, tenant, len(content) - (before.size if before is not None else 0))
        if before is not None:
            session.delete(before)
            session.flush()
        stem = record.filename.rsplit(".", 1)[0]
        copy = SignedCopy(
            document_id=record.id,
            filename=f"{stem} (signed).{format}",
            format=format,
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            content=content,
            attached_at=datetime.now(UTC),
            attached_by=by,
        )
        session.add(copy)
        session.flush()
        return copy

    def signed_copy(self, tenant: str, document_id: str) -> tuple[SignedCopy, bytes]:
        """Return the contract's signed copy and its bytes; raise NotFound when none is attached."""
        record = self._contract(self._store.document(tenant, document_id))
        with Session(self._store.engine) as session:
            copy = session.get(SignedCopy, record.id)
            if copy is None:
                raise NotFound(f"Document {document_id!r} has no signed copy attached.")
            return copy, copy.content

    def ndas_in_force(self, tenant: str, freelancers: dict[str, str]) -> dict[str, NdaInForce]:
        """Return, for each of ``freelancers`` (roster id -> email) bound by a signed NDA today (effective, not
        expired), the one that binds longest; for one whose signed NDA takes effect later, the first to. An NDA
        counts for a freelancer it was made for by roster id or by email."""
        if not freelancers:
            return {}
        today = datetime.now(UTC).date()
        emails = {email.lower(): id for id, email in freelancers.items()}
        query = select(
            DocumentRecord.id,
            DocumentRecord.freelancer_id,
            DocumentRecord.freelancer_email,
            DocumentRecord.expires_on,
            DocumentRecord.start_on,
        ).where(
            DocumentRecord.tenant == tenant,
            DocumentRecord.kind.in_(NDA_KINDS),
            DocumentRecord.status.in_(IN_FORCE),
            or_(DocumentRecord.expires_on.is_(None), DocumentRecord.expires_on >= today),
            or_(DocumentRecord.freelancer_id.in_(list(freelancers)), DocumentRecord.freelancer_email.in_(list(emails))),
        )
        found: dict[str, NdaInForce] = {}
        with self._store.engine.connect() as connection:
            for id, freelancer_id, email, until, start in connection.execute(query):
                owner = freelancer_id if freelancer_id in freelancers else emails.get(email or "")
                if owner is None:
                    continue
                nda = NdaInForce(str(id), until, start if start is not None and start > today else None)
                if _binds_better(nda, found.get(owner)):
                    found[owner] = nda
        return found

    def signed_with_hash(self, tenant: str, sha256: str) -> list[DocumentRecord]:
        """Return the tenant's contracts whose signed copy has ``sha256``."""
        with Session(self._store.engine) as session:
            return list(
                session.scalars(
                    select(DocumentRecord)
                    .join(SignedCopy, SignedCopy.document_id == DocumentRecord.id)
                    .where(DocumentRecord.tenant == tenant, SignedCopy.sha256 == sha256)
                    .order_by(DocumentRecord.created_at, DocumentRecord.id)
                )
            )

    def _locked(self, session: Session, tenant: str, document_id: str) -> DocumentRecord:
        """The tenant's contract, read in ``session`` and locked until it commits (two changes never interleave)."""
        try:
            key = uuid.UUID(str(document_id))
        except ValueError:
            raise NotFound(f"There is no document {document_id!r}.") from None
        record = session.scalars(
            select(DocumentRecord).where(DocumentRecord.id == key, DocumentRecord.tenant == tenant).with_for_update()
        ).one_or_none()
        if record is None:
            raise NotFound(f"There is no document {document_id!r}.")
        return self._contract(record)

    @staticmethod
    def _contract(record: DocumentRecord) -> DocumentRecord:
        if record.status is None:
            raise NotApplicable(
                "Only a contract has a status and a signed copy.",
                [Problem("document", f"is a {record.kind} document: it has no lifecycle")],
            )
        return record

    @staticmethod
    def _first_draft(session: Session, record: DocumentRecord) -> date:
        """The day the first draft of the record's engagement (its SOW number) was made."""
        if record.engagement is None:
            return record.created_at.date()
        first = session.scalar(
            select(func.min(DocumentRecord.created_at)).where(
                DocumentRecord.tenant == record.tenant,
                DocumentRecord.kind == record.kind,
                DocumentRecord.engagement == record.engagement,
            )
        )
        return min(first, record.created_at).date() if first is not None else record.created_at.date()


def _signed_format(content: bytes) -> str:
    """The format of a signed copy: pdf, or docx (a zip with a Word document); raise InvalidData otherwise."""
    format = SIGNED_FORMATS.get(content[:5]) or SIGNED_FORMATS.get(content[:4])
    if format == "docx":
        try:
            with zipfile.ZipFile(BytesIO(content)) as archive:
                format = "docx" if "word/document.xml" in archive.namelist() else None
        except zipfile.BadZipFile:
            format = None
    if format is None:
        raise InvalidData(
            "The signed copy must be a PDF or a Word document.", [Problem("file", "is not a PDF or .docx")]
        )
    return format
