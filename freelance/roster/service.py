"""The freelancer roster of each tenant: search, changes, and all-or-nothing upserts.

Email is unique per tenant, compared without case. Writers of one roster take turns (a lock per
tenant), so concurrent imports and edits lose no update and leave no duplicate.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, text, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..errors import Conflict, InvalidData, NotFound
from ..models import Freelancer
from ..paging import Page, page_of
from ..problems import Problem, problems_of
from .records import FIELDS, FreelancerRecord, columns, now

_ANALYZE_EVERY = 10  # batches


@dataclass(frozen=True)
class Query:
    """A roster search: words in ``q`` match name, business name, email or skills."""

    q: str | None = None
    status: str | None = None
    skill: str | None = None
    country: str | None = None
    sort: str = "name"
    page: int = 1
    per_page: int = 20


@dataclass
class ImportCounts:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    emails: set[str] = field(default_factory=set, repr=False)


class Roster:
    """The tenants' rosters; each method is one transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    def search(self, tenant: str, query: Query) -> Page[FreelancerRecord]:
        """Return one page of the tenant's freelancers matching ``query``."""
        statement = select(FreelancerRecord).where(FreelancerRecord.tenant == tenant)
        for word in (query.q or "").lower().split():
            statement = statement.where(FreelancerRecord.search_text.contains(word, autoescape=True))
        if query.status:
            statement = statement.where(FreelancerRecord.status == query.status)
        if query.country:
            statement = statement.where(FreelancerRecord.country == query.country.upper())
        if query.skill:
            statement = statement.where(
                FreelancerRecord.skill_keys.contains(f"|{query.skill.lower()}|", autoescape=True)
            )
        column = getattr(FreelancerRecord, query.sort.lstrip("-"))
        order = (column.desc() if query.sort.startswith("-") else column.asc()).nulls_last()
        with self._session() as session:
            return page_of(session, statement.order_by(order, FreelancerRecord.id), query.page, query.per_page)

    def each(self, tenant: str, batch: int = 500) -> Iterator[FreelancerRecord]:
        """Yield every freelancer of the tenant by name, ``batch`` at a time, each batch read in its own
        short transaction: a slow reader (a download) never holds the database."""
        statement = select(FreelancerRecord).where(FreelancerRecord.tenant == tenant)
        after = None
        while True:
            page = (
                statement
                if after is None
                else statement.where(tuple_(FreelancerRecord.name, FreelancerRecord.id) > tuple_(*after))
            )
            with self._session() as session:
                records = session.scalars(page.order_by(FreelancerRecord.name, FreelancerRecord.id).limit(batch)).all()
            yield from records
            if len(records) < batch:
                return
            after = (records[-1].name, records[-1].id)

    def get(self, tenant: str, freelancer_id: str) -> FreelancerRecord:
        """Return the tenant's freelancer; raise NotFound for an unknown or other tenant's id."""
        with self._session() as session:
            return _find(session, tenant, freelancer_id)

    def names(self, tenant: str, freelancer_ids: Iterable[str], batch: int = 500) -> dict[str, str]:
        """Return the name of each of the tenant's freelancers among ``freelancer_ids`` (by id as given);
        unknown and malformed ids are left out."""
        keys: dict[uuid.UUID, str] = {}
        for given in freelancer_ids:
            try:
                keys[uuid.UUID(str(given))] = given
            except ValueError:
                continue
        found: dict[str, str] = {}
        wanted = list(keys)
        with self._session() as session:
            for start in range(0, len(wanted), batch):
                statement = select(FreelancerRecord.id, FreelancerRecord.name).where(
                    FreelancerRecord.tenant == tenant, FreelancerRecord.id.in_(wanted[start : start + batch])
                )
                found |= {keys[key]: name for key, name in session.execute(statement)}
        return found

    def add(self, tenant: str, freelancer: Freelancer, by: str = "local") -> FreelancerRecord:
        """Add a freelancer as user ``by``; raise Conflict if the tenant already has one with this email."""
        with self._writing(tenant) as session:
            _refuse_clash(session, tenant, freelancer.email)
            record = _new_record(tenant, freelancer, by)
            session.add(record)
        return record

    def update(
        self, tenant: str, freelancer_id: str, change: Callable[[Freelancer], Freelancer], by: str = "local"
    ) -> FreelancerRecord:
        """Apply ``change`` to the freelancer's current details, holding the roster's write lock, and store the result.

        Raises NotFound, Conflict (the new email is another's), or what ``change`` raises.
        """
        with self._writing(tenant) as session:
            record = _find(session, tenant, freelancer_id)
            updated = change(record.details())
            if updated.email.lower() != record.email_key:
                _refuse_clash(session, tenant, updated.email)
            record.assign(updated, by)
        return record

    def remove(self, tenant: str, freelancer_id: str) -> None:
        """Remove the freelancer; documents made with it keep their snapshot of its details."""
        with self._writing(tenant) as session:
            session.delete(_find(session, tenant, freelancer_id))

    def upsert(
        self,
        tenant: str,
        freelancers: Iterable[Freelancer],
        *,
        commit: bool,
        by: str = "local",
        fields: frozenset[str] = frozenset(FIELDS),
        batch: int = 500,
    ) -> ImportCounts:
        """Create or update each freelancer by email, all in one transaction; an update changes only ``fields``.

        ``freelancers`` may raise to abandon the import (nothing is written). With ``commit=False``
        the counts say what would happen and everything is rolled back.
        """
        counts = ImportCounts()
        with self._writing(tenant, commit) as session:
            for number, chunk in enumerate(_chunks(freelancers, batch)):
                if number % _ANALYZE_EVERY == 1 and session.get_bind().dialect.name == "postgresql":
                    # The planner's statistics predate this transaction's own inserts; without fresh
                    # ones it scans them all for each batch's email lookup instead of using the index.
                    session.execute(text("ANALYZE freelancers"))
                _upsert_chunk(session, tenant, chunk, counts, by, fields)
        return counts

    @contextmanager
    def _writing(self, tenant: str, commit: bool = True) -> Iterator[Session]:
        """A transaction holding the tenant's roster write lock: writers of one roster take turns.

        (SQLite's BEGIN IMMEDIATE is that lock; PostgreSQL takes an advisory lock per tenant.)
        Committed at the end if ``commit``, else rolled back; rolled back on any error.
        """
        session = self._session()
        try:
            session.begin()
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(f"roster:{tenant}".encode())}
                )
            yield session
            session.commit() if commit else session.rollback()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _chunks(items: Iterable[Freelancer], size: int) -> Iterator[list[Freelancer]]:
    chunk: list[Freelancer] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _new_record(tenant: str, freelancer: Freelancer, by: str) -> FreelancerRecord:
    time = now()
    return FreelancerRecord(
        id=uuid.uuid4(),
        tenant=tenant,
        created_at=time,
        updated_at=time,
        created_by=by,
        updated_by=by,
        **columns(freelancer),
    )


