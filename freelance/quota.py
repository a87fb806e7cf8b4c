"""Each tenant's storage: the bytes of its documents, their PDFs and its template versions, kept under a quota.

The count is one row per tenant, changed in the same transaction as what it counts: two writes at once
cannot both pass the quota, and a write rolled back gives its bytes back.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import Base
from .errors import StorageFull, Unavailable

_ATTEMPTS = 5


class TenantStorage(Base):
    """The bytes a tenant keeps."""

    __tablename__ = "tenant_storage"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    bytes: Mapped[int] = mapped_column(BigInteger)


class Quota:
    """At most ``limit`` bytes per tenant (0: no limit, the bytes are still counted)."""

    def __init__(self, limit: int):
        self.limit = limit

    def charge(self, session: Session, tenant: str, size: int) -> None:
        """Count ``size`` more bytes for ``tenant`` in ``session``'s transaction; raise StorageFull (and count
        nothing) when they would take it past the quota."""
        used: int | None = None
        for _ in range(_ATTEMPTS):  # another write may make or change the tenant's row between two statements
            if self._added(session, tenant, size):
                return
            used = session.scalar(select(TenantStorage.bytes).where(TenantStorage.tenant == tenant))
            if self.limit and (used or 0) + size > self.limit:
                break
            if used is None:
                try:
                    with session.begin_nested():
                        session.execute(insert(TenantStorage).values(tenant=tenant, bytes=size))
                    return
                except IntegrityError:
                    continue
        else:
            raise Unavailable("The storage count was changed too often at once: try again.")
        raise StorageFull(
            f"Your organisation's storage is full: {_size(used or 0)} of {_size(self.limit)} used, and this needs "
            f"{_size(size)} more. Ask the administrator to raise STORAGE_QUOTA."
        )

    def _added(self, session: Session, tenant: str, size: int) -> bool:
        """Add ``size`` to the tenant's row if it has one and they fit; return whether it did."""
        adding = update(TenantStorage).where(TenantStorage.tenant == tenant).values(bytes=TenantStorage.bytes + size)
        if self.limit:
            adding = adding.where(TenantStorage.bytes + size <= self.limit)
        added = session.execute(adding)
        assert isinstance(added, CursorResult)
        return bool(added.rowcount)


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
