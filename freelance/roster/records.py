"""Roster records: a freelancer of a tenant's roster as a database row (SQLAlchemy)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

from sqlalchemy import JSON, Index, String, Text, Uuid, text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, PlainDecimal, UTCDateTime
from ..models import RosterFreelancer

FIELDS = tuple(RosterFreelancer.model_fields)
"""The freelancer fields a record holds (``models.RosterFreelancer``'s)."""
Sort = Literal[
    "name",
    "-name",
    "email",
    "-email",
    "rate",
    "-rate",
    "country",
    "-country",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
]
"""An order a roster search can sort by (a leading - for descending)."""


class FreelancerRecord(Base):
    """A freelancer of a tenant's roster: the fields of ``models.RosterFreelancer`` plus bookkeeping."""

    __tablename__ = "freelancers"
    __table_args__ = (
        # One freelancer per email on the roster; a removed one's email can be given to a new record.
        Index(
            "uq_freelancers_tenant_email",
            "tenant",
            "email_key",
            unique=True,
            sqlite_where=text("removed_at IS NULL"),
            postgresql_where=text("removed_at IS NULL"),
        ),
        Index("ix_freelancers_tenant_name", "tenant", "name"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    tenant: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    business_name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str | None] = mapped_column(String(2))
    tax_id: Mapped[str | None] = mapped_column(String(50))
    rate: Mapped[Decimal | None] = mapped_column(PlainDecimal)
    rate_unit: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str | None] = mapped_column(String(3))
    skills: Mapped[list[str]] = mapped_column(JSON)
    profile_url: Mapped[str | None] = mapped_column(String(2000))
    status: Mapped[str] = mapped_column(String(16))
    signatory_title: Mapped[str | None] = mapped_column(String(120))
    email_key: Mapped[str] = mapped_column(String(254))
    search_text: Mapped[str] = mapped_column(Text)
    skill_keys: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64), default="local")
    updated_by: Mapped[str] = mapped_column(String(64), default="local")
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    """When the freelancer was removed (restorable for RESTORABLE), None while on the roster."""
    removed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    def details(self) -> RosterFreelancer:
        """Return the record's fields as the model contracts are filled from."""
        return RosterFreelancer.model_validate({name: getattr(self, name) for name in FIELDS})

    def assign(self, freelancer: RosterFreelancer, by: str) -> bool:
        """Copy ``freelancer``'s fields in as user ``by``; return whether anything changed."""
        values = columns(freelancer)
        changed = any(getattr(self, name) != value for name, value in values.items())
        if changed:
            for name, value in values.items():
                setattr(self, name, value)
            self.updated_at, self.updated_by = now(), by
        return changed


def columns(freelancer: RosterFreelancer) -> dict[str, Any]:
    """Return the column values of ``freelancer``: its fields plus the keys searches use."""
    values = freelancer.model_dump(mode="python")
    values["rate"] = PlainDecimal.plain(freelancer.rate)  # as the column reads back
    values["profile_url"] = str(freelancer.profile_url) if freelancer.profile_url else None
    values["email_key"] = freelancer.email.lower()
    values["search_text"] = " ".join(
        [freelancer.name, freelancer.business_name or "", freelancer.email, *freelancer.skills]
    ).lower()
    values["skill_keys"] = "|" + "|".join(skill.lower() for skill in freelancer.skills) + "|"
    return values


def now() -> datetime:
    """Return the current time in UTC, as records keep it."""
    return datetime.now(UTC)
