"""Batches of a tenant: made from a selection of the roster, run in runs of items, followed, cancelled, downloaded.

Each item is generated the way a single document is (``Generator.make_each``) and is stored as an ordinary
document; the documents of a run of items and their "done" marks are written in one transaction, and an
item is marked done only if no other run did, so an item run twice (a retry after a crash) keeps one
document.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.dml import Update

from ..errors import Conflict, DomainError, InvalidData, NotFound, Unavailable
from ..filenames import file_name
from ..generated import Generated
from ..generation import Generator
from ..paging import Page, page_of
from ..problems import Problem
from ..roster.service import Query, Roster
from ..store import DocumentFile, DocumentRecord, Store
from .archive import UniqueNames, zipped
from .records import CANCELLED, DONE, FAILED, PENDING, RUNNING, UNFINISHED, BatchItem, BatchRecord

MAX_BATCH_ITEMS = 10_000
"""The most freelancers one batch is for: a larger selection is refused whole, never cut short."""

LISTED_FAILURES = 100
"""The most failed items a batch's progress names (the first ones); its counts cover them all."""

ITEMS_PER_TASK = 25
"""Items one task (a thread's, or an RQ job) makes together: their freelancers read in one query, their
documents stored in one transaction."""

_INSERT_CHUNK = 1000
_READ_CHUNK = 20
_UNEXPECTED = DomainError("Something went wrong on the server making this document; it has been logged.")
_log = logging.getLogger(__name__)


class Runner(Protocol):
    """Where items run: ``submit`` hands over runs of item ids, each made by one call of ``run`` (raising
    Unavailable if it cannot); ``close`` stops."""

    def submit(self, chunks: list[list[str]], run: Callable[[list[str]], None]) -> None: ...

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
            self.runner.submit(_chunks([str(item["id"]) for item in items]), self.run_items)
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
        how many. An item that is in fact running elsewhere keeps one document (see ``run_items``)."""
        with self._session() as session:
            unfinished = session.execute(
                select(BatchItem.batch_id, BatchItem.id)
                .where(BatchItem.status.in_(UNFINISHED))
                .order_by(BatchItem.batch_id, BatchItem.position)
            ).all()
        by_batch: dict[uuid.UUID, list[str]] = {}
        for batch_id, key in unfinished:
            by_batch.setdefault(batch_id, []).append(str(key))
        if by_batch:
            self.runner.submit([chunk for keys in by_batch.values() for chunk in _chunks(keys)], self.run_items)
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

    def archive(self, tenant: str, batch_id: str, *, partial: bool = False) -> tuple[Progress, Iterator[bytes]]:
        """Return the batch's progress and the zip of its documents, named as single downloads are (made
        unique), as chunks read as they are sent.

        Raises NotFound, or Conflict while items are pending or running unless ``partial``.
        """
        progress = self.finished(tenant, batch_id, partial=partial)
        return progress, zipped(self._files(progress.batch.id), progress.batch.created_at)

    def finished(self, tenant: str, batch_id: str, *, partial: bool = False) -> Progress:
        """Return the progress of a batch whose items are all done, failed or cancelled (any, if ``partial``).

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
        return progress

    def _files(self, batch_id: uuid.UUID) -> Iterator[tuple[str, bytes]]:
        """Each done item's document, in order, named as its download is (made unique), read as the zip goes."""
        names = UniqueNames()
        query = (
            select(DocumentRecord.filename, DocumentFile.content)
            .join(BatchItem, BatchItem.document_id == DocumentRecord.id)
            .join(DocumentFile, DocumentFile.document_id == DocumentRecord.id)
            .where(BatchItem.batch_id == batch_id, BatchItem.status == DONE)
            .order_by(BatchItem.position)
            .execution_options(yield_per=_READ_CHUNK)
        )
        # Closed also when the download stops half way (the client went away): PostgreSQL's cursor with it.
        with self._session() as session, closing(session.execute(query)) as documents:
            for filename, content in documents:
                yield names.unique(_cleaned(filename)), content

    def run_items(self, item_ids: list[str], final: bool = True) -> None:
        """Generate the items' documents (items of one batch) and mark them done, all in one transaction; an item
        finished already (done, failed or cancelled, by another run of it) is left as it is.

        A domain error (the data invalid for this freelancer, a template fault) fails its item with its reason.
        Another error fails every item left when ``final``, and is raised (for a retry, or the log).
        """
        keys = [uuid.UUID(item_id) for item_id in item_ids]
        with self._session.begin() as session:
            claimed = session.execute(
                update(BatchItem)
                .where(BatchItem.id.in_(keys), BatchItem.status.in_(UNFINISHED))
                .values(status=RUNNING)
                .returning(BatchItem.id, BatchItem.batch_id, BatchItem.freelancer_id)
            ).all()
            if not claimed:
                return
            batch = session.get_one(BatchRecord, claimed[0].batch_id)
        try:
            made = self._generator.make_each(
                batch.tenant,
                batch.template,
                [batch.data | {"freelancer_id": item.freelancer_id} for item in claimed],
                format=batch.format,
                version=batch.template_version,
            )
        except DomainError as error:  # the template itself: every item fails alike
            made = [error] * len(claimed)
        except Exception:
            if final:
                _log.exception("Batch items %s failed", item_ids)
                self._fail_all([item.id for item in claimed], _UNEXPECTED)
            raise
        with self._session.begin() as session:
            self._finish(session, batch, [(item.id, outcome) for item, outcome in zip(claimed, made)])

    def _finish(
        self, session: Session, batch: BatchRecord, outcomes: list[tuple[uuid.UUID, Generated | DomainError]]
    ) -> None:
        """Store each generated document and mark its item done (only if no other run did), and fail the others."""
        generated = {key: outcome for key, outcome in outcomes if not isinstance(outcome, DomainError)}
        won = (
            session.scalars(
                update(BatchItem)
                .where(BatchItem.id.in_(list(generated)), BatchItem.status != DONE)
                .values(status=DONE)
                .returning(BatchItem.id)
            ).all()
            if generated
            else []
        )
        if won:
            records = self._store.add_documents(
                batch.tenant, [generated[key] for key in won], batch.created_by, session
            )
            session.execute(
                update(BatchItem), [{"id": key, "document_id": record.id} for key, record in zip(won, records)]
            )
        for key, outcome in outcomes:
            if isinstance(outcome, DomainError):
                session.execute(_failing([key], outcome))

    def _fail_all(self, keys: list[uuid.UUID], error: DomainError) -> None:
        with self._session.begin() as session:
            session.execute(_failing(keys, error))

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


def _failing(keys: list[uuid.UUID], error: DomainError) -> Update:
    """The UPDATE failing the items of ``keys`` still unfinished, with ``error``'s reason and problems."""
    problems = error.problems if isinstance(error, InvalidData) else []
    return (
        update(BatchItem)
        .where(BatchItem.id.in_(keys), BatchItem.status.in_(UNFINISHED))
        .values(
            status=FAILED,
            error=error.message[:1000],
            problems=[{k: v for k, v in asdict(p).items() if v is not None} for p in problems],
        )
    )


def _chunks(keys: list[str]) -> list[list[str]]:
    """``keys`` cut into the runs of items one task (or RQ job) makes together."""
    return [keys[start : start + ITEMS_PER_TASK] for start in range(0, len(keys), ITEMS_PER_TASK)]


def _cleaned(filename: str) -> str:
    """A stored file name as it is downloaded (a name stored before names were cleaned may need it)."""
    stem, _, extension = filename.rpartition(".")
    return f"{file_name(stem, 'document')}.{extension}"


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
