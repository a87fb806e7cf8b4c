"""Batches of a tenant: made from a selection of the roster, run item by item, followed, cancelled, downloaded.

Each item is generated the way a single document is (``Generator.make``) and is stored as an ordinary
document; its document and its "done" mark are written in one transaction, so an item run twice (a
retry after a crash) keeps one document.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import CursorResult, Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Update

from ..errors import Conflict, DomainError, InvalidData, NotFound, Unavailable
from ..generation import Generator
from ..paging import Page, page_of
from ..problems import Problem
from ..roster.service import Query, Roster
from ..store import DocumentRecord, Store
from .archive import unique_names, zipped
from .records import CANCELLED, DONE, FAILED, PENDING, RUNNING, UNFINISHED, BatchItem, BatchRecord

MAX_BATCH_ITEMS = 10_000
"""The most freelancers one batch is for: a larger selection is refused whole, never cut short."""

LISTED_FAILURES = 100
"""The most failed items a batch's progress names (the first ones); its counts cover them all."""

_INSERT_CHUNK = 1000
_log = logging.getLogger(__name__)


class Runner(Protocol):
    """Where items run: ``submit`` hands over item ids (raising Unavailable if it cannot); ``close`` stops."""

    def submit(self, item_ids: list[str], run: Callable[[str], None]) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Progress:
    """A batch, its items counted by state, and its first ``LISTED_FAILURES`` failed items in order."""

    batch: BatchRecord
    counts: dict[str, int]
    failures: list[BatchItem]

    @property
    def zip_name(self) -> str:
        """The name its zip is downloaded and saved as: "nda-mutual batch 2027-01-04 0930.zip"."""
        return f"{self.batch.template} batch {self.batch.created_at:%Y-%m-%d %H%M}.zip"

    @property
    def status(self) -> str:
        """pending (nothing started), running, cancelled (some items were), or done."""
        if self.counts[RUNNING] or (self.counts[PENDING] and self.counts[PENDING] < self.batch.total):
            return RUNNING
        if self.counts[PENDING]:
            return PENDING
        return CANCELLED if self.counts[CANCELLED] else DONE


class _AlreadyDone(Exception):
    """Another run of the item finished it first: its document is the one kept."""


