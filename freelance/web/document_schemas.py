"""The shapes of the documents API's bodies: generating, listing and searching documents, a record with its
lifecycle and signed copy, editing and verifying."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

from .schemas import _DATA_SCHEMA, Page, PageQuery, _absent


class DocumentRequest(BaseModel):
    """Generate a document from a template and its data."""

    model_config = ConfigDict(extra="forbid")
    template: Annotated[str, StringConstraints(min_length=1, max_length=64)] = Field(examples=["sow"])
    format: Literal["docx", "xlsx", "pdf"] | None = Field(
        None, description="The template's own format when absent; pdf (PDF/A-2b) for a Word template"
    )
    data: Annotated[dict[str, Any], WithJsonSchema(_DATA_SCHEMA)]


class FileQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal["docx", "xlsx", "pdf"] | None = Field(None, description="pdf: a Word document as PDF/A-2b")


class ListQuery(PageQuery):
    """Which records to list: every filter given must hold."""

    model_config = ConfigDict(extra="forbid")
    q: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Words each found in the client, freelancer, project title or SOW number"
    )
    template: Annotated[str, StringConstraints(max_length=64)] | None = None
    kind: Literal["sow", "nda-mutual", "nda-one-way", "budget", "custom"] | None = None
    status: Literal["draft", "sent", "signed", "active", "completed", "cancelled", "expired"] | None = None
    freelancer: Annotated[str, StringConstraints(max_length=254)] | None = Field(
        None, description="A roster freelancer's id, or an email"
    )
    client: Annotated[str, StringConstraints(max_length=200)] | None = Field(
        None, description="Part of the client's name"
    )
    start: date | None = Field(None, alias="from", description="Made on or after this day (YYYY-MM-DD)")
    end: date | None = Field(None, alias="to", description="Made on or before this day (YYYY-MM-DD)")


class Document(BaseModel):
    """A generated document's record."""

    model_config = ConfigDict(from_attributes=True)
    id: str
    template: str
    template_version: str = Field(description="SHA-256 of the template file that made it")
    filename: str
    format: str
    sha256: str = Field(description="SHA-256 of the document's bytes")
    size: int
    created_at: datetime
    created_by: str = Field(description="Object id of the user who made it (local in local mode)")
    download_url: str
    kind: str = Field(description="sow, nda-mutual, nda-one-way, budget, or custom")
    client_name: str | None = None
    freelancer_name: str | None = None
    project_title: str | None = None
    sow_number: str | None = None
    predecessor_id: str | None = Field(description="The document this one was regenerated or edited from")
    data: dict[str, Any] | None = Field(
        None, exclude_if=_absent, description="The data it was made from (on a single record)"
    )
    status: Literal["draft", "sent", "signed", "active", "completed", "cancelled", "expired"] | None = Field(
        description="A contract's status (null for a budget tracker)"
    )
    status_on: date | None = Field(description="The date of the status's last change")
    next_statuses: list[str] = Field(description="The statuses it can move to (PATCH); empty: final, or no lifecycle")
    history: list[StatusEvent] | None = Field(
        None, exclude_if=_absent, description="Each change of status, oldest first (on a single record)"
    )
    signed_copy: SignedCopy | None = Field(
        None, exclude_if=_absent, description="The signed copy attached to a contract (on a single record)"
    )


class StatusEvent(BaseModel):
    """One change of a contract's status."""

    model_config = ConfigDict(from_attributes=True)
    status: str
    on: date = Field(description="The day the change took effect")
    at: datetime = Field(description="When it was recorded (UTC)")
    by: str = Field(description="Object id of the user who recorded it")


class SignedCopy(BaseModel):
    """A signed contract attached to its record."""

    model_config = ConfigDict(from_attributes=True)
    filename: str
    format: Literal["pdf", "docx"]
    sha256: str
    size: int
    attached_at: datetime
    attached_by: str
    download_url: str


class Revision(BaseModel):
    """Edit a document: a new one from its data with these changes (optional: without a body, the same again)."""

    model_config = ConfigDict(extra="forbid")
    changes: Annotated[dict[str, Any], WithJsonSchema({"type": "object"})] = Field(
        description="A JSON merge patch of the data (RFC 7396): objects merge, null removes a field"
    )


class Match(BaseModel):
    """A record the checked file is: its own file (document), its PDF, or the signed copy attached to it."""

    found_as: Literal["document", "pdf", "signed copy"] = Field(description="Which of the record's files it is")
    document: Document


class Verification(BaseModel):
    """Which records a file is, by its SHA-256."""

    sha256: str
    matches: list[Match] = Field(description="Empty: no document of yours has this SHA-256")


class StatusChange(BaseModel):
    """Move a contract to its next status."""

    model_config = ConfigDict(extra="forbid")
    status: Literal["draft", "sent", "signed", "active", "completed", "cancelled", "expired"]
    on: date | None = Field(None, alias="date", description="The day it took effect (YYYY-MM-DD); default: today")


class DocumentPage(Page[Document]):
    """One page of the generated documents, newest first."""
