"""The people who use the service, keyed by tenant id and object id (never by email)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import String
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, sessionmaker

from .database import Base, UTCDateTime
from .identity import User


class UserRecord(Base):
    __tablename__ = "users"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    oid: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(256))  # Entra ID display names run to 256
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class Users:
    """Remembers each user the first time this process sees them."""

    def __init__(self, engine: Engine):
        self._session = sessionmaker(engine)
        self._known: set[tuple[str, str]] = set()

    def seen(self, user: User) -> None:
        """Record ``user`` unless already known."""
        key = (user.tenant, user.oid)
        if key in self._known:
            return
        try:
            with self._session.begin() as session:
                if session.get(UserRecord, key) is None:
                    session.add(
                        UserRecord(tenant=user.tenant, oid=user.oid, name=user.name, first_seen=datetime.now(UTC))
                    )
        except IntegrityError:
            pass  # the user's first requests raced; another one recorded them
        self._known.add(key)
