"""The freelancer roster of each tenant: search, changes, and all-or-nothing upserts.

Email is unique per tenant, compared without case. Writers of one roster take turns (a lock per
tenant), so concurrent imports and edits lose no update and leave no duplicate; an import holds that
lock only to write what it planned before (``plan``).
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import ColumnElement, bindparam, delete, insert, select, text, tuple_, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from ..errors import Conflict, InvalidData, NotFound
from ..models import RosterFreelancer
from ..paging import Page, page_of
from ..problems import Problem, problems_of
from .plan import COLUMNS, CannotMerge, ImportCounts, Plan, Record, Step, Version, step
from .records import FIELDS, FreelancerRecord, columns, now

_CHUNK = 1000
RESTORABLE = timedelta(days=30)
"""How long a removed freelancer can be put back on the roster."""
"""Freelancers read, planned and written together (one statement each)."""
T = TypeVar("T")
_TABLE = FreelancerRecord.table()


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
    removed: bool = False

    def where(self) -> list[ColumnElement[bool]]:
        """The conditions a freelancer meets to match (beyond being the tenant's): on the roster, or removed
        and still restorable when ``removed``."""
        found = [
            FreelancerRecord.removed_at > now() - RESTORABLE if self.removed else FreelancerRecord.removed_at.is_(None)
        ]
        found += [
            FreelancerRecord.search_text.contains(word, autoescape=True) for word in (self.q or "").lower().split()
        ]
        if self.status:
            found.append(FreelancerRecord.status == self.status)
        if self.country:
            found.append(FreelancerRecord.country == self.country.upper())
        if self.skill:
            found.append(FreelancerRecord.skill_keys.contains(f"|{self.skill.lower()}|", autoescape=True))
        return found


class Roster:
    """The tenants' rosters; each method is one transaction."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self._session = sessionmaker(engine, expire_on_commit=False)

    def search(self, tenant: str, query: Query) -> Page[FreelancerRecord]:
        """Return one page of the tenant's freelancers matching ``query``."""
        statement = select(FreelancerRecord).where(FreelancerRecord.tenant == tenant, *query.where())
        column = getattr(FreelancerRecord, query.sort.lstrip("-"))
        order = (column.desc() if query.sort.startswith("-") else column.asc()).nulls_last()
        with self._session() as session:
            return page_of(session, statement.order_by(order, FreelancerRecord.id), query.page, query.per_page)

    def each(self, tenant: str, batch: int = 500) -> Iterator[FreelancerRecord]:
        """Yield every freelancer of the tenant by name, ``batch`` at a time, each batch read in its own
        short transaction: a slow reader never holds the database, but two batches may see the roster at
        two moments (``snapshot`` reads it at one)."""
        statement = select(FreelancerRecord).where(
            FreelancerRecord.tenant == tenant, FreelancerRecord.removed_at.is_(None)
        )
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

    @contextmanager
    def snapshot(self, tenant: str, query: Query | None = None) -> Iterator[Iterator[Any]]:
        """Yield the tenant's freelancers that match ``query`` (default: all) by name (rows of the FIELDS), all
        read in one transaction: one consistent snapshot, whatever writers do meanwhile. Go through them inside
        the ``with``, where the transaction lasts, and quickly: on SQLite, writers wait for it."""
        statement = select(*(_TABLE.c[name] for name in FIELDS)).where(
            _TABLE.c.tenant == tenant, *(query or Query()).where()
        )
        statement = statement.order_by(_TABLE.c.name, _TABLE.c.id).execution_options(yield_per=_CHUNK)
        with self._session() as session:
            yield iter(session.execute(statement))

    def get(self, tenant: str, freelancer_id: str) -> FreelancerRecord:
        """Return the tenant's freelancer; raise NotFound for an unknown or other tenant's id."""
        with self._session() as session:
            return _find(session, tenant, freelancer_id)

    def names(self, tenant: str, freelancer_ids: Iterable[str]) -> dict[str, str]:
        """Return the name of each of the tenant's freelancers among ``freelancer_ids`` (by id as given);
        unknown and malformed ids are left out."""
        return {given: record.name for given, record in self.records(tenant, freelancer_ids).items()}

    def records(self, tenant: str, freelancer_ids: Iterable[str], batch: int = 500) -> dict[str, FreelancerRecord]:
        """Return each of the tenant's freelancers among ``freelancer_ids`` (by id as given), ``batch`` ids a
        query; unknown and malformed ids are left out."""
        keys: dict[uuid.UUID, str] = {}
        for given in freelancer_ids:
            try:
                keys[uuid.UUID(str(given))] = given
            except ValueError:
                continue
        found: dict[str, FreelancerRecord] = {}
        wanted = list(keys)
        with self._session() as session:
            for start in range(0, len(wanted), batch):
                statement = select(FreelancerRecord).where(
                    FreelancerRecord.tenant == tenant,
                    FreelancerRecord.removed_at.is_(None),
                    FreelancerRecord.id.in_(wanted[start : start + batch]),
                )
                found |= {keys[record.id]: record for record in session.scalars(statement)}
        return found

    def add(self, tenant: str, freelancer: RosterFreelancer, by: str = "local") -> FreelancerRecord:
        """Add a freelancer as user ``by``; raise Conflict if the tenant already has one with this email."""
        with self._writing(tenant) as session:
            _refuse_clash(session, tenant, freelancer.email)
            record = _new_record(tenant, freelancer, by)
            session.add(record)
        return record

    def update(
        self, tenant: str, freelancer_id: str, change: Callable[[RosterFreelancer], RosterFreelancer], by: str = "local"
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

    def remove(self, tenant: str, freelancer_id: str, by: str = "local") -> None:
        """Remove the freelancer from the roster, restorable for RESTORABLE (documents made with it keep their
        snapshot of its details); those removed longer ago are forgotten now."""
        with self._writing(tenant) as session:
            record = _find(session, tenant, freelancer_id)
            record.removed_at, record.removed_by = now(), by
            session.execute(delete(_TABLE).where(_TABLE.c.tenant == tenant, _TABLE.c.removed_at < now() - RESTORABLE))

    def restore(self, tenant: str, freelancer_id: str, by: str = "local") -> FreelancerRecord:
        """Put a removed freelancer back on the roster and return it; raise NotFound when it was not removed,
        or longer ago than RESTORABLE, or Conflict when another freelancer took its email meanwhile."""
        with self._writing(tenant) as session:
            try:
                key = uuid.UUID(str(freelancer_id))
            except ValueError:
                raise NotFound(f"There is no removed freelancer {freelancer_id!r}.") from None
            record = session.scalar(
                select(FreelancerRecord).where(
                    FreelancerRecord.id == key,
                    FreelancerRecord.tenant == tenant,
                    FreelancerRecord.removed_at > now() - RESTORABLE,
                )
            )
            if record is None:
                raise NotFound(
                    f"There is no removed freelancer {freelancer_id!r} to restore: a removal can be undone for "
                    f"{RESTORABLE.days} days."
                )
            _refuse_clash(session, tenant, record.email)
            record.removed_at = record.removed_by = None
            record.updated_at, record.updated_by = now(), by
        return record

    def upsert(
        self,
        tenant: str,
        rows: Iterable[tuple[int, RosterFreelancer]],
        *,
        commit: bool,
        by: str = "local",
        fields: frozenset[str] = frozenset(FIELDS),
    ) -> ImportCounts:
        """Create or update each freelancer of ``rows`` (row number, freelancer; one per email) by email, all
        in one short transaction; an update changes only ``fields``.

        Each freelancer is compared with its record outside the write transaction (``rows`` may raise:
        nothing is written); the transaction then checks that those records are still as read, plans
        again the few that changed, and writes in chunks. With ``commit=False`` the counts say what would
        happen and the write transaction is never begun. Raises CannotMerge naming the row and field of
        each freelancer whose record cannot take its changes.
        """
        with Plan(fields) as plan:
            problems: list[Problem] = []
            for number, chunk in enumerate(_chunks(rows, _CHUNK)):
                if number == 1:
                    self._analyze()
                given = [(row, columns(freelancer)) for row, freelancer in chunk]
                with self._session() as session:  # a short read of this chunk's records
                    records = _records_by_email(session, tenant, [values["email_key"] for _, values in given])
                steps = [step(row, values, records.get(values["email_key"]), fields) for row, values in given]
                problems += [problem for each in steps if isinstance(each, list) for problem in each]
                if not problems:
                    plan.add([each for each in steps if isinstance(each, Step)])
            if problems:
                raise CannotMerge(f"{len(problems)} changes cannot be made to the roster's records.", problems)
            if commit:
                with self._writing(tenant) as session:
                    _carry_out(session, tenant, plan, by)
            return plan.counts

    def _analyze(self) -> None:
        """Refresh PostgreSQL's statistics of the roster before a long import looks its emails up, chunk by chunk.

        (Statistics from before a recent large import make the planner filter all of the tenant's records
        for each chunk, instead of using the email index: quadratic.)
        """
        if self.engine.dialect.name == "postgresql":
            with self.engine.begin() as connection:
                connection.execute(text("ANALYZE freelancers"))

    @contextmanager
    def _writing(self, tenant: str) -> Iterator[Session]:
        """A transaction holding the tenant's roster write lock: writers of one roster take turns.

        (SQLite's BEGIN IMMEDIATE is that lock; PostgreSQL takes an advisory lock per tenant.)
        Committed at the end; rolled back on any error.
        """
        session = self._session()
        try:
            session.begin()
            if session.get_bind().dialect.name == "postgresql":
                session.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": zlib.crc32(f"roster:{tenant}".encode())}
                )
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()


def _chunks(items: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _new_record(tenant: str, freelancer: RosterFreelancer, by: str) -> FreelancerRecord:
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


def _records_by_email(session: Session, tenant: str, keys: Sequence[str]) -> dict[str, Record]:
    """Return the tenant's records of the emails ``keys`` (lower case) as a plan sees them, by email."""
    statement = select(_TABLE.c.email_key, _TABLE.c.id, _TABLE.c.updated_at, *(_TABLE.c[name] for name in FIELDS))
    found = session.execute(statement.where(*_live(tenant), _TABLE.c.email_key.in_(keys)))
    return {key: (str(id_), updated_at, tuple(values)) for key, id_, updated_at, *values in found}


def _versions_by_email(session: Session, tenant: str, keys: Sequence[str]) -> dict[str, Version]:
    """Return the version of the tenant's record of each of the emails ``keys`` (lower case), by email."""
    statement = select(_TABLE.c.email_key, _TABLE.c.id, _TABLE.c.updated_at)
    found = session.execute(statement.where(*_live(tenant), _TABLE.c.email_key.in_(keys)))
    return {key: (str(id_), updated_at) for key, id_, updated_at in found}


def _carry_out(session: Session, tenant: str, plan: Plan, by: str) -> None:
    """Write ``plan`` in the roster's write transaction ``session``.

    First each record is checked to be the version planned against, and the steps of those that changed are
    planned again (all reads before any write: what a query planner knows of the table stays true). Then
    the rows are inserted and updated, a chunk per statement. Raises CannotMerge if a step planned again
    cannot be made.
    """
    problems: list[Problem] = []
    for chunk in range(len(plan)):
        planned = plan.planned_against(chunk)
        versions = _versions_by_email(session, tenant, [key for key, _ in planned])
        if stale := [key for key, version in planned if versions.get(key) != version]:
            records = _records_by_email(session, tenant, stale)
            problems += plan.redo(chunk, {key: records.get(key) for key in stale})
    if problems:
        raise CannotMerge(f"{len(problems)} records changed during the import and cannot take its changes.", problems)
    at = now()
    inserts = insert(_TABLE).values(tenant=tenant, created_at=at, updated_at=at, created_by=by, updated_by=by)
    updates = update(_TABLE).where(_TABLE.c.id == bindparam("record")).values(updated_at=at, updated_by=by)
    for chunk in range(len(plan)):
        writes = plan.writes(chunk)
        if new := [dict(zip(COLUMNS, values), id=uuid.uuid4()) for id_, values in writes if id_ is None]:
            session.execute(inserts, new)
        if changed := [dict(zip(COLUMNS, values), record=uuid.UUID(id_)) for id_, values in writes if id_]:
            session.execute(updates, changed)


def changed(current: RosterFreelancer, changes: dict[str, Any]) -> RosterFreelancer:
    """Return ``current`` with ``changes`` (a PATCH: any fields; None clears an optional one).

    Raises InvalidData naming unknown fields, or each field the result gets wrong.
    """
    if unknown := sorted(set(changes) - set(FIELDS)):
        raise InvalidData("The request body is not valid.", [Problem(name, "is not a known field") for name in unknown])
    if "rate" in changes and changes["rate"] is None:  # no rate: no unit nor currency either, unless given
        changes = {"rate_unit": None, "currency": None} | changes
    try:
        return RosterFreelancer.model_validate(current.model_dump(mode="json") | changes)
    except ValidationError as exc:
        raise InvalidData("The changes are not valid.", problems_of(exc)) from None


def _live(tenant: str) -> list[ColumnElement[bool]]:
    """The conditions of the tenant's freelancers on the roster (not removed), for Core statements."""
    return [_TABLE.c.tenant == tenant, _TABLE.c.removed_at.is_(None)]


def _find(session: Session, tenant: str, freelancer_id: str) -> FreelancerRecord:
    try:
        key = uuid.UUID(str(freelancer_id))
    except ValueError:
        raise NotFound(f"There is no freelancer {freelancer_id!r}.") from None
    statement = select(FreelancerRecord).where(
        FreelancerRecord.id == key, FreelancerRecord.tenant == tenant, FreelancerRecord.removed_at.is_(None)
    )
    record = session.scalar(statement)
    if record is None:
        raise NotFound(f"There is no freelancer {freelancer_id!r}.")
    return record


def _refuse_clash(session: Session, tenant: str, email: str) -> None:
    other = session.scalar(
        select(FreelancerRecord).where(
            FreelancerRecord.tenant == tenant,
            FreelancerRecord.removed_at.is_(None),
            FreelancerRecord.email_key == email.lower(),
        )
    )
    if other is not None:
        raise Conflict(
            f"Freelancer {other.id} ({other.name}) already has the email {other.email}.",
            [Problem("email", f"is already used by freelancer {other.id}")],
        )
