"""Each tenant's storage: the bytes of its documents, their PDFs and its template versions, kept under a quota.

A tenant's count is kept in ``SHARDS`` rows, and a write adds its bytes to one of them, chosen at random, in
the same transaction as what it counts: a write rolled back gives its bytes back, and writes at once seldom
wait for each other (one row would make every document of a tenant wait for the one before to commit). The
quota is checked against the sum of the rows as each write sees it, so writes at the very same moment may
together pass it by what they add.
"""

from __future__ import annotations

import random

from sqlalchemy import BigInteger, Integer, String, bindparam, func, insert, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import Base
from .errors import StorageFull, Unavailable

SHARDS = 8
"""Rows a tenant's count is spread over."""

_ATTEMPTS = 5


class TenantStorage(Base):
    """Part of the bytes a tenant keeps: the tenant's rows add up to all of them."""

    __tablename__ = "tenant_storage"

    tenant: Mapped[str] = mapped_column(String(64), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    bytes: Mapped[int] = mapped_column(BigInteger)


_TABLE = TenantStorage.table()
_ADD = (
    update(_TABLE)
    .where(_TABLE.c.tenant == bindparam("tenant_"), _TABLE.c.shard == bindparam("shard_"))
    .values(bytes=_TABLE.c.bytes + bindparam("size_"))
)
"""Add bytes to one of a tenant's rows (built once: SQLAlchemy keys its compiled form by the statement)."""


class Quota:
    """At most ``limit`` bytes per tenant (0: no limit, the bytes are still counted)."""

    def __init__(self, limit: int):
        self.limit = limit

    def charge(self, session: Session, tenant: str, size: int) -> None:
        """Count ``size`` more bytes for ``tenant`` in ``session``'s transaction; raise StorageFull (and count
        nothing) when they would take it past the quota."""
        if self.limit and (used := self.used(session, tenant)) + size > self.limit:
            raise StorageFull(
                f"Your organisation's storage is full: {_size(used)} of {_size(self.limit)} used, and this needs "
                f"{_size(size)} more. Ask the administrator to raise STORAGE_QUOTA."
            )
        shard = random.randrange(SHARDS)
        for _ in range(_ATTEMPTS):  # another write may make the same row between two statements
            added = session.connection().execute(_ADD, {"tenant_": tenant, "shard_": shard, "size_": size})
            assert isinstance(added, CursorResult)
            if added.rowcount:
                return
            try:
                with session.begin_nested():
                    session.execute(insert(_TABLE).values(tenant=tenant, shard=shard, bytes=size))
                return
            except IntegrityError:
                continue
        raise Unavailable("The storage count was changed too often at once: try again.")

    @staticmethod
    def used(session: Session, tenant: str) -> int:
        """Return the bytes ``tenant`` keeps, as ``session`` sees them."""
        return session.scalar(select(func.sum(TenantStorage.bytes)).where(TenantStorage.tenant == tenant)) or 0


def _size(count: int) -> str:
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"