class Batches:
    """The tenants' batches; ``runner`` runs their items."""

    def __init__(self, engine: Engine, generator: Generator, roster: Roster, store: Store, runner: Runner):
        self._generator, self._roster, self._store, self.runner = generator, roster, store, runner
        self._session = sessionmaker(engine, expire_on_commit=False)

    def create(
        self,
        tenant: str,
        template_id: str,
        data: dict[str, Any],
        *,
        freelancer_ids: list[str] | None = None,
        roster: Query | None = None,
        format: str | None = None,
        by: str = "local",
    ) -> Progress:
        """Record a batch of one item per chosen freelancer and hand its items to the runner; return its progress.

        Raises NotFound (template), InvalidData naming each problem of the request (a format the template
        cannot make, an empty or too large selection, each unknown freelancer), Unavailable when the runner
        cannot take the items (nothing is kept then).
        """
        template = self._generator.template(tenant, template_id, format)
        problems = [
            Problem(f"data.{name}", "is filled from the roster for each freelancer: leave it out")
            for name in ("freelancer", "freelancer_id")
            if name in data
        ]
        if "freelancer_id" not in template.model.model_fields:
            problems.append(Problem("template", f"template {template.id} has no freelancer to fill"))
        chosen = self._chosen(tenant, freelancer_ids, roster, problems)
        if problems:
            raise InvalidData("The batch cannot be made.", problems)
        batch = BatchRecord(
            id=uuid.uuid4(),
            tenant=tenant,
            template=template.id,
            template_version=template.version,
            format=format or template.format,
            data=data,
            total=len(chosen),
            created_at=datetime.now(UTC),
            created_by=by,
        )
        items = [
            {"id": uuid.uuid4(), "batch_id": batch.id, "position": i, "freelancer_id": key, "freelancer_name": name}
            | {"status": PENDING}
            for i, (key, name) in enumerate(chosen)
        ]
        with self._session.begin() as session:
            session.add(batch)
            session.flush()
            for start in range(0, len(items), _INSERT_CHUNK):
                session.execute(insert(BatchItem), items[start : start + _INSERT_CHUNK])
        try:
            self.runner.submit([str(item["id"]) for item in items], self.run_item)
        except Unavailable:
            with self._session.begin() as session:
                session.execute(delete(BatchRecord).where(BatchRecord.id == batch.id))
            raise
        return self.progress(tenant, str(batch.id))

    def progress(self, tenant: str, batch_id: str) -> Progress:
        """Return the tenant's batch and how far it got; raise NotFound for an unknown or other tenant's id."""
        with self._session() as session:
            return _progress(session, [_find(session, tenant, batch_id)])[0]

    def listed(self, tenant: str, page: int = 1, per_page: int = 20) -> Page[Progress]:
        """Return a page of the tenant's batches, newest first, with how far each got."""
        with self._session() as session:
            batches = page_of(
                session,
                select(BatchRecord)
                .where(BatchRecord.tenant == tenant)
                .order_by(BatchRecord.created_at.desc(), BatchRecord.id),
                page,
                per_page,
            )
            return Page(_progress(session, batches.items), page, per_page, batches.total)

    def resume(self) -> int:
        """Hand the runner again every item not finished (after a restart of the server that ran them); return
        how many. An item that is in fact running elsewhere keeps one document (see ``run_item``)."""
        with self._session() as session:
            unfinished = session.scalars(
                select(BatchItem.id)
                .where(BatchItem.status.in_(UNFINISHED))
                .order_by(BatchItem.batch_id, BatchItem.position)
            ).all()
        if unfinished:
            self.runner.submit([str(key) for key in unfinished], self.run_item)
        return len(unfinished)

    def cancel(self, tenant: str, batch_id: str) -> Progress:
        """Cancel the batch's items that have not started (those running finish); return its progress."""
        batch = self.progress(tenant, batch_id).batch
        with self._session.begin() as session:
            session.execute(
                update(BatchItem)
                .where(BatchItem.batch_id == batch.id, BatchItem.status == PENDING)
                .values(status=CANCELLED)
            )
        return self.progress(tenant, batch_id)

    def archive(self, tenant: str, batch_id: str, *, partial: bool = False) -> Iterator[bytes]:
        """Return the zip of the batch's documents, named as single downloads are (made unique), as chunks.

        Raises NotFound, or Conflict while items are pending or running unless ``partial``.
        """
        progress = self.progress(tenant, batch_id)
        if (unfinished := progress.counts[PENDING] + progress.counts[RUNNING]) and not partial:
            raise Conflict(
                "The batch is still running: its zip is ready when every item is done or failed.",
                [
                    Problem(
                        "status",
                        f"{unfinished} of {progress.batch.total} items are not finished; ?partial=1 zips the others",
                    )
                ],
            )
        with self._session() as session:
            documents = session.execute(
                select(DocumentRecord.id, DocumentRecord.filename)
                .join(BatchItem, BatchItem.document_id == DocumentRecord.id)
                .where(BatchItem.batch_id == progress.batch.id, BatchItem.status == DONE)
                .order_by(BatchItem.position)
            ).all()
        names = unique_names([filename for _, filename in documents])
        return zipped((name, self._reader(tenant, key)) for name, (key, _) in zip(names, documents))

    def _reader(self, tenant: str, document_id: uuid.UUID) -> Callable[[], bytes]:
        return lambda: self._store.content(tenant, str(document_id))[1]

    def run_item(self, item_id: str, final: bool = True) -> None:
        """Generate one item's document and mark it done, both in one transaction; an item finished already
        (done, failed or cancelled) is left as it is.

        A domain error (the data invalid for this freelancer, a template fault) fails the item with its
        reason. Another error fails it too when ``final``, and is raised (for a retry, or the log).
        """
        key = uuid.UUID(item_id)
        with self._session.begin() as session:
            if not _changed(
                session,
                update(BatchItem).where(BatchItem.id == key, BatchItem.status.in_(UNFINISHED)).values(status=RUNNING),
            ):
                return
            item = session.get_one(BatchItem, key)
            batch = session.get_one(BatchRecord, item.batch_id)
        try:
            generated = self._generator.make(
                batch.tenant,
                batch.template,
                batch.data | {"freelancer_id": item.freelancer_id},
                format=batch.format,
                version=batch.template_version,
            )
            with self._session.begin() as session:
                record = self._store.add_document(batch.tenant, generated, batch.created_by, session=session)
                done = (
                    update(BatchItem)
                    .where(BatchItem.id == key, BatchItem.status != DONE)
                    .values(status=DONE, document_id=record.id)
                )
                if not _changed(session, done):
                    raise _AlreadyDone  # rolls the document back
        except _AlreadyDone:
            return
        except DomainError as error:
            self._fail(key, error)
        except Exception:
            if final:
                _log.exception("Batch item %s failed", item_id)
                self._fail(
                    key, DomainError("Something went wrong on the server making this document; it has been logged.")
                )
            raise

    def _fail(self, key: uuid.UUID, error: DomainError) -> None:
        problems = error.problems if isinstance(error, InvalidData) else []
        with self._session.begin() as session:
            session.execute(
                update(BatchItem)
                .where(BatchItem.id == key, BatchItem.status.in_(UNFINISHED))
                .values(
                    status=FAILED,
                    error=error.message[:1000],
                    problems=[{k: v for k, v in asdict(p).items() if v is not None} for p in problems],
                )
            )

    def _chosen(
        self, tenant: str, freelancer_ids: list[str] | None, roster: Query | None, problems: list[Problem]
    ) -> list[tuple[str, str]]:
        """The (id, name) of each freelancer the batch is for, in order; what is wrong goes to ``problems``."""
        if (freelancer_ids is None) == (roster is None):
            problems.append(Problem("freelancer_ids", "give either freelancer_ids or a roster filter"))
            return []
        if roster is not None:
            page = self._roster.search(tenant, Query(**(asdict(roster) | {"page": 1, "per_page": MAX_BATCH_ITEMS + 1})))
            if page.total > MAX_BATCH_ITEMS:
                problems.append(
                    Problem("roster", f"matches {page.total} freelancers: a batch is for at most {MAX_BATCH_ITEMS}")
                )
            elif not page.items:
                problems.append(Problem("roster", "matches no freelancer"))
            return [(str(record.id), record.name) for record in page.items]
        assert freelancer_ids is not None
        if not freelancer_ids:
            problems.append(Problem("freelancer_ids", "must name at least one freelancer"))
        if len(freelancer_ids) > MAX_BATCH_ITEMS:
            problems.append(
                Problem(
                    "freelancer_ids",
                    f"names {len(freelancer_ids)} freelancers: a batch is for at most {MAX_BATCH_ITEMS}",
                )
            )
            return []
        names, seen = self._roster.names(tenant, freelancer_ids), set()
        for i, given in enumerate(freelancer_ids):
            if given not in names:
                problems.append(Problem(f"freelancer_ids[{i}]", f"there is no freelancer {given!r} in the roster"))
            elif given in seen:
                problems.append(Problem(f"freelancer_ids[{i}]", f"names {names[given]} a second time"))
            seen.add(given)
        return [(given, names[given]) for given in freelancer_ids if given in names]