def _upsert_chunk(
    session: Session, tenant: str, chunk: list[Freelancer], counts: ImportCounts, by: str, fields: frozenset[str]
) -> None:
    keys = [f.email.lower() for f in chunk]
    existing = {
        r.email_key: r
        for r in session.scalars(
            select(FreelancerRecord).where(FreelancerRecord.tenant == tenant, FreelancerRecord.email_key.in_(keys))
        )
    }
    for freelancer, key in zip(chunk, keys):
        record = existing.get(key)
        if record is None:
            record = _new_record(tenant, freelancer, by)
            session.add(record)
            existing[key] = record
            counts.created += 1
        elif record.assign(_merged(record.details(), freelancer, fields), by):
            counts.updated += 1
        else:
            counts.unchanged += 1
    session.flush()


def changed(current: Freelancer, changes: dict[str, Any]) -> Freelancer:
    """Return ``current`` with ``changes`` (a PATCH: any fields; None clears an optional one).

    Raises InvalidData naming unknown fields, or each field the result gets wrong.
    """
    if unknown := sorted(set(changes) - set(FIELDS)):
        raise InvalidData("The request body is not valid.", [Problem(name, "is not a known field") for name in unknown])
    try:
        return Freelancer.model_validate(current.model_dump(mode="json") | changes)
    except ValidationError as exc:
        raise InvalidData("The changes are not valid.", problems_of(exc)) from None


def _merged(current: Freelancer, given: Freelancer, fields: frozenset[str]) -> Freelancer:
    """``current`` with the ``fields`` of ``given``: what a file without some columns changes."""
    if fields >= set(FIELDS):
        return given
    return Freelancer.model_validate(current.model_dump() | {name: getattr(given, name) for name in fields})


def _find(session: Session, tenant: str, freelancer_id: str) -> FreelancerRecord:
    try:
        key = uuid.UUID(str(freelancer_id))
    except ValueError:
        raise NotFound(f"There is no freelancer {freelancer_id!r}.") from None
    statement = select(FreelancerRecord).where(FreelancerRecord.id == key, FreelancerRecord.tenant == tenant)
    record = session.scalar(statement)
    if record is None:
        raise NotFound(f"There is no freelancer {freelancer_id!r}.")
    return record


def _refuse_clash(session: Session, tenant: str, email: str) -> None:
    other = session.scalar(
        select(FreelancerRecord).where(FreelancerRecord.tenant == tenant, FreelancerRecord.email_key == email.lower())
    )
    if other is not None:
        raise Conflict(
            f"Freelancer {other.id} ({other.name}) already has the email {other.email}.",
            [Problem("email", f"is already used by freelancer {other.id}")],
        )