def _changed(session: Session, statement: Update) -> int:
    """Run an UPDATE; return how many rows it changed."""
    result = session.execute(statement)
    assert isinstance(result, CursorResult)
    return result.rowcount


def _progress(session: Session, batches: list[BatchRecord]) -> list[Progress]:
    """The progress of each of ``batches``: two queries, however many there are."""
    keys = [batch.id for batch in batches]
    counts = {key: dict.fromkeys((PENDING, RUNNING, DONE, FAILED, CANCELLED), 0) for key in keys}
    for key, status, count in session.execute(
        select(BatchItem.batch_id, BatchItem.status, func.count())
        .where(BatchItem.batch_id.in_(keys))
        .group_by(BatchItem.batch_id, BatchItem.status)
    ):
        counts[key][status] = count
    rank = func.row_number().over(partition_by=BatchItem.batch_id, order_by=BatchItem.position).label("rank")
    failed = select(BatchItem.id, rank).where(BatchItem.batch_id.in_(keys), BatchItem.status == FAILED).subquery()
    failures: dict[uuid.UUID, list[BatchItem]] = {key: [] for key in keys}
    for item in session.scalars(
        select(BatchItem)
        .join(failed, failed.c.id == BatchItem.id)
        .where(failed.c.rank <= LISTED_FAILURES)
        .order_by(BatchItem.batch_id, BatchItem.position)
    ):
        failures[item.batch_id].append(item)
    return [Progress(batch, counts[batch.id], failures[batch.id]) for batch in batches]


def _find(session: Session, tenant: str, batch_id: str) -> BatchRecord:
    try:
        key = uuid.UUID(batch_id)
    except ValueError:
        raise NotFound(f"There is no batch {batch_id!r}.") from None
    batch = session.get(BatchRecord, key)
    if batch is None or batch.tenant != tenant:
        raise NotFound(f"There is no batch {batch_id!r}.")
    return batch
